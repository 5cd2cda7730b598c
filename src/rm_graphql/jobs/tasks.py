"""The thin tasks: each opens the job's transaction and calls a service; arguments are ids."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from procrastinate import App, JobContext, RetryStrategy, exceptions
from procrastinate.jobs import Job, Status
from procrastinate.manager import JobManager
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.ids import global_id
from rm_graphql.jobs import runs, sweep
from rm_graphql.jobs.config import FAST_QUEUE, PERIODIC_QUEUE, SLOW_QUEUE, JobsSettings
from rm_graphql.jobs.metrics import WEBHOOK_ATTEMPTS
from rm_graphql.jobs.queue import DELIVER_WEBHOOK, JobQueue
from rm_graphql.jobs.registry import RUN_MATCHING, RUN_SYNC, RegistryError, TaskRegistry
from rm_graphql.jobs.runs import RunKind
from rm_graphql.models import MatchingRun, SyncRun
from rm_graphql.webhooks import service as webhooks

logger = logging.getLogger(__name__)

SWEEP_ORPHANS = "sweep_orphans"
RECOVER_STALLED = "recover_stalled_jobs"
PERIODIC_CHECK = "periodic_check"
REMOVE_OLD_JOBS = "remove_old_jobs"


class NoHandler(Exception):
    """No room registered a handler for this run task."""


def queue_of(context: JobContext) -> JobQueue:
    """The JobQueue the worker put into every job's context."""
    queue = context.additional_context.get("jobs")
    if not isinstance(queue, JobQueue):
        raise RuntimeError("this worker was started without a JobQueue in its context")
    return queue


async def execute_run(queue: JobQueue, kind: RunKind, run_id: int) -> None:
    """Claim the run, run its handler in one transaction, and record success or the error."""
    database = queue.database
    async with database.transaction() as session:
        if not await runs.claim(session, kind, run_id):
            return  # finished already: a duplicate or re-deferred job has nothing to do
    handler = queue.registry.handler_for(kind.task)
    try:
        if handler is None:
            raise NoHandler(f"no handler is registered for {kind.task}")
        async with database.transaction() as session:
            await handler(session, run_id)
            await runs.finish(session, kind, run_id)
            await _announce(session, queue, kind, run_id)
    except Exception as error:
        async with database.transaction() as session:
            await runs.fail(session, kind, run_id, f"{type(error).__name__}: {error}")
            await _announce(session, queue, kind, run_id)
        raise


async def _announce(session: AsyncSession, queue: JobQueue, kind: RunKind, run_id: int) -> None:
    """Tell subscribed host systems that a run ended (`matching.completed`, `sync.completed`)."""
    run = await session.get(kind.model, run_id)
    if not isinstance(run, MatchingRun | SyncRun):
        return
    type_name = "MatchingRun" if kind is runs.MATCHING else "SyncRun"
    payload = {"runId": global_id(type_name, run.id), "status": run.status.value}
    if isinstance(run, MatchingRun):
        payload["programId"] = global_id("Program", run.program_id)
    elif run.connection_id is not None:
        payload["connectionId"] = global_id("HrisConnection", run.connection_id)
    await webhooks.enqueue_event(
        session, queue, run.tenant_id, f"{kind.lock_prefix}.completed", payload
    )


async def run_matching(context: JobContext, run_id: int) -> None:
    """A matching run (at most one queued and one running per program)."""
    await execute_run(queue_of(context), runs.MATCHING, run_id)


async def run_sync(context: JobContext, run_id: int) -> None:
    """An HRIS sync run (at most one queued and one running per connection)."""
    await execute_run(queue_of(context), runs.SYNC, run_id)


def _retry_at(context: JobContext, failure: webhooks.DeliveryFailed) -> datetime | None:
    """When Procrastinate will try again, by the task's own retry strategy; None if never."""
    strategy = context.task.retry_strategy if context.task else None
    if strategy is None:
        return None
    decision = strategy.get_retry_decision(exception=failure, job=context.job)
    if decision is None:
        return None
    return decision.retry_at or datetime.now(UTC)


async def deliver_webhook(context: JobContext, delivery_id: int) -> None:
    """One attempt: sign and POST outside any transaction, then log it; raise to retry."""
    queue = queue_of(context)
    async with queue.database.transaction() as session:
        request = await webhooks.prepare(session, delivery_id, queue.secrets)
    if request is None:
        return
    outcome = await webhooks.attempt(queue.http, request)
    failure = None if outcome.accepted else webhooks.DeliveryFailed(outcome.error)
    retry_at = None if failure is None or outcome.final else _retry_at(context, failure)
    async with queue.database.transaction() as session:
        status = await webhooks.record_attempt(session, delivery_id, outcome, retry_at)
    WEBHOOK_ATTEMPTS.labels(outcome=_attempt_label(outcome)).inc()
    if failure is not None and status is not None and not outcome.final:
        raise failure  # Procrastinate retries it with backoff, or ends the job failed


def _attempt_label(outcome: webhooks.AttemptOutcome) -> str:
    if outcome.accepted:
        return "accepted"
    return "error" if outcome.status_code is None else "rejected"


async def sweep_orphans(context: JobContext, timestamp: int) -> None:
    """Periodic: defer runs and deliveries whose job was never deferred (crash after commit)."""
    queue = queue_of(context)
    await sweep.sweep_orphans(queue, grace_seconds=queue.settings.jobs_orphan_grace_seconds)


async def recover_stalled_jobs(context: JobContext, timestamp: int) -> None:
    """Periodic: jobs of workers that stopped heartbeating (killed, lost) go back to the queue."""
    stalled_seconds = queue_of(context).settings.jobs_stalled_seconds
    await requeue_stalled_jobs(context.app.job_manager, stalled_seconds)


async def requeue_stalled_jobs(manager: JobManager, stalled_seconds: float) -> int:
    """Put every running job whose worker is silent for `stalled_seconds` back in its queue."""
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds))
    for job in stalled:
        await _requeue_stalled(manager, job)
    return len(stalled)


async def _requeue_stalled(manager: JobManager, job: Job) -> None:
    """Retry one stalled job; if a newer job holds its queueing lock, drop the stale one."""
    logger.warning("retrying stalled job %s (%s)", job.id, job.task_name)
    try:
        await manager.retry_job(job)
    except exceptions.UniqueViolation:
        # A newer tick or run is already queued under the same queueing lock; the orphan
        # sweep defers this job's run row again once that lock is free.
        await manager.finish_job(job, status=Status.ABORTED, delete_job=False)


async def remove_old_jobs(context: JobContext, timestamp: int) -> None:
    """Periodic: forget finished jobs after the retention period (domain rows keep the story)."""
    hours = queue_of(context).settings.jobs_retention_hours
    await context.app.job_manager.delete_old_jobs(
        nb_hours=hours, include_failed=True, include_cancelled=True, include_aborted=True
    )


async def periodic_check(context: JobContext, timestamp: int, check: str) -> None:
    """Periodic: one registered check, in one transaction, once per tick across all workers."""
    queue = queue_of(context)
    registered = queue.registry.check(check)
    if registered is None:
        raise RegistryError(f"no periodic check named {check!r} is registered in this worker")
    at = datetime.fromtimestamp(timestamp, UTC)
    async with queue.database.transaction() as session:
        await registered.handler(session, queue, at)


def webhook_retry(settings: JobsSettings) -> RetryStrategy | bool:
    """Exponential backoff: waits of backoff**1, backoff**2, ... seconds, then FAILED."""
    if settings.webhook_max_retries == 0:
        return False  # Procrastinate reads max_attempts=0 as "no limit"
    return RetryStrategy(
        max_attempts=settings.webhook_max_retries,
        exponential_wait=settings.webhook_backoff_seconds,
        retry_exceptions=[webhooks.DeliveryFailed],
    )


def register_tasks(app: App, settings: JobsSettings, registry: TaskRegistry) -> None:
    """Put every task, and the periodic schedule, on a fresh Procrastinate app."""
    app.task(name=RUN_MATCHING, queue=SLOW_QUEUE, pass_context=True)(run_matching)
    app.task(name=RUN_SYNC, queue=SLOW_QUEUE, pass_context=True)(run_sync)
    app.task(
        name=DELIVER_WEBHOOK, queue=FAST_QUEUE, pass_context=True, retry=webhook_retry(settings)
    )(deliver_webhook)
    _register_periodic(app, settings, registry)


def _register_periodic(app: App, settings: JobsSettings, registry: TaskRegistry) -> None:
    sweep_task = app.task(name=SWEEP_ORPHANS, queue=PERIODIC_QUEUE, pass_context=True)(
        sweep_orphans
    )
    app.periodic(cron=settings.jobs_sweep_cron, periodic_id="sweep", queueing_lock="sweep")(
        sweep_task
    )
    stalled_task = app.task(name=RECOVER_STALLED, queue=PERIODIC_QUEUE, pass_context=True)(
        recover_stalled_jobs
    )
    app.periodic(cron=settings.jobs_stalled_cron, periodic_id="stalled", queueing_lock="stalled")(
        stalled_task
    )
    cleanup_task = app.task(name=REMOVE_OLD_JOBS, queue=PERIODIC_QUEUE, pass_context=True)(
        remove_old_jobs
    )
    app.periodic(cron=settings.jobs_cleanup_cron, periodic_id="cleanup", queueing_lock="cleanup")(
        cleanup_task
    )
    check_task = app.task(name=PERIODIC_CHECK, queue=PERIODIC_QUEUE, pass_context=True)(
        periodic_check
    )
    for check in registry.checks:
        app.periodic(
            cron=check.cron,
            periodic_id=check.name,
            lock=f"check-{check.name}",
            queueing_lock=f"check-{check.name}",
            task_kwargs={"check": check.name},
        )(check_task)
