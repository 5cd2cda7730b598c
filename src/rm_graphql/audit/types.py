"""The audit log in GraphQL: for HR admins of the tenant only."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self, cast

import strawberry
from sqlalchemy import Row
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from rm_graphql.audit import service
from rm_graphql.graphql.context import Context
from rm_graphql.graphql.relay import Connection, PageArgs, paginate
from rm_graphql.paging import Window


@strawberry.type(
    name="AuditEvent", description="One recorded change: who, what, when, which request."
)
class AuditEventType:
    id: relay.GlobalID
    actor: str
    action: str
    target_type: str
    target_id: str | None
    request_id: str | None
    details: JSON
    at: datetime

    @classmethod
    def from_row(cls, row: Row[Any]) -> Self:
        return cls(
            id=relay.GlobalID("AuditEvent", str(row.id)),
            actor=row.actor,
            action=row.action,
            target_type=row.target_type,
            target_id=row.target_id,
            request_id=row.request_id,
            details=cast(JSON, dict(row.details or {})),
            at=row.at,
        )


@strawberry.type
class AuditQueries:
    @strawberry.field(description="The tenant's audit log, newest first (HR admins only).")
    async def audit_events(
        self,
        info: Info[Context, None],
        action: str | None = None,
        target_type: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[AuditEventType]:
        context = info.context

        async def fetch(page: Window) -> list[AuditEventType]:
            rows = await context.run(service.list_events, action, target_type, page)
            return [AuditEventType.from_row(row) for row in rows]

        return await paginate(
            lambda: context.run(service.count_events, action, target_type),
            fetch,
            PageArgs(first, after, last, before),
        )
