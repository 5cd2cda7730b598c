"""Registers the matching run handler with the job layer (imported by every worker)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.jobs.queue import JobQueue
from rm_graphql.jobs.registry import RUN_MATCHING, default_registry
from rm_graphql.pairing import matching, monitoring


@default_registry.run_handler(RUN_MATCHING)
async def run_matching(session: AsyncSession, run_id: int) -> None:
    """Solve one program's matching inside the job's transaction."""
    await matching.execute(session, run_id)


@default_registry.periodic_check("idle_pairs", cron="7 * * * *")
async def idle_pairs(session: AsyncSession, queue: JobQueue, at: datetime) -> None:
    """Hourly, once across all workers: warn and conclude idle pairs."""
    await monitoring.check_idle_pairs(session, queue, at)
