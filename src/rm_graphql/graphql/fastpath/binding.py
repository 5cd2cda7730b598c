"""Per request: the caller's parameters and each argument site's shape and parameters."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from graphql import GraphQLSchema
from graphql.execution.values import get_argument_values, get_variable_values

from rm_graphql.auth.principal import Principal, Scope
from rm_graphql.graphql.fastpath.compiler import Variant
from rm_graphql.graphql.fastpath.connection import bind_page
from rm_graphql.graphql.fastpath.document import NotCovered, Operation
from rm_graphql.graphql.relay import db_id, parse_global_id

Binder = Callable[[int, dict[str, Any]], tuple[str, dict[str, Any]]]


def bind_program(site: int, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """`program(id:)`: null for an id that names no program, as ProgramQueries.program answers."""
    key = db_id(parse_global_id(args["id"]), "Program")
    if key < 0:
        return "null", {}
    return "id", {f"s{site}_id": key}


BINDERS: dict[tuple[str, str], Binder] = {
    ("program", "Program"): bind_program,
    ("pairs", "PairConnection"): bind_page,
}
DEFAULT_SHAPES = {("program", "Program"): "id", ("pairs", "PairConnection"): "page"}


def default_shapes(operation: Operation) -> tuple[str, ...]:
    """A shape per site, to compile once when the document is first seen."""
    try:
        return tuple(DEFAULT_SHAPES[(site.name, site.type_name)] for site in operation.sites)
    except KeyError as error:
        raise NotCovered(f"arguments of {error}") from error


def caller(principal: Principal) -> tuple[bool, bool, dict[str, Any]]:
    """Role flags and the parameters the actor CTE and `me` read."""
    manages = principal.has(Scope.ADMIN) or principal.has(Scope.PROGRAM)
    found = {v.lower() for v in (principal.subject, principal.email) if v and "@" in v}
    emails: list[str | None] = [*sorted(found), None, None]
    params = {
        "tenant": principal.tenant,
        "subject": principal.subject,
        "email1": emails[0],
        "email2": emails[1],
        "scopes": json.dumps(sorted(principal.scopes)),
    }
    return manages, manages or principal.has(Scope.KPI), params


def bind(
    schema: GraphQLSchema,
    operation: Operation,
    variables: dict[str, Any] | None,
    principal: Principal,
) -> tuple[Variant, dict[str, Any]]:
    """Coerce the variables and arguments; NotCovered when normal execution must report."""
    coerced = get_variable_values(
        schema, operation.definition.variable_definitions or (), variables or {}
    )
    if isinstance(coerced, list):
        raise NotCovered("variables do not coerce")
    manages, sees_programs, params = caller(principal)
    shapes = []
    for index, site in enumerate(operation.sites):
        try:
            args = get_argument_values(site.definition, site.node, coerced)
        except Exception as error:
            raise NotCovered("arguments do not coerce") from error
        shape, values = BINDERS[(site.name, site.type_name)](index, args)
        shapes.append(shape)
        params.update(values)
    return Variant(manages, sees_programs, tuple(shapes)), params
