"""Real handlers for the tests, in registries a worker process loads with --registry.

Each records what it did as rows (audit events, employees), so tests read real outcomes.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.jobs.queue import JobQueue
from rm_graphql.jobs.registry import RUN_MATCHING, RUN_SYNC, TaskRegistry
from rm_graphql.models import AuditEvent, Employee, MatchingRun, SyncRun, Tenant

PEOPLE = 20
PAUSE_PER_PERSON = 0.15
SLOW_SOURCE = "slow-test"  # runs from this source pause between people, so a test can kill them
PERIODIC_TENANT = "periodic-check"
PERIODIC_CRON = "* * * * * */2"


async def record_matching(session: AsyncSession, run_id: int) -> None:
    """Stand-in for the solver: holds the program for a while and records that it ran."""
    run = await session.get_one(MatchingRun, run_id)
    started = time.time()
    await asyncio.sleep(float(run.config_snapshot.get("sleep", 0)))
    session.add(
        AuditEvent(
            tenant_id=run.tenant_id,
            actor=f"pid:{os.getpid()}",
            action="matching.ran",
            target_type="matching_run",
            target_id=str(run_id),
            details={"program_id": run.program_id, "started": started, "finished": time.time()},
        )
    )
    run.objective_value = 1.0


async def import_people(session: AsyncSession, run_id: int) -> None:
    """Stand-in for an HRIS sync: upserts a fixed roster (slowly, for the slow source)."""
    run = await session.get_one(SyncRun, run_id)
    pause = PAUSE_PER_PERSON if run.source == SLOW_SOURCE else 0.0
    created = unchanged = 0
    for number in range(PEOPLE):
        external_id = f"e{number:03d}"
        query = select(Employee).where(
            Employee.tenant_id == run.tenant_id,
            Employee.source == run.source,
            Employee.external_id == external_id,
        )
        if (await session.execute(query)).scalar_one_or_none() is None:
            session.add(
                Employee(
                    tenant_id=run.tenant_id,
                    source=run.source,
                    external_id=external_id,
                    display_name=f"Person {number}",
                )
            )
            await session.flush()
            created += 1
        else:
            unchanged += 1
        await asyncio.sleep(pause)
    run.created_count = created
    run.unchanged_count = unchanged


async def record_tick(session: AsyncSession, _queue: JobQueue, at: datetime) -> None:
    """A periodic check that writes one row per tick it ran for."""
    query = select(Tenant).where(Tenant.slug == PERIODIC_TENANT)
    tenant = (await session.execute(query)).scalar_one_or_none()
    if tenant is None:
        return
    session.add(
        AuditEvent(
            tenant_id=tenant.id,
            actor=f"pid:{os.getpid()}",
            action="periodic.tick",
            target_type="check",
            target_id=str(int(at.timestamp())),
        )
    )


def build_registry(*, with_periodic_check: bool = False) -> TaskRegistry:
    built = TaskRegistry()
    built.run_handler(RUN_MATCHING)(record_matching)
    built.run_handler(RUN_SYNC)(import_people)
    if with_periodic_check:
        built.periodic_check("record-tick", PERIODIC_CRON)(record_tick)
    return built


registry = build_registry()
periodic_registry = build_registry(with_periodic_check=True)
