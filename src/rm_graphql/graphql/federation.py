"""Apollo Federation 2 subgraph mode: Employee and Program become entities keyed by id."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.types import Info

from rm_graphql.graphql.context import Context
from rm_graphql.graphql.global_ids import lenient_global_ids
from rm_graphql.graphql.relay import db_id, parse_global_id
from rm_graphql.graphql.schema import EXTENSIONS, root_types
from rm_graphql.people.types import EmployeeType, employee_loader
from rm_graphql.programs.types import ProgramType, program_loader

ENTITIES: tuple[tuple[type[Any], str, Any], ...] = (
    (EmployeeType, "Employee", employee_loader),
    (ProgramType, "Program", program_loader),
)


def _reference_resolver(type_name: str, loader: Any) -> Any:
    async def resolve_reference(info: Info[Context, None], id: strawberry.ID) -> Any:
        key = db_id(parse_global_id(id), type_name)
        return None if key < 0 else await loader(info.context).load(key)

    return staticmethod(resolve_reference)


def _mark_entities() -> None:
    """Give the entity types their @key and a reference resolver (done once per process)."""
    for entity, type_name, loader in ENTITIES:
        definition = entity.__strawberry_definition__
        if not any(isinstance(directive, Key) for directive in definition.directives):
            definition.directives = [*definition.directives, Key(fields=FieldSet("id"))]
        entity.resolve_reference = _reference_resolver(type_name, loader)


def federation_schema() -> strawberry.federation.Schema:
    """The same API as a Federation 2 subgraph (only built when RM_FEDERATION is on)."""
    _mark_entities()
    query, mutation, subscription = root_types()
    return lenient_global_ids(
        strawberry.federation.Schema(
            query=query, mutation=mutation, subscription=subscription, extensions=EXTENSIONS
        )
    )
