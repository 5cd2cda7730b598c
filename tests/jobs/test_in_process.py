"""The job layer in one process: SQLite's embedded runner, and PostgreSQL's in-process worker."""

from __future__ import annotations

import os

import pytest
from prometheus_client import REGISTRY

from rm_graphql.config import Settings
from rm_graphql.db import Database
from rm_graphql.jobs import outbox, runs
from rm_graphql.jobs.metrics import refresh_queue_depth
from rm_graphql.jobs.registry import RUN_MATCHING, RUN_SYNC, TaskRegistry
from rm_graphql.jobs.sweep import sweep_orphans
from rm_graphql.jobs.worker import embedded_worker, open_queue
from rm_graphql.models import MatchingRun, SyncRun
from rm_graphql.models.enums import RunStatus

from . import handlers
from .conftest import fast_settings
from .support import (
    create_connection,
    create_matching_run,
    create_program,
    create_sync_run,
    create_tenant,
    finished,
    ran,
    run_status,
    wait_until,
)


async def test_run_deferred_after_commit_completes_in_process(
    app_settings: Settings, jobs_database: Database
) -> None:
    async with embedded_worker(
        app_settings, jobs_database, jobs_settings=fast_settings(), registry=handlers.registry
    ) as queue:
        async with jobs_database.transaction() as session:
            program = await create_program(session, await create_tenant(session))
            run = await create_matching_run(session, program)
            await queue.defer_run_after_commit(session, run)
            assert outbox.pending_count(session) == 1
        await wait_until(finished(jobs_database, run.id))
    done = await run_status(jobs_database, run.id)
    assert done.status is RunStatus.SUCCEEDED
    assert done.started_at is not None
    assert done.finished_at is not None
    assert done.objective_value == 1.0
    [event] = await ran(jobs_database, run.id)
    assert event.actor == f"pid:{os.getpid()}"


async def test_run_without_a_handler_fails_with_the_reason(
    app_settings: Settings, jobs_database: Database
) -> None:
    before = REGISTRY.get_sample_value("rm_jobs_total", {"task": RUN_MATCHING, "outcome": "failed"})
    async with embedded_worker(
        app_settings, jobs_database, jobs_settings=fast_settings(), registry=TaskRegistry()
    ) as queue:
        async with jobs_database.transaction() as session:
            program = await create_program(session, await create_tenant(session))
            run = await create_matching_run(session, program)
            await queue.defer_run_after_commit(session, run)
        await wait_until(finished(jobs_database, run.id))
    failed = await run_status(jobs_database, run.id)
    assert failed.status is RunStatus.FAILED
    assert failed.error == "NoHandler: no handler is registered for run_matching"
    after = REGISTRY.get_sample_value("rm_jobs_total", {"task": RUN_MATCHING, "outcome": "failed"})
    assert (after or 0) == (before or 0) + 1


async def test_rolled_back_transaction_defers_nothing(
    app_settings: Settings, jobs_database: Database
) -> None:
    calls: list[str] = []

    async def remember(label: str) -> None:
        calls.append(label)

    async def failing_request() -> None:
        async with jobs_database.transaction() as session:
            outbox.after_commit(session, lambda: remember("rolled back"))
            raise RuntimeError("the request failed")

    with pytest.raises(RuntimeError):
        await failing_request()
    async with jobs_database.transaction() as session:
        outbox.after_commit(session, lambda: remember("first"))
        async with session.begin_nested():
            outbox.after_commit(session, lambda: remember("inside a savepoint"))
        assert calls == []  # releasing a SAVEPOINT is not the commit
        outbox.after_commit(session, lambda: remember("last"))
    await outbox.drain()
    assert calls == ["first", "inside a savepoint", "last"]


async def test_one_queued_run_per_connection(
    app_settings: Settings, jobs_database: Database
) -> None:
    async with jobs_database.transaction() as session:
        tenant = await create_tenant(session)
        connection = await create_connection(session, tenant)
        first = await create_sync_run(session, tenant, connection)
        second = await create_sync_run(session, tenant, connection)
    async with open_queue(
        app_settings, jobs_database, jobs_settings=fast_settings(), registry=handlers.registry
    ) as queue:
        assert await queue.defer_run(runs.RunRef.of(first)) is not None
        assert await queue.defer_run(runs.RunRef.of(first)) is None  # same run: left queued
        assert await queue.defer_run(runs.RunRef.of(second)) is None
        assert (await sync_status(jobs_database, first.id)).status is RunStatus.QUEUED
        cancelled = await sync_status(jobs_database, second.id)
        assert cancelled.status is RunStatus.CANCELLED
        assert cancelled.error == "another sync run for the same target is already queued"
        assert await queue.live_job_ids(RUN_SYNC, "run_id") == {first.id}
        await refresh_queue_depth(queue.app)
        depth = {"queue": "slow", "status": "todo"}
        assert REGISTRY.get_sample_value("rm_job_queue_depth", depth) == 1
        await queue.app.run_worker_async(
            wait=False, install_signal_handlers=False, additional_context={"jobs": queue}
        )
    done = await sync_status(jobs_database, first.id)
    assert (done.status, done.created_count) == (RunStatus.SUCCEEDED, handlers.PEOPLE)
    assert done.duration_ms is not None


async def sync_status(database: Database, run_id: int) -> SyncRun:
    async with database.transaction(readonly=True) as session:
        return await session.get_one(SyncRun, run_id)


async def test_sweep_defers_a_run_left_without_a_job_once(
    app_settings: Settings, jobs_database: Database
) -> None:
    async with jobs_database.transaction() as session:
        program = await create_program(session, await create_tenant(session))
        orphan = await create_matching_run(session, program)  # committed, never deferred
    async with open_queue(
        app_settings, jobs_database, jobs_settings=fast_settings(), registry=handlers.registry
    ) as queue:
        await sweep_orphans(queue, grace_seconds=3600)
        assert orphan.id not in await queue.live_job_ids(RUN_MATCHING, "run_id")
        await sweep_orphans(queue, grace_seconds=0)
        await sweep_orphans(queue, grace_seconds=0)
        jobs = await queue.app.job_manager.list_jobs_async(task=RUN_MATCHING, status="todo")
        assert [job.task_kwargs["run_id"] for job in jobs].count(orphan.id) == 1
        await queue.app.run_worker_async(
            wait=False, install_signal_handlers=False, additional_context={"jobs": queue}
        )
    assert (await run_status(jobs_database, orphan.id)).status is RunStatus.SUCCEEDED


async def test_shutdown_lets_a_running_job_finish(
    app_settings: Settings, jobs_database: Database
) -> None:
    async with embedded_worker(
        app_settings, jobs_database, jobs_settings=fast_settings(), registry=handlers.registry
    ) as queue:
        async with jobs_database.transaction() as session:
            program = await create_program(session, await create_tenant(session))
            run = await create_matching_run(session, program, sleep=1.0)
            await queue.defer_run_after_commit(session, run)

        async def running() -> bool:
            return (await run_status(jobs_database, run.id)).status is RunStatus.RUNNING

        await wait_until(running)
    assert (await run_status(jobs_database, run.id)).status is RunStatus.SUCCEEDED
    duration = REGISTRY.get_sample_value("rm_job_duration_seconds_count", {"task": RUN_MATCHING})
    assert duration is not None
    assert duration >= 1


async def test_sqlite_restart_requeues_queued_and_interrupted_runs(
    sqlite_settings: Settings, sqlite_database: Database
) -> None:
    settings = fast_settings(worker_concurrency=1, worker_shutdown_seconds=0.2)
    async with sqlite_database.transaction() as session:
        tenant = await create_tenant(session)
        long_run = await create_matching_run(
            session, await create_program(session, tenant), sleep=30
        )
        waiting = await create_matching_run(session, await create_program(session, tenant))
    async with embedded_worker(
        sqlite_settings, sqlite_database, jobs_settings=settings, registry=handlers.registry
    ) as queue:
        await queue.defer_run(runs.RunRef.of(long_run))
        await queue.defer_run(runs.RunRef.of(waiting))

        async def interrupted() -> bool:
            return (await run_status(sqlite_database, long_run.id)).status is RunStatus.RUNNING

        await wait_until(interrupted)
    # The process "stopped": one run was cut off mid-way, the other never started.
    assert (await run_status(sqlite_database, long_run.id)).status is RunStatus.RUNNING
    assert (await run_status(sqlite_database, waiting.id)).status is RunStatus.QUEUED
    async with sqlite_database.transaction() as session:
        (await session.get_one(MatchingRun, long_run.id)).config_snapshot = {"sleep": 0}
    async with embedded_worker(
        sqlite_settings, sqlite_database, jobs_settings=settings, registry=handlers.registry
    ):
        await wait_until(finished(sqlite_database, long_run.id))
        await wait_until(finished(sqlite_database, waiting.id))
    for run_id in (long_run.id, waiting.id):
        assert (await run_status(sqlite_database, run_id)).status is RunStatus.SUCCEEDED
        assert len(await ran(sqlite_database, run_id)) == 1
