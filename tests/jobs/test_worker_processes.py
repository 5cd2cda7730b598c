"""Separate worker processes on PostgreSQL: jobs cross processes, locks hold, periodics run once."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from rm_graphql.config import Settings
from rm_graphql.db import Database
from rm_graphql.jobs.registry import RUN_MATCHING
from rm_graphql.jobs.runs import MATCHING, RunRef
from rm_graphql.jobs.worker import open_queue
from rm_graphql.models import AuditEvent, Tenant
from rm_graphql.models.enums import RunStatus

from . import handlers
from .conftest import fast_settings
from .processes import registered_workers, worker_pool
from .support import (
    create_matching_run,
    create_program,
    create_tenant,
    finished,
    ran,
    run_status,
    wait_until,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def worker_pids(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[set[int]]:
    """Two worker processes, running the test handlers and a periodic check every 2 s."""
    with worker_pool(pg_url, tmp_path_factory.mktemp("workers")) as workers:
        registry = "tests.jobs.handlers:periodic_registry"
        pids = {workers.spawn(name, registry).pid for name in ("worker-1", "worker-2")}
        deadline = time.monotonic() + 30
        while registered_workers(pg_url) < 2:
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.1)
        yield pids


async def test_job_deferred_here_completes_in_a_worker_process(
    pg_settings: Settings, pg_database: Database, worker_pids: set[int]
) -> None:
    async with (
        open_queue(
            pg_settings, pg_database, jobs_settings=fast_settings(), registry=handlers.registry
        ) as queue,
        pg_database.transaction() as session,
    ):
        run = await create_matching_run(
            session, await create_program(session, await create_tenant(session))
        )
        await queue.defer_run_after_commit(session, run)
    await wait_until(finished(pg_database, run.id))
    assert (await run_status(pg_database, run.id)).status is RunStatus.SUCCEEDED
    [event] = await ran(pg_database, run.id)
    assert event.actor in {f"pid:{pid}" for pid in worker_pids}
    assert event.actor != f"pid:{os.getpid()}"


async def test_two_api_processes_and_two_workers_never_run_a_programs_matching_twice(
    pg_settings: Settings, pg_database: Database, worker_pids: set[int]
) -> None:
    """Duplicate defers of one run (two API processes, a sweep racing a request) run it once."""
    async with pg_database.transaction() as session:
        tenant = await create_tenant(session)
        program, other_program = [await create_program(session, tenant) for _ in range(2)]
        run = await create_matching_run(session, program, sleep=1.5)
        elsewhere = await create_matching_run(session, other_program, sleep=1.5)
    settings = fast_settings()
    async with (
        open_queue(pg_settings, pg_database, jobs_settings=settings) as api_1,
        open_queue(pg_settings, pg_database, jobs_settings=settings) as api_2,
    ):
        raced = await asyncio.gather(
            api_1.defer_run(RunRef.of(run)), api_2.defer_run(RunRef.of(run))
        )
        # The queueing lock turns the second into a no-op, unless a worker started the first job
        # in between: then a duplicate job waits behind the lock and finds the run finished.
        assert any(job_id is not None for job_id in raced)
        await api_2.defer_run(RunRef.of(elsewhere))

        async def running() -> bool:
            return (await run_status(pg_database, run.id)).status is RunStatus.RUNNING

        await wait_until(running)
        # Its job is running, so the queueing lock is free again: a second job gets queued and
        # the lock keeps it from starting until the first has finished the run. If the race
        # above already queued a duplicate, that one holds the queueing lock: the defer is a
        # no-op then, but never a dropped run.
        again = await api_1.defer_run(RunRef.of(run))
        waiting, _running = await api_1.lock_holders(MATCHING.lock(run.program_id))
        assert again is not None or run.id in waiting

        async def no_job_left() -> bool:
            return not await api_1.live_job_ids(RUN_MATCHING, "run_id") & {run.id, elsewhere.id}

        await wait_until(no_job_left)
    for each in (run, elsewhere):
        assert (await run_status(pg_database, each.id)).status is RunStatus.SUCCEEDED
    [ran_once] = await ran(pg_database, run.id)  # the queued duplicate found nothing to do
    [ran_elsewhere] = await ran(pg_database, elsewhere.id)
    assert ran_elsewhere.details["started"] < ran_once.details["finished"]  # other programs run
    assert {ran_once.actor, ran_elsewhere.actor} <= {f"pid:{pid}" for pid in worker_pids}


async def test_periodic_check_runs_once_per_tick_with_two_workers(
    pg_database: Database, worker_pids: set[int]
) -> None:
    async with pg_database.transaction() as session:
        tenant = Tenant(slug=handlers.PERIODIC_TENANT, name="Periodic check")
        session.add(tenant)
    await asyncio.sleep(7.5)
    async with pg_database.transaction(readonly=True) as session:
        query = select(AuditEvent.target_id).where(
            AuditEvent.tenant_id == tenant.id, AuditEvent.action == "periodic.tick"
        )
        ticks = [int(tick) for tick in (await session.execute(query)).scalars() if tick]
    assert len(ticks) == len(set(ticks)), "a tick ran twice"
    assert len(ticks) >= 3
    ordered = sorted(ticks)
    assert all(b - a == 2 for a, b in itertools.pairwise(ordered)), ordered


def test_worker_refuses_sqlite(tmp_path: Path) -> None:
    """A separate worker on SQLite could never see the serving process's in-memory queue."""
    env = {**os.environ, "RM_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = subprocess.run(
        [sys.executable, "-m", "rm_graphql.jobs.worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "needs PostgreSQL" in result.stderr
