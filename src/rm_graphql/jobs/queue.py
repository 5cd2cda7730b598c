"""JobQueue: the handle services and tasks use to defer work, now or once a transaction commits."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import httpx
from procrastinate import App, exceptions
from procrastinate.types import JSONDict
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.crypto import SecretBox
from rm_graphql.db import Database
from rm_graphql.jobs import outbox, runs
from rm_graphql.jobs.config import JobsSettings
from rm_graphql.jobs.registry import TaskRegistry
from rm_graphql.jobs.runs import Run, RunRef
from rm_graphql.webhooks import egress

logger = logging.getLogger(__name__)

DELIVER_WEBHOOK = "deliver_webhook"
LIVE_STATUSES = ("todo", "doing")
DEFER_TRIES = 3


class JobQueue:
    """One process's view of the job layer: the Procrastinate app plus what tasks need."""

    def __init__(
        self,
        app: App,
        database: Database,
        settings: JobsSettings,
        registry: TaskRegistry,
        *,
        secrets: SecretBox,
        webhooks_reach_private: bool = True,
    ) -> None:
        self.app = app
        self.database = database
        self.settings = settings
        self.registry = registry
        self.secrets = secrets  # opens webhook signing secrets for deliveries
        self.webhooks_reach_private = webhooks_reach_private
        self._http: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        """One pooled HTTP client per process, for webhook deliveries (see webhooks.egress)."""
        if self._http is None:
            self._http = egress.client(
                allow_private=self.webhooks_reach_private,
                timeout=self.settings.webhook_timeout_seconds,
            )
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def defer_run(self, ref: RunRef) -> int | None:
        """Defer a run's job; if another run of its program/connection is queued, cancel it."""
        lock = ref.kind.lock(ref.key)
        deferrer = self.app.configure_task(ref.kind.task, lock=lock, queueing_lock=lock)
        for _ in range(DEFER_TRIES):
            try:
                return await deferrer.defer_async(run_id=ref.run_id)
            except exceptions.AlreadyEnqueued:
                waiting, running = await self.lock_holders(lock)
            if ref.run_id in waiting | running:
                return None  # this very run has its job already (a sweep raced its defer)
            if waiting:
                await self._cancel(ref)
                return None
            # The job that held the queueing lock has started meanwhile: try again.
        return None  # still contended; the orphan sweep defers it later

    async def lock_holders(self, lock: str | None) -> tuple[set[int], set[int]]:
        """Run ids of the waiting and the running jobs that carry this queueing lock."""
        held: list[set[int]] = []
        for status in LIVE_STATUSES:
            jobs = await self.app.job_manager.list_jobs_async(queueing_lock=lock, status=status)
            run_ids = (job.task_kwargs.get("run_id") for job in jobs)
            held.append({run_id for run_id in run_ids if isinstance(run_id, int)})
        return held[0], held[1]

    async def _cancel(self, ref: RunRef) -> None:
        reason = f"another {ref.kind.lock_prefix} run for the same target is already queued"
        async with self.database.transaction() as session:
            await runs.cancel(session, ref.kind, ref.run_id, reason)
        logger.info("run %s %s cancelled: %s", ref.kind.task, ref.run_id, reason)

    async def defer_run_after_commit(self, session: AsyncSession, run: Run) -> None:
        """Defer the run's job once the session's transaction (which wrote the row) commits."""
        await session.flush()
        ref = RunRef.of(run)
        outbox.after_commit(session, lambda: self.defer_run(ref))

    async def defer_deliveries(
        self, delivery_ids: Sequence[int], at: datetime | None = None
    ) -> list[int]:
        """Defer one webhook delivery job per id, not before `at` if given."""
        if not delivery_ids:
            return []
        deferrer = self.app.configure_task(DELIVER_WEBHOOK, schedule_at=at)
        arguments: list[JSONDict] = [{"delivery_id": id_} for id_ in delivery_ids]
        return await deferrer.batch_defer_async(*arguments)

    def defer_deliveries_after_commit(self, session: AsyncSession, delivery_ids: list[int]) -> None:
        """Defer the deliveries once the transaction that wrote them commits."""
        if delivery_ids:
            ids = list(delivery_ids)
            outbox.after_commit(session, lambda: self.defer_deliveries(ids))

    async def live_job_ids(self, task: str, argument: str) -> set[int]:
        """Ids named by the task's waiting or running jobs (to tell orphans from queued rows)."""
        found: set[int] = set()
        for status in LIVE_STATUSES:
            for job in await self.app.job_manager.list_jobs_async(task=task, status=status):
                value = job.task_kwargs.get(argument)
                if isinstance(value, int):
                    found.add(value)
        return found
