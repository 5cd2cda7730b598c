"""kill -9 of a worker in the middle of a sync: the job is retried elsewhere, nothing is lost."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from procrastinate.jobs import Status
from sqlalchemy import select

from rm_graphql.config import Settings
from rm_graphql.db import Database
from rm_graphql.jobs.config import SLOW_QUEUE
from rm_graphql.jobs.registry import RUN_SYNC
from rm_graphql.jobs.runs import RunRef
from rm_graphql.jobs.tasks import requeue_stalled_jobs
from rm_graphql.jobs.worker import open_queue
from rm_graphql.models import Employee, SyncRun, Tenant
from rm_graphql.models.enums import RunStatus

from . import handlers
from .conftest import fast_settings
from .processes import Workers, registered_workers, worker_pool
from .support import (
    create_connection,
    create_sync_run,
    create_tenant,
    wait_until,
)

pytestmark = pytest.mark.slow


async def load_run(database: Database, run_id: int) -> SyncRun:
    async with database.transaction(readonly=True) as session:
        return await session.get_one(SyncRun, run_id)


async def start_sync(settings: Settings, database: Database) -> tuple[Tenant, SyncRun]:
    """Write a tenant and a queued sync run, and defer its job once that commits."""
    async with (
        open_queue(
            settings, database, jobs_settings=fast_settings(), registry=handlers.registry
        ) as queue,
        database.transaction() as session,
    ):
        tenant = await create_tenant(session)
        run = await create_sync_run(session, tenant, source=handlers.SLOW_SOURCE)
        await queue.defer_run_after_commit(session, run)
    return tenant, run


async def wait_for_status(database: Database, run_id: int, status: RunStatus) -> None:
    async def reached() -> bool:
        return (await load_run(database, run_id)).status is status

    await wait_until(reached, within=40)


async def end_state(database: Database, tenant: Tenant, run_id: int) -> dict[str, Any]:
    """What a sync leaves behind, without ids and times."""
    async with database.transaction(readonly=True) as session:
        query = (
            select(Employee).where(Employee.tenant_id == tenant.id).order_by(Employee.external_id)
        )
        people = [(e.external_id, e.display_name, e.status) for e in (await session.scalars(query))]
        run = await session.get_one(SyncRun, run_id)
    return {
        "people": people,
        "status": run.status,
        "created": run.created_count,
        "unchanged": run.unchanged_count,
        "error": run.error,
    }


def start_worker(workers: Workers, name: str, expected: int) -> int:
    pid = workers.spawn(name).pid
    deadline = time.monotonic() + 30
    while registered_workers(workers.database_url) < expected:
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.1)
    return pid


async def job_attempts(settings: Settings, database: Database, run_id: int) -> int:
    async with open_queue(settings, database, jobs_settings=fast_settings()) as queue:
        jobs = await queue.app.job_manager.list_jobs_async(task=RUN_SYNC)
    [job] = [job for job in jobs if job.task_kwargs["run_id"] == run_id]
    return job.attempts


async def test_killed_worker_job_is_retried_and_ends_like_a_clean_run(
    pg_url: str, pg_settings: Settings, pg_database: Database, tmp_path: Path
) -> None:
    with worker_pool(pg_url, tmp_path) as workers:
        doomed = start_worker(workers, "doomed", expected=1)
        tenant, run = await start_sync(pg_settings, pg_database)
        await wait_for_status(pg_database, run.id, RunStatus.RUNNING)
        await asyncio.sleep(handlers.PEOPLE * handlers.PAUSE_PER_PERSON / 3)  # a third through
        os.kill(doomed, signal.SIGKILL)
        interrupted = await end_state(pg_database, tenant, run.id)
        assert interrupted["status"] is RunStatus.RUNNING
        assert interrupted["people"] == []  # the killed job's transaction never committed
        workers.spawn("survivor")
        await wait_for_status(pg_database, run.id, RunStatus.SUCCEEDED)
        clean_tenant, clean_run = await start_sync(pg_settings, pg_database)
        await wait_for_status(pg_database, clean_run.id, RunStatus.SUCCEEDED)
    recovered = await end_state(pg_database, tenant, run.id)
    assert recovered == await end_state(pg_database, clean_tenant, clean_run.id)
    assert len(recovered["people"]) == handlers.PEOPLE
    assert await job_attempts(pg_settings, pg_database, run.id) == 2  # stalled, then retried
    assert await job_attempts(pg_settings, pg_database, clean_run.id) == 1


async def test_stalled_jobs_are_requeued_unless_a_newer_one_holds_the_queueing_lock(
    pg_settings: Settings, pg_database: Database
) -> None:
    async with pg_database.transaction() as session:
        tenant = await create_tenant(session)
        connection, other_connection = [await create_connection(session, tenant) for _ in "ab"]
        stale, newer = [await create_sync_run(session, tenant, connection) for _ in "ab"]
        lonely = await create_sync_run(session, tenant, other_connection)
    async with open_queue(pg_settings, pg_database, jobs_settings=fast_settings()) as queue:
        manager = queue.app.job_manager
        worker_id = await manager.register_worker()
        for run in (stale, lonely):
            await queue.defer_run(RunRef.of(run))
        # Only the run jobs: earlier workers in this module may have left periodic ones queued.
        taken = [
            await manager.fetch_job(queues=[SLOW_QUEUE], worker_id=worker_id) for _ in range(2)
        ]
        assert await queue.defer_run(RunRef.of(newer)) is not None  # `stale` runs: allowed
        await manager.unregister_worker(worker_id)  # the worker vanished mid-job
        assert await requeue_stalled_jobs(manager, stalled_seconds=2) == 2
        statuses = {
            job.task_kwargs["run_id"]: await manager.get_job_status_async(job.id)
            for job in taken
            if job is not None
        }
        assert statuses == {stale.id: Status.ABORTED, lonely.id: Status.TODO}
        assert await queue.live_job_ids(RUN_SYNC, "run_id") == {newer.id, lonely.id}
