"""Queries over the audit log; always scoped by tenant, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models import AuditEvent
from rm_graphql.paging import Window


def _conditions(
    tenant_id: int, action: str | None, target_type: str | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [AuditEvent.tenant_id == tenant_id]
    if action:
        conditions.append(AuditEvent.action == action)
    if target_type:
        conditions.append(AuditEvent.target_type == target_type)
    return conditions


async def count_events(
    session: AsyncSession, tenant_id: int, action: str | None, target_type: str | None
) -> int:
    statement = select(func.count()).select_from(AuditEvent)
    statement = statement.where(*_conditions(tenant_id, action, target_type))
    return int(await session.scalar(statement) or 0)


async def list_events(
    session: AsyncSession,
    tenant_id: int,
    action: str | None,
    target_type: str | None,
    page: Window,
) -> Sequence[Row[Any]]:
    statement = (
        select(*AuditEvent.__table__.c)
        .where(*_conditions(tenant_id, action, target_type))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset(page.offset)
        .limit(page.limit)
    )
    return (await session.execute(statement)).all()
