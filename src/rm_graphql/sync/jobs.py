"""The run_sync job handler: a thin function over the sync runs service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.config import load_settings
from rm_graphql.jobs.queue import JobQueue
from rm_graphql.jobs.registry import RUN_SYNC, default_registry
from rm_graphql.sync.runs import execute_queued_run
from rm_graphql.sync.schedule import queue_scheduled_syncs


@default_registry.run_handler(RUN_SYNC)
async def run_sync(session: AsyncSession, run_id: int) -> None:
    """Fetch from the run's connection, then apply inside the job's one transaction."""
    await execute_queued_run(session, run_id, load_settings())


@default_registry.periodic_check("scheduled_syncs", cron="* * * * *")
async def scheduled_syncs(session: AsyncSession, queue: JobQueue, at: datetime) -> None:
    """Every minute, once across all workers: start the syncs whose schedule fires now."""
    await queue_scheduled_syncs(session, queue, at)
