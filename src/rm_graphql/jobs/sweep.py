"""Nothing lost: defer again every run or delivery row that should have a job but has none."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from rm_graphql.jobs import runs
from rm_graphql.jobs.queue import DELIVER_WEBHOOK, JobQueue
from rm_graphql.models.base import utcnow
from rm_graphql.webhooks import repository as webhook_repository

logger = logging.getLogger(__name__)


async def sweep_orphans(queue: JobQueue, grace_seconds: float | None) -> int:
    """Defer orphans; rows touched within the grace period are skipped (their defer may be due).

    With no grace (start-up on SQLite, where the queue lived in memory) every unfinished row
    is an orphan. Rows are read before jobs, so a race only adds a job that finds nothing to do.
    """
    cutoff = None if grace_seconds is None else utcnow() - timedelta(seconds=grace_seconds)
    requeued = await _sweep_runs(queue, cutoff) + await _sweep_deliveries(queue, cutoff)
    if requeued:
        logger.warning("orphan sweep deferred %d job(s) again", requeued)
    return requeued


async def _sweep_runs(queue: JobQueue, cutoff: datetime | None) -> int:
    requeued = 0
    for kind in runs.RUN_KINDS.values():
        async with queue.database.transaction(readonly=True) as session:
            refs = await runs.unfinished(session, kind, cutoff)
        if not refs:
            continue
        live = await queue.live_job_ids(kind.task, "run_id")
        for ref in refs:
            if ref.run_id not in live:
                await queue.defer_run(ref)
                requeued += 1
    return requeued


async def _sweep_deliveries(queue: JobQueue, cutoff: datetime | None) -> int:
    async with queue.database.transaction(readonly=True) as session:
        pending = await webhook_repository.pending_deliveries(session, cutoff)
    if not pending:
        return 0
    live = await queue.live_job_ids(DELIVER_WEBHOOK, "delivery_id")
    now = utcnow()
    orphans = [(id_, at) for id_, at in pending if id_ not in live]
    due_now = [id_ for id_, at in orphans if at is None or at <= now]
    await queue.defer_deliveries(due_now)
    for id_, at in orphans:
        if at is not None and at > now:
            await queue.defer_deliveries([id_], at=at)
    return len(orphans)
