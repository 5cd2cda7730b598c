"""Global ids from clients: a malformed one names no row, so it gets NotFound or null.

Strawberry parses an argument typed GlobalID before the resolver runs and reports a malformed
value ("Value cannot represent a GlobalID") as a field error. `scalar_overrides` cannot change
that: such arguments are plain `ID` in the schema and Strawberry's argument conversion parses
them with GlobalID.from_id, whatever the scalar registry says. A SchemaExtension's `resolve`
could rewrite them, but it runs for every field and never for a subscription's root field. So
`lenient_global_ids` wraps, once per schema, the resolvers of the fields that take global ids:
each malformed value becomes NOWHERE's encoding before Strawberry parses it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import strawberry
from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
)
from strawberry import relay
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import Info
from strawberry.types.base import StrawberryContainer
from strawberry.types.lazy_type import LazyType
from strawberry.utils.await_maybe import await_maybe

from rm_graphql.graphql.relay import NOWHERE, parse_global_id, row_id

SchemaT = TypeVar("SchemaT", bound=strawberry.Schema)
Resolver = Callable[..., Any]

NOWHERE_ID = str(NOWHERE)


def lenient_global_ids(schema: SchemaT) -> SchemaT:
    """Make each field that takes global ids treat a malformed one as naming no row."""
    for type_ in schema._schema.type_map.values():
        if isinstance(type_, GraphQLObjectType):
            for field in type_.fields.values():
                _wrap(field)
    return schema


def _wrap(field: GraphQLField) -> None:
    """Wrap the field's resolvers when some argument of it can hold a global id."""
    sites = {
        name: (arg.type, _is_global_id(arg))
        for name, arg in field.args.items()
        if _takes_global_ids(arg.type, _is_global_id(arg))
    }
    if not sites:
        return

    def lenient(resolver: Resolver) -> Resolver:
        if getattr(resolver, "lenient_global_ids", False):
            return resolver

        @wraps(resolver)
        def resolve(source: Any, info: Any, **kwargs: Any) -> Any:
            for name, (type_, global_ids) in sites.items():
                if name in kwargs:
                    kwargs[name] = _lenient(kwargs[name], type_, global_ids)
            return resolver(source, info, **kwargs)

        resolve.lenient_global_ids = True  # type: ignore[attr-defined]
        return resolve

    if field.resolve is not None:
        field.resolve = lenient(field.resolve)
    if field.subscribe is not None:
        field.subscribe = lenient(field.subscribe)


def _lenient(value: Any, type_: GraphQLInputType, global_ids: bool) -> Any:
    """A coerced argument value with each malformed global id in it replaced by NOWHERE's."""
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if value is None:
        return None
    if isinstance(type_, GraphQLList):
        return [_lenient(item, type_.of_type, global_ids) for item in value]
    if isinstance(type_, GraphQLInputObjectType):
        fields = type_.fields
        return {
            name: _lenient(item, fields[name].type, _is_global_id(fields[name]))
            for name, item in value.items()
        }
    if global_ids and parse_global_id(value) is NOWHERE:
        return NOWHERE_ID
    return value


def _takes_global_ids(
    type_: GraphQLInputType, global_ids: bool, seen: frozenset[str] = frozenset()
) -> bool:
    """Whether a value of this argument or input field type can hold a global id."""
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        return _takes_global_ids(type_.of_type, global_ids, seen)
    if isinstance(type_, GraphQLInputObjectType):
        inside = seen | {type_.name}
        return type_.name not in seen and any(
            _takes_global_ids(field.type, _is_global_id(field), inside)
            for field in type_.fields.values()
        )
    return global_ids


def _is_global_id(site: GraphQLArgument | GraphQLInputField) -> bool:
    """Whether the Python type behind an argument or input field is GlobalID (or lists of it)."""
    definition = site.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    type_ = getattr(definition, "type", None)
    while isinstance(type_, StrawberryContainer | LazyType):
        type_ = type_.of_type if isinstance(type_, StrawberryContainer) else type_.resolve_type()
    return type_ is relay.GlobalID


async def node_or_none(info: Info[Any, Any], global_id: relay.GlobalID) -> relay.Node | None:
    """The object a global id names, or None when it names no row (every Node has an int id)."""
    try:
        node_type = global_id.resolve_type(info)
    except relay.GlobalIDValueError:
        return None
    if row_id(global_id.node_id) is None:
        return None
    node = await await_maybe(node_type.resolve_node(global_id.node_id, info=info, required=False))
    # cast: the Node interface then resolves to node_type without guessing (as relay.node() does)
    return None if node is None else strawberry.cast(node_type, node)
