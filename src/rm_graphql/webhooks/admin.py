"""What HR admins do with outbound webhooks: subscribe endpoints, read the log, retry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.audit.service import record
from rm_graphql.auth.principal import Scope
from rm_graphql.crypto import SecretBox
from rm_graphql.errors import Conflict, NotFound, ValidationFailed
from rm_graphql.models.webhooks import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
)
from rm_graphql.paging import Window
from rm_graphql.tenancy.service import Actor
from rm_graphql.webhooks import repository, service

if TYPE_CHECKING:
    from rm_graphql.jobs.queue import JobQueue

EVENTS = (
    "pair.published",
    "pair.idle_warning",
    "pair.concluded",
    "session.logged",
    "feedback.due",
    "concern.reported",
    "matching.completed",
    "sync.completed",
)


async def create_endpoint(
    session: AsyncSession,
    actor: Actor,
    box: SecretBox,
    url: str,
    secret: str,
    event_types: list[str],
    description: str | None,
    allow_private: bool,
) -> WebhookEndpoint:
    """Subscribe a host URL to events ("*" for all); the signing secret is sealed at rest."""
    actor.require(Scope.ADMIN)
    unknown = sorted(set(event_types) - {*EVENTS, repository.ANY_EVENT})
    if unknown or not event_types:
        raise ValidationFailed.single("eventTypes", f"choose from {', '.join(EVENTS)} or *")
    try:
        endpoint = await service.create_endpoint(
            session,
            actor.tenant_id,
            box,
            url,
            secret,
            event_types,
            description,
            allow_private=allow_private,
        )
    except service.WebhookError as error:
        raise ValidationFailed.single(
            "url" if "URL" in str(error) else "secret", str(error)
        ) from error
    record(session, actor, "webhook.endpoint_created", "WebhookEndpoint", endpoint.id, url=url)
    return endpoint


async def set_enabled(
    session: AsyncSession, actor: Actor, endpoint_id: int, enabled: bool
) -> WebhookEndpoint:
    actor.require(Scope.ADMIN)
    endpoint = await repository.tenant_endpoint(session, actor.tenant_id, endpoint_id)
    if endpoint is None:
        raise NotFound("no such webhook endpoint")
    endpoint.enabled = enabled
    await session.flush()
    action = "webhook.endpoint_enabled" if enabled else "webhook.endpoint_disabled"
    record(session, actor, action, "WebhookEndpoint", endpoint.id)
    return endpoint


async def retry(
    session: AsyncSession, actor: Actor, queue: JobQueue | None, delivery_id: int
) -> WebhookDelivery:
    """Send a FAILED delivery again, as a fresh series of tries."""
    actor.require(Scope.ADMIN)
    if queue is None:
        raise Conflict("this process has no job queue to send deliveries")
    delivery = await service.retry_delivery(session, queue, actor.tenant_id, delivery_id)
    if delivery is None:
        raise NotFound("no failed delivery with this id")
    record(session, actor, "webhook.delivery_retried", "WebhookDelivery", delivery.id)
    return delivery


async def endpoints(session: AsyncSession, actor: Actor) -> Sequence[WebhookEndpoint]:
    actor.require(Scope.ADMIN)
    return await repository.endpoints_of(session, actor.tenant_id)


async def count_deliveries(
    session: AsyncSession, actor: Actor, status: DeliveryStatus | None
) -> int:
    actor.require(Scope.ADMIN)
    return await repository.count_deliveries(session, actor.tenant_id, status)


async def list_deliveries(
    session: AsyncSession, actor: Actor, status: DeliveryStatus | None, page: Window
) -> Sequence[WebhookDelivery]:
    actor.require(Scope.ADMIN)
    return await repository.list_deliveries(session, actor.tenant_id, status, page)


async def attempts(
    session: AsyncSession, actor: Actor, delivery_ids: Sequence[int]
) -> Sequence[WebhookDeliveryAttempt]:
    actor.require(Scope.ADMIN)
    return await repository.attempts_of_many(session, actor.tenant_id, delivery_ids)
