"""The webhooks service on the real database: subscriptions, the attempt log, admin retry."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.config import load_settings
from rm_graphql.config import load_settings as _load_settings
from rm_graphql.db import Database
from rm_graphql.jobs import outbox
from rm_graphql.jobs.app import build_app
from rm_graphql.jobs.config import load_jobs_settings
from rm_graphql.jobs.queue import JobQueue
from rm_graphql.jobs.registry import TaskRegistry
from rm_graphql.models import DeliveryStatus, Tenant
from rm_graphql.models.base import utcnow
from rm_graphql.security import secret_box
from rm_graphql.webhooks import repository
from rm_graphql.webhooks import service as webhooks

# The key the app and its workers derive from the (development) settings.
BOX = secret_box(_load_settings())

SECRET = "whsec-test-0123456789abcdef"


@pytest.fixture
async def queue(database: Database) -> AsyncIterator[JobQueue]:
    """A real (in-memory) job queue; these tests never commit, so nothing is deferred."""
    settings = load_settings(database_url="sqlite+aiosqlite:///:memory:")
    app = build_app(settings, load_jobs_settings(), TaskRegistry())
    async with app.open_async():
        yield JobQueue(app, database, load_jobs_settings(), TaskRegistry(), secrets=BOX)


async def new_tenant(session: AsyncSession) -> Tenant:
    tenant = Tenant(slug=f"w-{uuid.uuid4().hex[:8]}", name="Webhook tenant")
    session.add(tenant)
    await session.flush()
    return tenant


async def test_an_event_reaches_only_enabled_subscribed_endpoints(
    session: AsyncSession, queue: JobQueue
) -> None:
    tenant, other = await new_tenant(session), await new_tenant(session)
    url = "https://hr.example.test/hooks"
    wanted = await webhooks.create_endpoint(
        session, tenant.id, BOX, url, SECRET, ["pair.published"]
    )
    everything = await webhooks.create_endpoint(session, tenant.id, BOX, url, SECRET, ["*"])
    await webhooks.create_endpoint(session, tenant.id, BOX, url, SECRET, ["session.logged"])
    disabled = await webhooks.create_endpoint(session, tenant.id, BOX, url, SECRET, ["*"])
    disabled.enabled = False
    await webhooks.create_endpoint(session, other.id, BOX, url, SECRET, ["*"])
    deliveries = await webhooks.enqueue_event(
        session, queue, tenant.id, "pair.published", {"pair_id": 7}
    )
    assert sorted(d.endpoint_id for d in deliveries) == sorted([wanted.id, everything.id])
    assert {(d.status, d.attempts, d.tenant_id) for d in deliveries} == {
        (DeliveryStatus.PENDING, 0, tenant.id)
    }
    assert outbox.pending_count(session) == 1  # one batch, deferred only after commit


async def test_prepared_request_is_signed_and_stable(
    session: AsyncSession, queue: JobQueue
) -> None:
    tenant = await new_tenant(session)
    url = "https://hr.example.test/hooks"
    await webhooks.create_endpoint(session, tenant.id, BOX, url, SECRET, ["*"])
    [delivery] = await webhooks.enqueue_event(session, queue, tenant.id, "pair.published", {"a": 1})
    first = await webhooks.prepare(session, delivery.id, BOX)
    second = await webhooks.prepare(session, delivery.id, BOX)
    assert first is not None
    assert second is not None
    assert first.url == url
    assert first.body == second.body
    assert json.loads(first.body) == {
        "id": delivery.id,
        "event": "pair.published",
        "created_at": delivery.created_at.isoformat(),
        "data": {"a": 1},
    }
    headers = first.headers
    assert headers["X-RM-Event"] == "pair.published"
    assert headers["X-RM-Delivery"] == str(delivery.id)
    assert webhooks.verify_signature(
        SECRET, headers["X-RM-Timestamp"], first.body, headers["X-RM-Signature"]
    )


async def test_attempts_are_logged_until_success_or_no_retry_is_left(
    session: AsyncSession, queue: JobQueue
) -> None:
    tenant = await new_tenant(session)
    url = "https://hr.example.test/hooks"
    await webhooks.create_endpoint(session, tenant.id, BOX, url, SECRET, ["*"])
    [ok, failing] = [
        (await webhooks.enqueue_event(session, queue, tenant.id, "x", {}))[0] for _ in range(2)
    ]
    later = utcnow() + timedelta(seconds=4)
    rejected = webhooks.AttemptOutcome(status_code=500, error="HTTP 500", duration_ms=3)
    accepted = webhooks.AttemptOutcome(status_code=204, error=None, duration_ms=2)
    assert await webhooks.record_attempt(session, ok.id, rejected, later) is DeliveryStatus.PENDING
    await session.refresh(ok)
    assert (ok.attempts, ok.next_attempt_at, ok.last_error) == (1, later, "HTTP 500")
    assert await webhooks.record_attempt(session, ok.id, accepted, None) is DeliveryStatus.SUCCEEDED
    await session.refresh(ok)
    assert (ok.status, ok.attempts, ok.last_error, ok.next_attempt_at) == (
        DeliveryStatus.SUCCEEDED,
        2,
        None,
        None,
    )
    assert ok.finished_at is not None
    assert await webhooks.prepare(session, ok.id, BOX) is None  # nothing left to send
    assert await webhooks.record_attempt(session, ok.id, accepted, None) is None  # a duplicate
    assert (
        await webhooks.record_attempt(session, failing.id, rejected, None) is DeliveryStatus.FAILED
    )
    await session.refresh(failing)
    assert (failing.status, failing.next_attempt_at) == (DeliveryStatus.FAILED, None)
    log = await repository.attempts_of(session, tenant.id, ok.id)
    assert [(a.number, a.status_code, a.error) for a in log] == [
        (1, 500, "HTTP 500"),
        (2, 204, None),
    ]


async def test_admin_retry_reopens_only_failed_deliveries_of_the_tenant(
    session: AsyncSession, queue: JobQueue
) -> None:
    tenant, other = await new_tenant(session), await new_tenant(session)
    await webhooks.create_endpoint(
        session, tenant.id, BOX, "https://a.example.test/", SECRET, ["*"]
    )
    [delivery] = await webhooks.enqueue_event(session, queue, tenant.id, "x", {})
    assert await webhooks.retry_delivery(session, queue, tenant.id, delivery.id) is None
    failed = webhooks.AttemptOutcome(status_code=None, error="ConnectError: refused", duration_ms=1)
    await webhooks.record_attempt(session, delivery.id, failed, None)
    await session.refresh(delivery)
    assert await webhooks.retry_delivery(session, queue, other.id, delivery.id) is None
    reopened = await webhooks.retry_delivery(session, queue, tenant.id, delivery.id)
    assert reopened is delivery
    assert (delivery.status, delivery.finished_at) == (DeliveryStatus.PENDING, None)


async def test_disabled_endpoint_fails_its_pending_delivery_without_sending(
    session: AsyncSession, queue: JobQueue
) -> None:
    tenant = await new_tenant(session)
    endpoint = await webhooks.create_endpoint(
        session, tenant.id, BOX, "https://a.example.test/", SECRET, ["*"]
    )
    [delivery] = await webhooks.enqueue_event(session, queue, tenant.id, "x", {})
    endpoint.enabled = False
    await session.flush()
    request = await webhooks.prepare(session, delivery.id, BOX)
    assert request is not None
    assert not request.endpoint_enabled
    async with httpx.AsyncClient() as http:  # never used: nothing is sent
        outcome = await webhooks.attempt(http, request)
    assert outcome is webhooks.ENDPOINT_DISABLED
    later = utcnow() + timedelta(seconds=4)
    assert await webhooks.record_attempt(session, delivery.id, outcome, later) is (
        DeliveryStatus.FAILED
    )
    await session.refresh(delivery)
    assert delivery.last_error == "the endpoint was disabled"


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("ftp://a.example.test/", SECRET),
        ("/relative/path", SECRET),
        ("https://a.example.test/", "short"),
    ],
)
async def test_bad_endpoints_are_refused(session: AsyncSession, url: str, secret: str) -> None:
    tenant = await new_tenant(session)
    with pytest.raises(webhooks.WebhookError):
        await webhooks.create_endpoint(session, tenant.id, BOX, url, secret, ["*"])
