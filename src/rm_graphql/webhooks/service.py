"""Outbound webhooks: subscribe endpoints, sign and send deliveries, log every attempt."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.crypto import SecretBox
from rm_graphql.models.base import utcnow
from rm_graphql.models.webhooks import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
)
from rm_graphql.webhooks import egress, repository

if TYPE_CHECKING:
    from rm_graphql.jobs.queue import JobQueue

SIGNATURE_HEADER = "X-RM-Signature"
TIMESTAMP_HEADER = "X-RM-Timestamp"
EVENT_HEADER = "X-RM-Event"
DELIVERY_HEADER = "X-RM-Delivery"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300
ERROR_LIMIT = 1000


class WebhookError(Exception):
    """Bad webhook input: a URL we will not call, an empty secret."""


class DeliveryFailed(Exception):
    """An attempt was not accepted; raised so the job layer retries it with backoff."""


def seal_secret(box: SecretBox, secret: str) -> str:
    """A signing secret's stored form: encrypted at rest like every other credential."""
    return box.encrypt(secret)


def open_secret(box: SecretBox, stored: str) -> str:
    """The signing secret from its stored form: the inverse of seal_secret."""
    return box.decrypt_str(stored)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp.body`, as the X-RM-Signature value `v1=<hex>`."""
    message = timestamp.encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver checks: a fresh timestamp and a matching signature (any listed v1)."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    if age > tolerance_seconds:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, part.strip()) for part in signature.split(","))


def envelope(delivery: WebhookDelivery) -> bytes:
    """The POST body: the same bytes on every attempt of a delivery."""
    document = {
        "id": delivery.id,
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _check_url(url: str, *, allow_private: bool) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError("a webhook URL must be an absolute http:// or https:// URL")
    refused = None if allow_private else egress.refusal(url)
    if refused:
        raise WebhookError(refused)
    return url


async def create_endpoint(
    session: AsyncSession,
    tenant_id: int,
    box: SecretBox,
    url: str,
    secret: str,
    event_types: list[str],
    description: str | None = None,
    *,
    allow_private: bool = True,
) -> WebhookEndpoint:
    """Subscribe a URL to events ("*" for all); the secret is stored sealed.

    Without `allow_private`, a URL naming localhost or a non-public address is refused.
    """
    if len(secret) < 16:
        raise WebhookError("a webhook secret needs at least 16 characters")
    endpoint = WebhookEndpoint(
        tenant_id=tenant_id,
        url=_check_url(url, allow_private=allow_private),
        secret_encrypted=seal_secret(box, secret),
        event_types=sorted(set(event_types)),
        description=description,
        enabled=True,
    )
    session.add(endpoint)
    await session.flush()
    return endpoint


async def enqueue_event(
    session: AsyncSession,
    queue: JobQueue | None,
    tenant_id: int,
    event: str,
    payload: dict[str, Any],
) -> list[WebhookDelivery]:
    """One PENDING delivery per subscribed endpoint; their jobs are deferred after commit.

    Without a queue at hand the rows alone are written; the orphan sweep defers them.
    """
    endpoints = await repository.subscribed_endpoints(session, tenant_id, event)
    deliveries = [
        WebhookDelivery(
            tenant_id=tenant_id,
            endpoint_id=endpoint.id,
            event=event,
            payload=payload,
            status=DeliveryStatus.PENDING,
            attempts=0,
        )
        for endpoint in endpoints
    ]
    session.add_all(deliveries)
    await session.flush()
    if queue is not None:
        queue.defer_deliveries_after_commit(session, [delivery.id for delivery in deliveries])
    return deliveries


@dataclass(frozen=True)
class DeliveryRequest:
    """Everything one POST needs, read from the database before any network I/O."""

    delivery_id: int
    url: str
    headers: dict[str, str]
    body: bytes
    endpoint_enabled: bool = True


async def prepare(
    session: AsyncSession, delivery_id: int, box: SecretBox
) -> DeliveryRequest | None:
    """The signed request for a PENDING delivery; None if there is nothing to send."""
    target = await repository.pending_target(session, delivery_id)
    if target is None:
        return None
    body = envelope(target.delivery)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "rm-graphql-webhooks/1",
        EVENT_HEADER: target.delivery.event,
        DELIVERY_HEADER: str(delivery_id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(open_secret(box, target.secret_encrypted), timestamp, body),
    }
    return DeliveryRequest(delivery_id, target.url, headers, body, target.enabled)


@dataclass(frozen=True)
class AttemptOutcome:
    status_code: int | None
    error: str | None
    duration_ms: int
    # Final: trying again cannot help (the endpoint was disabled).
    final: bool = False

    @property
    def accepted(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


ENDPOINT_DISABLED = AttemptOutcome(None, "the endpoint was disabled", 0, final=True)


async def attempt(http: httpx.AsyncClient, request: DeliveryRequest) -> AttemptOutcome:
    """One POST (none to a disabled endpoint); any 2xx accepts it; redirects are not followed."""
    if not request.endpoint_enabled:
        return ENDPOINT_DISABLED
    started = time.perf_counter()
    try:
        response = await http.post(
            request.url, content=request.body, headers=request.headers, follow_redirects=False
        )
    except httpx.HTTPError as error:
        elapsed = int((time.perf_counter() - started) * 1000)
        return AttemptOutcome(None, f"{type(error).__name__}: {error}"[:ERROR_LIMIT], elapsed)
    elapsed = int((time.perf_counter() - started) * 1000)
    rejection = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return AttemptOutcome(response.status_code, rejection, elapsed)


def _next_state(outcome: AttemptOutcome, retry_at: datetime | None) -> dict[str, Any]:
    if outcome.accepted:
        return {
            "status": DeliveryStatus.SUCCEEDED,
            "next_attempt_at": None,
            "finished_at": utcnow(),
        }
    if retry_at is None or outcome.final:
        return {"status": DeliveryStatus.FAILED, "next_attempt_at": None, "finished_at": utcnow()}
    return {"status": DeliveryStatus.PENDING, "next_attempt_at": retry_at}


async def record_attempt(
    session: AsyncSession, delivery_id: int, outcome: AttemptOutcome, retry_at: datetime | None
) -> DeliveryStatus | None:
    """Log the attempt; the delivery SUCCEEDS, waits for `retry_at`, or (no retry left) FAILS.

    Returns the new status, or None when the delivery was no longer PENDING (a duplicate job).
    """
    state = _next_state(outcome, retry_at)
    changes = {"last_status_code": outcome.status_code, "last_error": outcome.error, **state}
    counted = await repository.count_attempt(session, delivery_id, changes)
    if counted is None:
        return None
    tenant_id, number = counted
    await repository.add_attempt(
        session,
        WebhookDeliveryAttempt(
            tenant_id=tenant_id,
            delivery_id=delivery_id,
            number=number,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
            at=utcnow(),
        ),
    )
    status: DeliveryStatus = state["status"]
    return status


async def retry_delivery(
    session: AsyncSession, queue: JobQueue, tenant_id: int, delivery_id: int
) -> WebhookDelivery | None:
    """An admin sends a FAILED delivery again: a fresh series of tries, after commit."""
    delivery = await repository.tenant_delivery(session, tenant_id, delivery_id)
    if delivery is None or delivery.status is not DeliveryStatus.FAILED:
        return None
    delivery.status = DeliveryStatus.PENDING
    delivery.finished_at = None
    delivery.next_attempt_at = None
    queue.defer_deliveries_after_commit(session, [delivery.id])
    return delivery
