"""Prometheus metrics of the job layer: queue depth, job durations and outcomes by task."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from procrastinate import App, JobContext, exceptions
from prometheus_client import Counter, Gauge, Histogram

logger = logging.getLogger(__name__)

JOB_DURATION = Histogram(
    "rm_job_duration_seconds",
    "Time a job ran in a worker, by task.",
    ["task"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
)
JOB_OUTCOMES = Counter(
    "rm_jobs_total",
    "Jobs run, by task and outcome (succeeded, failed, aborted).",
    ["task", "outcome"],
)
QUEUE_DEPTH = Gauge(
    "rm_job_queue_depth", "Jobs waiting (todo) or running (doing), by queue.", ["queue", "status"]
)
WEBHOOK_ATTEMPTS = Counter(
    "rm_webhook_attempts_total",
    "Webhook POSTs, by outcome (accepted, rejected, error).",
    ["outcome"],
)

CallNext = Callable[[], Awaitable[Any]]


def _outcome(error: BaseException | None) -> str:
    if error is None:
        return "succeeded"
    if isinstance(error, asyncio.CancelledError | exceptions.JobAborted):
        return "aborted"
    return "failed"


async def record_job(call_next: CallNext, context: JobContext, _worker: object) -> Any:
    """Worker middleware: time every job and count its outcome by task."""
    started = time.perf_counter()
    error: BaseException | None = None
    try:
        return await call_next()
    except BaseException as caught:
        error = caught
        raise
    finally:
        task = context.job.task_name
        JOB_DURATION.labels(task=task).observe(time.perf_counter() - started)
        JOB_OUTCOMES.labels(task=task, outcome=_outcome(error)).inc()


async def refresh_queue_depth(app: App) -> None:
    """Set the queue-depth gauge from Procrastinate's own counts."""
    for queue in await app.job_manager.list_queues_async():
        for status in ("todo", "doing"):
            QUEUE_DEPTH.labels(queue=queue["name"], status=status).set(queue[status])


async def watch_queue_depth(app: App, every_seconds: float) -> None:
    """Refresh the queue depth until cancelled; a failed refresh is logged, not fatal."""
    while True:
        try:
            await refresh_queue_depth(app)
        except Exception:
            logger.warning("queue depth refresh failed", exc_info=True)
        await asyncio.sleep(every_seconds)
