"""Scheduled incremental syncs: each connection's cron, fired once across all workers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from croniter import croniter
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models.enums import SyncMode
from rm_graphql.sync import repository

if TYPE_CHECKING:
    from rm_graphql.jobs.queue import JobQueue

SCHEDULER = "schedule"


def valid_schedule(expression: str) -> bool:
    """A five-field cron expression croniter understands."""
    return len(expression.split()) == 5 and bool(croniter.is_valid(expression))


def due(expression: str, at: datetime) -> bool:
    """Whether the schedule fires in the minute of `at`."""
    return bool(croniter.match(expression, at.replace(second=0, microsecond=0)))


async def queue_scheduled_syncs(
    session: AsyncSession, queue: JobQueue | None, at: datetime
) -> list[int]:
    """Queue an incremental run for each connection due now that has no run queued or running."""
    from rm_graphql.sync.runs import queue_run

    queued = []
    for connection in await repository.scheduled_connections(session):
        cron = connection.schedule_cron or ""
        if not valid_schedule(cron) or not due(cron, at):
            continue
        if await repository.unfinished_run(session, connection.id) is not None:
            continue  # the previous run is still going: skip this tick rather than pile up
        defer = queue.defer_run_after_commit if queue is not None else None
        run = await queue_run(session, connection, SyncMode.INCREMENTAL, False, SCHEDULER, defer)
        queued.append(run.id)
    return queued
