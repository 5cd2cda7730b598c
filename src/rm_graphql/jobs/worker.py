"""Running workers: `run_worker` for `rm-graphql worker`, `embedded_worker` for `serve`.

`python -m rm_graphql.jobs.worker [--concurrency N] [--queue Q ...]` runs one worker process
with the RM_* settings of the environment (what `rm-graphql worker` will call).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Sequence

from procrastinate.app import WorkerOptions
from prometheus_client import start_http_server

from rm_graphql.config import ConfigError, Settings, load_settings
from rm_graphql.db import Database
from rm_graphql.jobs import outbox
from rm_graphql.jobs.app import build_app
from rm_graphql.jobs.config import QUEUES, JobsSettings, load_jobs_settings
from rm_graphql.jobs.metrics import record_job, watch_queue_depth
from rm_graphql.jobs.queue import JobQueue
from rm_graphql.jobs.registry import TaskRegistry, load_registry
from rm_graphql.jobs.sweep import sweep_orphans
from rm_graphql.security import secret_box

logger = logging.getLogger(__name__)


class WorkerError(Exception):
    """A worker cannot run with these settings."""


@contextlib.asynccontextmanager
async def open_queue(
    settings: Settings,
    database: Database,
    *,
    jobs_settings: JobsSettings | None = None,
    registry: TaskRegistry | None = None,
    concurrency: int = 1,
) -> AsyncIterator[JobQueue]:
    """Open the job layer for deferring (and for a worker); close it, after-commit work done."""
    jobs_settings = jobs_settings or load_jobs_settings()
    registry = registry or load_registry()
    app = build_app(settings, jobs_settings, registry, concurrency=concurrency)
    async with app.open_async():
        queue = JobQueue(
            app,
            database,
            jobs_settings,
            registry,
            secrets=secret_box(settings),
            webhooks_reach_private=settings.webhooks_reach_private_addresses,
        )
        try:
            yield queue
        finally:
            await outbox.drain(jobs_settings.worker_shutdown_seconds)
            await queue.aclose()


def worker_options(
    queue: JobQueue,
    *,
    concurrency: int,
    queues: Sequence[str] | None,
    name: str,
    install_signal_handlers: bool,
) -> WorkerOptions:
    """Procrastinate worker options from our settings."""
    settings = queue.settings
    in_memory = queue.database.engine.dialect.name == "sqlite"
    options: WorkerOptions = {
        "name": name,
        "concurrency": concurrency,
        "wait": True,
        "fetch_job_polling_interval": settings.worker_poll_seconds,
        "abort_job_polling_interval": settings.worker_poll_seconds,
        "shutdown_graceful_timeout": settings.worker_shutdown_seconds,
        "listen_notify": True,
        # In memory nobody reads finished jobs; on PostgreSQL a periodic task removes old ones.
        "delete_jobs": "always" if in_memory else "never",
        "additional_context": {"jobs": queue},
        "install_signal_handlers": install_signal_handlers,
        "update_heartbeat_interval": settings.worker_heartbeat_seconds,
        "stalled_worker_timeout": settings.jobs_stalled_seconds,
        "worker_middleware": [record_job],
    }
    if queues:
        options["queues"] = list(queues)
    return options


@contextlib.asynccontextmanager
async def running_worker(queue: JobQueue, options: WorkerOptions) -> AsyncIterator[None]:
    """A worker in this event loop; on exit it stops taking jobs and lets running ones finish."""
    worker = asyncio.create_task(queue.app.run_worker_async(**options), name="rm-worker")
    depth = asyncio.create_task(
        watch_queue_depth(queue.app, queue.settings.jobs_metrics_seconds), name="rm-queue-depth"
    )
    try:
        yield
    finally:
        depth.cancel()
        worker.cancel()  # Procrastinate turns this into a graceful stop (shutdown timeout)
        for task in (depth, worker):
            with contextlib.suppress(asyncio.CancelledError):
                await task


@contextlib.asynccontextmanager
async def embedded_worker(
    settings: Settings,
    database: Database,
    *,
    jobs_settings: JobsSettings | None = None,
    registry: TaskRegistry | None = None,
    run_worker: bool | None = None,
) -> AsyncIterator[JobQueue]:
    """`serve`'s lifespan hook: the JobQueue, plus a worker in the same process when wanted.

    On SQLite the worker always runs (the queue is this process's memory) and unfinished
    runs and deliveries are queued again first, so a restart loses nothing.
    """
    jobs_settings = jobs_settings or load_jobs_settings()
    wanted = jobs_settings.worker_in_process if run_worker is None else run_worker
    if settings.is_sqlite and not wanted:
        logger.warning("on SQLite jobs run in the serving process; starting its worker anyway")
    wanted = jobs_settings.jobs_enabled and (wanted or settings.is_sqlite)
    concurrency = jobs_settings.worker_concurrency
    async with open_queue(
        settings, database, jobs_settings=jobs_settings, registry=registry, concurrency=concurrency
    ) as queue:
        if not wanted:
            yield queue
            return
        options = worker_options(
            queue,
            concurrency=concurrency,
            queues=None,
            name="embedded",
            install_signal_handlers=False,
        )
        async with running_worker(queue, options):
            if settings.is_sqlite:
                await sweep_orphans(queue, grace_seconds=None)
            yield queue


def _check_worker_settings(settings: Settings, queues: list[str] | None) -> None:
    if settings.is_sqlite:
        raise WorkerError(
            "a separate worker needs PostgreSQL; on SQLite `rm-graphql serve` runs the jobs"
        )
    unknown = set(queues or ()) - set(QUEUES)
    if unknown:
        raise WorkerError(f"unknown queue(s) {sorted(unknown)}; the queues are {list(QUEUES)}")


async def run_worker(
    settings: Settings,
    concurrency: int,
    queues: list[str] | None,
    *,
    jobs_settings: JobsSettings | None = None,
    registry: TaskRegistry | None = None,
    name: str = "worker",
) -> None:
    """`rm-graphql worker`: run jobs until SIGINT/SIGTERM, then finish running ones (timeout)."""
    _check_worker_settings(settings, queues)
    database = Database.from_settings(settings)
    try:
        async with open_queue(
            settings,
            database,
            jobs_settings=jobs_settings,
            registry=registry,
            concurrency=concurrency,
        ) as queue:
            options = worker_options(
                queue,
                concurrency=concurrency,
                queues=queues,
                name=name,
                install_signal_handlers=True,
            )
            depth = asyncio.create_task(
                watch_queue_depth(queue.app, queue.settings.jobs_metrics_seconds)
            )
            try:
                await queue.app.run_worker_async(**options)
            finally:
                depth.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await depth
    finally:
        await database.dispose()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rm-graphql worker", description="run a job worker")
    parser.add_argument(
        "--concurrency", type=int, help="jobs at once (default: RM_WORKER_CONCURRENCY)"
    )
    parser.add_argument("--queue", action="append", choices=QUEUES, help="only these queues")
    parser.add_argument("--name", default="worker", help="worker name in logs")
    parser.add_argument("--registry", help="handlers as module:attribute (default: the rooms')")
    parser.add_argument("--metrics-port", type=int, help="serve /metrics of this worker here")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        jobs_settings = load_jobs_settings()
    except (ConfigError, ValueError) as error:
        print(f"rm-graphql worker: configuration error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level)
    if args.metrics_port:
        start_http_server(args.metrics_port, addr=settings.host)
    concurrency = args.concurrency or jobs_settings.worker_concurrency
    registry = load_registry(args.registry)
    try:
        asyncio.run(
            run_worker(
                settings,
                concurrency,
                args.queue,
                jobs_settings=jobs_settings,
                registry=registry,
                name=args.name,
            )
        )
    except WorkerError as error:
        print(f"rm-graphql worker: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
