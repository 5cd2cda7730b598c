"""The fast path steps aside where it could not be exact: guarded fields, unknown extensions."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import create_async_engine
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission

from rm_graphql.graphql.fastpath import FastPath
from rm_graphql.graphql.fastpath.catalog import covered_fields
from rm_graphql.graphql.schema import schema


class Nobody(BasePermission):
    message = "no"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.type(name="Program")
class GuardedProgram:
    description: str | None
    name: str = strawberry.field(permission_classes=[Nobody])
    status: int  # not the ProgramStatus enum the catalog knows


@strawberry.type
class Query:
    program: GuardedProgram | None = None


def test_guarded_or_changed_fields_are_left_to_normal_execution() -> None:
    covered = covered_fields(strawberry.Schema(query=Query))
    assert set(covered["Program"]) == {"description"}
    assert set(covered_fields(schema)["Program"]) >= {"name", "status", "pairs"}


class Audit(SchemaExtension):
    """An extension the fast path does not know: it might do something the SQL would skip."""


def test_an_unknown_extension_turns_the_fast_path_off() -> None:
    engine = create_async_engine("sqlite+aiosqlite://")
    assert FastPath.create(schema, engine) is not None
    audited = strawberry.Schema(query=Query, extensions=[Audit])
    assert FastPath.create(audited, engine) is None
