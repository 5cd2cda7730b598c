"""Every query of the webhooks room."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models.webhooks import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
)
from rm_graphql.paging import Window

ANY_EVENT = "*"


async def subscribed_endpoints(
    session: AsyncSession, tenant_id: int, event: str
) -> list[WebhookEndpoint]:
    """The tenant's enabled endpoints that subscribed to `event` (or to every event)."""
    query = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.tenant_id == tenant_id, WebhookEndpoint.enabled.is_(True))
        .order_by(WebhookEndpoint.id)
    )
    endpoints = (await session.execute(query)).scalars().all()
    return [e for e in endpoints if event in e.event_types or ANY_EVENT in e.event_types]


@dataclass(frozen=True)
class Target:
    """A PENDING delivery with what its POST needs from the endpoint."""

    delivery: WebhookDelivery
    url: str
    secret_encrypted: str
    enabled: bool


async def pending_target(session: AsyncSession, delivery_id: int) -> Target | None:
    """A PENDING delivery and its endpoint's URL, sealed secret and switch; None otherwise."""
    query = (
        select(
            WebhookDelivery,
            WebhookEndpoint.url,
            WebhookEndpoint.secret_encrypted,
            WebhookEndpoint.enabled,
        )
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == DeliveryStatus.PENDING)
    )
    row = (await session.execute(query)).one_or_none()
    return None if row is None else Target(row[0], row[1], row[2], row[3])


async def count_attempt(
    session: AsyncSession, delivery_id: int, changes: dict[str, Any]
) -> tuple[int, int] | None:
    """Add one to a PENDING delivery's attempts and apply `changes`: (tenant id, attempt number).

    One UPDATE, so concurrent duplicates of a job cannot both count the same attempt.
    """
    statement = (
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == DeliveryStatus.PENDING)
        .values(attempts=WebhookDelivery.attempts + 1, **changes)
        .returning(WebhookDelivery.tenant_id, WebhookDelivery.attempts)
        .execution_options(synchronize_session=False)
    )
    row = (await session.execute(statement)).one_or_none()
    return None if row is None else (row[0], row[1])


async def add_attempt(session: AsyncSession, attempt: WebhookDeliveryAttempt) -> None:
    session.add(attempt)
    await session.flush()


async def tenant_delivery(
    session: AsyncSession, tenant_id: int, delivery_id: int
) -> WebhookDelivery | None:
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.id == delivery_id)
        .with_for_update()
    )
    return (await session.execute(query)).scalar_one_or_none()


async def pending_deliveries(
    session: AsyncSession, untouched_since: datetime | None = None
) -> list[tuple[int, datetime | None]]:
    """(id, next attempt) of PENDING deliveries, optionally only those idle since a cutoff."""
    query = (
        select(WebhookDelivery.id, WebhookDelivery.next_attempt_at)
        .where(WebhookDelivery.status == DeliveryStatus.PENDING)
        .order_by(WebhookDelivery.id)
    )
    if untouched_since is not None:
        query = query.where(WebhookDelivery.updated_at < untouched_since)
    return [(row.id, row.next_attempt_at) for row in await session.execute(query)]


async def attempts_of(
    session: AsyncSession, tenant_id: int, delivery_id: int
) -> list[WebhookDeliveryAttempt]:
    """A delivery's attempts, first to last."""
    query = (
        select(WebhookDeliveryAttempt)
        .where(
            WebhookDeliveryAttempt.tenant_id == tenant_id,
            WebhookDeliveryAttempt.delivery_id == delivery_id,
        )
        .order_by(WebhookDeliveryAttempt.number)
    )
    return list((await session.execute(query)).scalars().all())


async def deliveries_of_endpoint(
    session: AsyncSession, tenant_id: int, endpoint_id: int
) -> list[WebhookDelivery]:
    """An endpoint's deliveries, oldest first: the delivery log an admin reads."""
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
    )
    return list((await session.execute(query)).scalars().all())


async def endpoints_of(session: AsyncSession, tenant_id: int) -> Sequence[WebhookEndpoint]:
    rows = await session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.tenant_id == tenant_id)
        .order_by(WebhookEndpoint.id)
    )
    return rows.all()


async def tenant_endpoint(
    session: AsyncSession, tenant_id: int, endpoint_id: int
) -> WebhookEndpoint | None:
    return await session.scalar(
        select(WebhookEndpoint).where(
            WebhookEndpoint.tenant_id == tenant_id, WebhookEndpoint.id == endpoint_id
        )
    )


def _delivery_conditions(tenant_id: int, status: DeliveryStatus | None) -> list[Any]:
    conditions: list[Any] = [WebhookDelivery.tenant_id == tenant_id]
    if status is not None:
        conditions.append(WebhookDelivery.status == status)
    return conditions


async def count_deliveries(
    session: AsyncSession, tenant_id: int, status: DeliveryStatus | None
) -> int:
    statement = select(func.count()).select_from(WebhookDelivery)
    return int(await session.scalar(statement.where(*_delivery_conditions(tenant_id, status))) or 0)


async def list_deliveries(
    session: AsyncSession, tenant_id: int, status: DeliveryStatus | None, page: Window
) -> Sequence[WebhookDelivery]:
    rows = await session.scalars(
        select(WebhookDelivery)
        .where(*_delivery_conditions(tenant_id, status))
        .order_by(WebhookDelivery.id.desc())
        .offset(page.offset)
        .limit(page.limit)
    )
    return rows.all()


async def attempts_of_many(
    session: AsyncSession, tenant_id: int, delivery_ids: Sequence[int]
) -> Sequence[WebhookDeliveryAttempt]:
    rows = await session.scalars(
        select(WebhookDeliveryAttempt)
        .where(
            WebhookDeliveryAttempt.tenant_id == tenant_id,
            WebhookDeliveryAttempt.delivery_id.in_(delivery_ids),
        )
        .order_by(WebhookDeliveryAttempt.delivery_id, WebhookDeliveryAttempt.number)
    )
    return rows.all()


async def all_endpoints(session: AsyncSession) -> Sequence[WebhookEndpoint]:
    """Every tenant's endpoints (for key rotation)."""
    return (await session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id))).all()
