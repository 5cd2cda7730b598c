"""GraphQL for outbound webhooks: endpoints, the delivery log with every attempt, retries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from rm_graphql.graphql.context import Context
from rm_graphql.graphql.errors import ErrorType
from rm_graphql.graphql.mutations import mutate
from rm_graphql.graphql.relay import Connection, PageArgs, db_id, paginate
from rm_graphql.models.webhooks import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
)
from rm_graphql.paging import Window
from rm_graphql.security import secret_box
from rm_graphql.webhooks import admin

strawberry.enum(DeliveryStatus)


@strawberry.type(name="WebhookEndpoint", description="A host URL subscribed to events.")
class WebhookEndpointType:
    id: relay.GlobalID
    url: str
    description: str | None
    event_types: list[str]
    enabled: bool
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> Self:
        return cls(
            id=relay.GlobalID("WebhookEndpoint", str(endpoint.id)),
            url=endpoint.url,
            description=endpoint.description,
            event_types=list(endpoint.event_types),
            enabled=endpoint.enabled,
            created_at=endpoint.created_at,
        )


@strawberry.type(name="WebhookAttempt", description="One try at delivering an event.")
class WebhookAttemptType:
    number: int
    status_code: int | None
    error: str | None
    duration_ms: int
    at: datetime


@strawberry.type(name="WebhookDelivery", description="One event for one endpoint.")
class WebhookDeliveryType:
    id: relay.GlobalID
    event: str
    payload: JSON
    status: DeliveryStatus
    attempt_count: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    attempts: list[WebhookAttemptType]

    @classmethod
    def of(cls, delivery: WebhookDelivery, attempts: list[WebhookAttemptType]) -> Self:
        return cls(
            id=relay.GlobalID("WebhookDelivery", str(delivery.id)),
            event=delivery.event,
            payload=cast(JSON, dict(delivery.payload)),
            status=delivery.status,
            attempt_count=delivery.attempts,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            next_attempt_at=delivery.next_attempt_at,
            finished_at=delivery.finished_at,
            created_at=delivery.created_at,
            attempts=attempts,
        )


def _attempt(row: WebhookDeliveryAttempt) -> WebhookAttemptType:
    return WebhookAttemptType(
        number=row.number,
        status_code=row.status_code,
        error=row.error,
        duration_ms=row.duration_ms,
        at=row.at,
    )


@strawberry.input
class CreateWebhookEndpointInput:
    url: str
    secret: str = strawberry.field(description="At least 16 characters; never shown again.")
    event_types: list[str] = strawberry.field(description='Event names, or "*" for all.')
    description: str | None = None


@strawberry.input
class SetWebhookEndpointEnabledInput:
    id: relay.GlobalID
    enabled: bool


WebhookEndpointResult = Annotated[
    WebhookEndpointType | ErrorType, strawberry.union("WebhookEndpointResult")
]
WebhookDeliveryResult = Annotated[
    WebhookDeliveryType | ErrorType, strawberry.union("WebhookDeliveryResult")
]


def _delivery(delivery: WebhookDelivery) -> WebhookDeliveryType:
    return WebhookDeliveryType.of(delivery, [])


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="Subscribed endpoints (HR admins).")
    async def webhook_endpoints(self, info: Info[Context, None]) -> list[WebhookEndpointType]:
        return [WebhookEndpointType.of(e) for e in await info.context.run(admin.endpoints)]

    @strawberry.field(description="The delivery log, newest first, every attempt included.")
    async def webhook_deliveries(
        self,
        info: Info[Context, None],
        status: DeliveryStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[WebhookDeliveryType]:
        context = info.context

        async def fetch(page: Window) -> list[WebhookDeliveryType]:
            rows = await context.run(admin.list_deliveries, status, page)
            tries = await context.run(admin.attempts, [row.id for row in rows])
            grouped: dict[int, list[WebhookAttemptType]] = {row.id: [] for row in rows}
            for attempt in tries:
                grouped[attempt.delivery_id].append(_attempt(attempt))
            return [WebhookDeliveryType.of(row, grouped[row.id]) for row in rows]

        return await paginate(
            lambda: context.run(admin.count_deliveries, status),
            fetch,
            PageArgs(first, after, last, before),
        )


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Subscribe a URL to events; deliveries are HMAC-signed.")
    async def create_webhook_endpoint(
        self, info: Info[Context, None], input: CreateWebhookEndpointInput
    ) -> WebhookEndpointResult:
        settings = info.context.settings
        return await mutate(
            info.context,
            admin.create_endpoint,
            WebhookEndpointType.of,
            secret_box(settings),
            input.url,
            input.secret,
            input.event_types,
            input.description,
            settings.webhooks_reach_private_addresses,
        )

    @strawberry.mutation
    async def set_webhook_endpoint_enabled(
        self, info: Info[Context, None], input: SetWebhookEndpointEnabledInput
    ) -> WebhookEndpointResult:
        endpoint_id = db_id(input.id, "WebhookEndpoint")
        return await mutate(
            info.context, admin.set_enabled, WebhookEndpointType.of, endpoint_id, input.enabled
        )

    @strawberry.mutation(description="Send a FAILED delivery again.")
    async def retry_webhook_delivery(
        self, info: Info[Context, None], delivery_id: relay.GlobalID
    ) -> WebhookDeliveryResult:
        key = db_id(delivery_id, "WebhookDelivery")
        return await mutate(info.context, admin.retry, _delivery, info.context.jobs, key)
