"""Webhook deliveries through the job layer to a real receiver: retries, backoff, the log."""

from __future__ import annotations

from datetime import UTC, datetime

from procrastinate import RetryStrategy
from procrastinate.jobs import Job

from rm_graphql.config import Settings
from rm_graphql.config import load_settings as _load_settings
from rm_graphql.db import Database
from rm_graphql.jobs.config import JobsSettings
from rm_graphql.jobs.tasks import webhook_retry
from rm_graphql.jobs.worker import embedded_worker, open_queue
from rm_graphql.models import DeliveryStatus, WebhookDelivery, WebhookDeliveryAttempt
from rm_graphql.security import secret_box
from rm_graphql.webhooks import repository
from rm_graphql.webhooks import service as webhooks

from . import handlers
from .conftest import fast_settings
from .receiver import closed_port_url, running_receiver
from .support import create_tenant, wait_until

# The key the app and its workers derive from the (development) settings.
BOX = secret_box(_load_settings())

SECRET = "whsec-test-0123456789abcdef"
EVENT = "pair.published"


async def deliver_one(
    database: Database, settings: Settings, jobs_settings: JobsSettings, url: str
) -> WebhookDelivery:
    """Subscribe `url`, raise one event, and wait until its delivery is finished."""
    async with embedded_worker(
        settings, database, jobs_settings=jobs_settings, registry=handlers.registry
    ) as queue:
        async with database.transaction() as session:
            tenant = await create_tenant(session)
            await webhooks.create_endpoint(session, tenant.id, BOX, url, SECRET, [EVENT])
            [delivery] = await webhooks.enqueue_event(
                session, queue, tenant.id, EVENT, {"pair_id": 7}
            )
        await wait_until(lambda: is_finished(database, delivery.id))
    return await load(database, delivery.id)


async def load(database: Database, delivery_id: int) -> WebhookDelivery:
    async with database.transaction(readonly=True) as session:
        return await session.get_one(WebhookDelivery, delivery_id)


async def is_finished(database: Database, delivery_id: int) -> bool:
    return (await load(database, delivery_id)).status is not DeliveryStatus.PENDING


async def attempts(database: Database, delivery: WebhookDelivery) -> list[WebhookDeliveryAttempt]:
    async with database.transaction(readonly=True) as session:
        return await repository.attempts_of(session, delivery.tenant_id, delivery.id)


async def test_receiver_failing_twice_gets_exactly_one_accepted_delivery(
    app_settings: Settings, jobs_database: Database
) -> None:
    with running_receiver(SECRET, script=[500, 503]) as receiver:
        delivery = await deliver_one(jobs_database, app_settings, fast_settings(), receiver.url)
    assert delivery.status is DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 3
    assert delivery.last_status_code == 200
    log = await attempts(jobs_database, delivery)
    assert [(a.number, a.status_code) for a in log] == [(1, 500), (2, 503), (3, 200)]
    assert [a.error for a in log] == ["HTTP 500", "HTTP 503", None]
    assert [r.answered for r in receiver.received] == [500, 503, 200]
    assert all(r.signature_ok for r in receiver.received)
    assert {r.headers["x-rm-delivery"] for r in receiver.received} == {str(delivery.id)}
    assert {r.headers["x-rm-event"] for r in receiver.received} == {EVENT}
    assert len({r.body for r in receiver.received}) == 1  # the same bytes on every try
    gaps = [b.at - a.at for a, b in zip(receiver.received, receiver.received[1:], strict=False)]
    assert all(gap >= 0.9 for gap in gaps), gaps  # backoff of 1**n seconds between tries


async def test_delivery_that_always_fails_ends_failed_and_an_admin_can_retry_it(
    app_settings: Settings, jobs_database: Database
) -> None:
    with running_receiver(SECRET, script=[], then=500) as receiver:
        delivery = await deliver_one(jobs_database, app_settings, fast_settings(), receiver.url)
        assert delivery.status is DeliveryStatus.FAILED
        assert delivery.attempts == 3
        assert delivery.last_error == "HTTP 500"
        assert delivery.next_attempt_at is None
        assert delivery.finished_at is not None
        assert [a.status_code for a in await attempts(jobs_database, delivery)] == [500] * 3
        receiver.then = 204
        async with embedded_worker(
            app_settings, jobs_database, jobs_settings=fast_settings(), registry=handlers.registry
        ) as queue:
            async with jobs_database.transaction() as session:
                retried = await webhooks.retry_delivery(
                    session, queue, delivery.tenant_id, delivery.id
                )
                assert retried is not None
                assert retried.status is DeliveryStatus.PENDING
            await wait_until(lambda: is_finished(jobs_database, delivery.id))
    again = await load(jobs_database, delivery.id)
    assert again.status is DeliveryStatus.SUCCEEDED
    assert again.attempts == 4
    assert [a.status_code for a in await attempts(jobs_database, again)] == [500, 500, 500, 204]


async def test_unreachable_endpoint_records_the_connection_error(
    app_settings: Settings, jobs_database: Database
) -> None:
    settings = fast_settings(webhook_max_retries=0)
    delivery = await deliver_one(jobs_database, app_settings, settings, closed_port_url())
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.attempts == 1
    [attempt] = await attempts(jobs_database, delivery)
    assert attempt.status_code is None
    assert attempt.error is not None
    assert attempt.error.startswith("ConnectError")


async def test_sqlite_restart_delivers_a_pending_delivery(
    sqlite_settings: Settings, sqlite_database: Database
) -> None:
    with running_receiver(SECRET, script=[]) as receiver:
        async with (
            open_queue(
                sqlite_settings,
                sqlite_database,
                jobs_settings=fast_settings(),
                registry=handlers.registry,
            ) as queue,
            sqlite_database.transaction() as session,
        ):
            tenant = await create_tenant(session)
            await webhooks.create_endpoint(session, tenant.id, BOX, receiver.url, SECRET, ["*"])
            [delivery] = await webhooks.enqueue_event(session, queue, tenant.id, EVENT, {})
        # That process ended before any worker ran: the job was lost with its memory.
        assert (await load(sqlite_database, delivery.id)).status is DeliveryStatus.PENDING
        async with embedded_worker(
            sqlite_settings,
            sqlite_database,
            jobs_settings=fast_settings(),
            registry=handlers.registry,
        ):
            await wait_until(lambda: is_finished(sqlite_database, delivery.id))
    assert (await load(sqlite_database, delivery.id)).status is DeliveryStatus.SUCCEEDED
    assert len(receiver.received) == 1


def test_backoff_is_exponential_and_bounded() -> None:
    strategy = webhook_retry(fast_settings(webhook_max_retries=3, webhook_backoff_seconds=4))
    assert isinstance(strategy, RetryStrategy)
    failure = webhooks.DeliveryFailed("HTTP 500")
    waits = []
    for previous_attempts in range(5):
        job = Job(
            id=1,
            queue="fast",
            lock=None,
            queueing_lock=None,
            task_name="deliver_webhook",
            attempts=previous_attempts,
        )
        decision = strategy.get_retry_decision(exception=failure, job=job)
        now = datetime.now(UTC)
        waits.append(None if decision is None else round((decision.retry_at - now).total_seconds()))
    assert waits == [4, 16, 64, None, None]


def test_no_retries_means_one_try() -> None:
    assert webhook_retry(fast_settings(webhook_max_retries=0)) is False
