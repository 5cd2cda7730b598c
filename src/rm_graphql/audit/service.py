"""Recording audit events; called by every service that changes state."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models import AuditEvent
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
