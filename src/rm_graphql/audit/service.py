"""Recording audit events; called by every service that changes state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.audit import repository
from rm_graphql.auth.principal import Scope
from rm_graphql.models import AuditEvent
from rm_graphql.paging import Window
from rm_graphql.tenancy.service import Actor


def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: int | str | None,
    **details: Any,
) -> None:
    """Add one audit event to the current unit of work (committed with it, or not at all)."""
    session.add(
        AuditEvent(
            tenant_id=actor.tenant_id,
            actor=actor.name,
            action=action,
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            request_id=actor.request_id,
            details=details,
        )
    )


async def count_events(
    session: AsyncSession, actor: Actor, action: str | None, target_type: str | None
) -> int:
    actor.require(Scope.ADMIN)
    return await repository.count_events(session, actor.tenant_id, action, target_type)


async def list_events(
    session: AsyncSession,
    actor: Actor,
    action: str | None,
    target_type: str | None,
    page: Window,
) -> Sequence[Row[Any]]:
    actor.require(Scope.ADMIN)
    return await repository.list_events(session, actor.tenant_id, action, target_type, page)
