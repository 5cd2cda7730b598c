"""The life of a run row (MatchingRun, SyncRun) around its job: claim, finish, fail, orphans."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.jobs.registry import RUN_MATCHING, RUN_SYNC
from rm_graphql.models import MatchingRun, SyncRun
from rm_graphql.models.base import utcnow
from rm_graphql.models.enums import RunStatus

Run = MatchingRun | SyncRun
UNFINISHED = (RunStatus.QUEUED, RunStatus.RUNNING)
ERROR_LIMIT = 2000


def _program_of(run: Run) -> int | None:
    return run.program_id if isinstance(run, MatchingRun) else None


def _connection_of(run: Run) -> int | None:
    return run.connection_id if isinstance(run, SyncRun) else None


@dataclass(frozen=True)
class RunKind:
    """A kind of run: its task, its table, and the key that allows one job at a time."""

    task: str
    model: type[MatchingRun] | type[SyncRun]
    lock_prefix: str
    key_of: Callable[[Run], int | None]

    def lock(self, key: int | None) -> str | None:
        """The lock and queueing lock: one queued and one running job per program/connection."""
        return None if key is None else f"{self.lock_prefix}-{key}"


MATCHING = RunKind(RUN_MATCHING, MatchingRun, "matching", _program_of)
SYNC = RunKind(RUN_SYNC, SyncRun, "sync", _connection_of)
RUN_KINDS = {kind.task: kind for kind in (MATCHING, SYNC)}


def kind_of(run: Run) -> RunKind:
    return MATCHING if isinstance(run, MatchingRun) else SYNC


@dataclass(frozen=True)
class RunRef:
    """What a job needs to defer a run: plain ids, never ORM objects."""

    kind: RunKind
    run_id: int
    key: int | None

    @classmethod
    def of(cls, run: Run) -> RunRef:
        kind = kind_of(run)
        return cls(kind=kind, run_id=run.id, key=kind.key_of(run))


async def _locked(session: AsyncSession, kind: RunKind, run_id: int) -> Run | None:
    query = select(kind.model).where(kind.model.id == run_id).with_for_update()
    run = (await session.execute(query)).scalar_one_or_none()
    return run if isinstance(run, MatchingRun | SyncRun) else None


async def claim(session: AsyncSession, kind: RunKind, run_id: int) -> bool:
    """QUEUED (or RUNNING, when a crashed job is retried) becomes RUNNING; False if finished."""
    run = await _locked(session, kind, run_id)
    if run is None or run.status not in UNFINISHED:
        return False
    run.status = RunStatus.RUNNING
    run.started_at = run.started_at or utcnow()
    return True


async def finish(session: AsyncSession, kind: RunKind, run_id: int) -> None:
    """A run its handler left RUNNING has succeeded."""
    run = await _locked(session, kind, run_id)
    if run is None or run.status is not RunStatus.RUNNING:
        return
    run.status = RunStatus.SUCCEEDED
    _stamp_end(run)


async def fail(session: AsyncSession, kind: RunKind, run_id: int, error: str) -> None:
    """Record why a run failed, for the admin to read on the run."""
    run = await _locked(session, kind, run_id)
    if run is None or run.status not in UNFINISHED:
        return
    run.status = RunStatus.FAILED
    run.error = error[:ERROR_LIMIT]
    _stamp_end(run)


async def cancel(session: AsyncSession, kind: RunKind, run_id: int, reason: str) -> None:
    """A run that can never get a job of its own (another one holds the queue) is cancelled."""
    run = await _locked(session, kind, run_id)
    if run is None or run.status is not RunStatus.QUEUED:
        return
    run.status = RunStatus.CANCELLED
    run.error = reason[:ERROR_LIMIT]
    _stamp_end(run)


def _stamp_end(run: Run) -> None:
    run.finished_at = utcnow()
    if isinstance(run, SyncRun) and run.started_at is not None:
        run.duration_ms = int((run.finished_at - run.started_at).total_seconds() * 1000)


async def unfinished(
    session: AsyncSession, kind: RunKind, untouched_since: datetime | None = None
) -> list[RunRef]:
    """QUEUED or RUNNING rows (not updated since a cutoff, if given), oldest first."""
    model = kind.model
    query = select(model).where(model.status.in_(UNFINISHED)).order_by(model.id)
    if untouched_since is not None:
        query = query.where(model.updated_at < untouched_since)
    found = (await session.execute(query)).scalars().all()
    return [RunRef.of(run) for run in found if isinstance(run, MatchingRun | SyncRun)]
