"""Sync runs end to end: queued runs for the job layer, direct runs for the CLI, triggers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from rm_graphql.audit.service import record
from rm_graphql.auth.principal import Scope
from rm_graphql.config import Settings
from rm_graphql.connectors import ConnectorError, TokenStore
from rm_graphql.crypto import DecryptionError
from rm_graphql.db import Database
from rm_graphql.errors import Conflict, NotFound
from rm_graphql.models import AuditEvent, HrisConnection, SyncRun
from rm_graphql.models.base import utcnow
from rm_graphql.models.enums import RunStatus, SyncMode
from rm_graphql.paging import Window
from rm_graphql.security import erasure_key, secret_box
from rm_graphql.sync import repository
from rm_graphql.sync.connections import ConnectionTokenStore, source_config
from rm_graphql.sync.progress import SyncPhase, SyncProgress, tracked
from rm_graphql.sync.service import Fetched, SyncError, SyncOutcome, SyncTarget, apply, fetch_all
from rm_graphql.sync.sources import SOURCES, SourceConfig, build_connector
from rm_graphql.tenancy import repository as tenancy
from rm_graphql.tenancy.service import Actor

logger = logging.getLogger(__name__)

MAX_REPORTED_INVALID = 1000  # invalid_count holds the full number
Defer = Callable[[AsyncSession, SyncRun], Awaitable[None]]


@dataclass(frozen=True)
class RunPlan:
    """What one run reads and where it writes, resolved before any network I/O."""

    target: SyncTarget
    config: SourceConfig
    since: datetime | None
    dry_run: bool
    connection_id: int | None = None


@dataclass
class RunReport:
    """A finished direct run: its row, what it did, or why it failed."""

    run: SyncRun
    outcome: SyncOutcome | None
    error: Exception | None = None


def describe(error: BaseException) -> str:
    """How a failure reads on the run: the error class, then its message."""
    return f"{type(error).__name__}: {error}"


def parse_watermark(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


async def fetch(plan: RunPlan, store: TokenStore | None, progress: SyncProgress) -> Fetched:
    """Build the connector, drain it, close it."""
    since = plan.since
    connector = build_connector(plan.config, store)
    try:
        return await fetch_all(connector, since, progress)
    finally:
        await connector.aclose()


async def finish_run(
    session: AsyncSession, run: SyncRun, outcome: SyncOutcome, connection: HrisConnection | None
) -> None:
    """Counts, invalid records and watermark on the run; the watermark moves only for real runs."""
    run.created_count = outcome.created
    run.updated_count = outcome.updated
    run.unchanged_count = outcome.unchanged
    run.terminated_count = outcome.terminated
    run.invalid_count = len(outcome.invalid)
    run.invalid_records = [
        {"externalId": item.external_id, "reason": item.reason}
        | ({"row": str(item.row)} if item.row is not None else {})
        for item in outcome.invalid[:MAX_REPORTED_INVALID]
    ]
    run.watermark = outcome.watermark.isoformat() if outcome.watermark else None
    if connection is not None and not run.dry_run and run.watermark:
        connection.watermark = run.watermark
    counts = {
        name: getattr(run, f"{name}_count")
        for name in ("created", "updated", "unchanged", "terminated", "invalid")
    }
    session.add(
        AuditEvent(
            tenant_id=run.tenant_id,
            actor=run.requested_by or "sync",
            action="sync.dry_run" if run.dry_run else "sync.applied",
            target_type="SyncRun",
            target_id=str(run.id),
            details={"source": run.source, "mode": run.mode.value, **counts},
        )
    )


# Queued runs (the job handler) ----------------------------------------------------------------


def _database_of(session: AsyncSession) -> Database:
    bind = session.bind
    if not isinstance(bind, AsyncEngine):
        raise TypeError("a sync job needs a session bound to an engine")
    return Database(bind)


async def execute_queued_run(session: AsyncSession, run_id: int, settings: Settings) -> None:
    """Run a RUNNING SyncRun: fetch outside the job transaction, then apply inside it."""
    database = _database_of(session)
    box = secret_box(settings)
    async with database.transaction(readonly=True) as reader:
        plan = await _queued_plan(reader, run_id, settings)
    assert plan.connection_id is not None
    store = ConnectionTokenStore(database, box, plan.connection_id)
    progress = SyncProgress()
    with tracked(run_id, progress):
        fetched = await fetch(plan, store, progress)
        outcome = await apply(
            session, plan.target, fetched, digest_key=erasure_key(settings), now=utcnow(),
            dry_run=plan.dry_run, progress=progress,
        )  # fmt: skip
        run = await repository.run_for_update(session, run_id)
        connection = await repository.connection_by_id(session, plan.connection_id)
        if run is None:
            raise SyncError(f"sync run {run_id} disappeared")
        await finish_run(session, run, outcome, connection)
        progress.step(phase=SyncPhase.DONE)


async def _queued_plan(session: AsyncSession, run_id: int, settings: Settings) -> RunPlan:
    """Read the run and its connection; a run that cannot start raises SyncError."""
    run = await session.get(SyncRun, run_id)
    if run is None:
        raise SyncError(f"no sync run {run_id}")
    if run.connection_id is None:
        raise SyncError("this run has no stored connection (an interrupted CLI run?); run it again")
    connection = await repository.connection_by_id(session, run.connection_id)
    if connection is None or not connection.enabled:
        raise SyncError("the HRIS connection was deleted or disabled")
    config = _stored_config(connection, settings)
    since = parse_watermark(connection.watermark) if run.mode is SyncMode.INCREMENTAL else None
    target = SyncTarget(run.tenant_id, SOURCES[connection.kind])
    return RunPlan(target, config, since, run.dry_run, connection.id)


def _stored_config(connection: HrisConnection, settings: Settings) -> SourceConfig:
    try:
        return source_config(connection, secret_box(settings))
    except DecryptionError as error:
        message = "the stored credentials cannot be decrypted with RM_ENCRYPTION_KEYS"
        raise SyncError(message) from error


# Direct runs (the CLI) ------------------------------------------------------------------------


async def run_direct(
    database: Database,
    settings: Settings,
    tenant: str,
    config: SourceConfig | None,
    *,
    connection_name: str | None = None,
    mode: SyncMode = SyncMode.FULL,
    dry_run: bool = False,
    progress: SyncProgress | None = None,
    requested_by: str = "cli",
) -> RunReport:
    """Sync now in this process; the SyncRun row is written with the result (none if killed)."""
    progress = progress or SyncProgress()
    started = utcnow()
    async with database.transaction() as session:
        plan = await _direct_plan(session, settings, tenant, config, connection_name, mode, dry_run)
    row = RunRow(plan, mode, requested_by, started)
    store = None
    if plan.connection_id is not None:
        store = ConnectionTokenStore(database, secret_box(settings), plan.connection_id)
    try:
        fetched = await fetch(plan, store, progress)
        async with database.transaction() as session:
            outcome = await apply(
                session, plan.target, fetched, digest_key=erasure_key(settings),
                now=started, dry_run=dry_run, progress=progress,
            )  # fmt: skip
            run = await row.add(session, RunStatus.SUCCEEDED)
            connection = await _connection(session, plan.connection_id)
            await finish_run(session, run, outcome, connection)
    except (ConnectorError, SyncError) as error:
        logger.error("sync of %s failed: %s", plan.target.source, describe(error))
        progress.step(phase=SyncPhase.FAILED)
        async with database.transaction() as session:
            failed = await row.add(session, RunStatus.FAILED, describe(error))
        return RunReport(failed, None, error)
    progress.step(phase=SyncPhase.DONE)
    return RunReport(run, outcome)


@dataclass(frozen=True)
class RunRow:
    """The SyncRun row of a direct run, written once with its result."""

    plan: RunPlan
    mode: SyncMode
    requested_by: str
    started: datetime

    async def add(
        self, session: AsyncSession, status: RunStatus, error: str | None = None
    ) -> SyncRun:
        finished = utcnow()
        run = SyncRun(
            tenant_id=self.plan.target.tenant_id, connection_id=self.plan.connection_id,
            source=self.plan.target.source, mode=self.mode, status=status,
            dry_run=self.plan.dry_run, requested_by=self.requested_by, started_at=self.started,
            finished_at=finished, error=error[:2000] if error else None,
            duration_ms=int((finished - self.started).total_seconds() * 1000),
        )  # fmt: skip
        session.add(run)
        await session.flush()
        return run


async def _direct_plan(
    session: AsyncSession,
    settings: Settings,
    tenant: str,
    config: SourceConfig | None,
    connection_name: str | None,
    mode: SyncMode,
    dry_run: bool,
) -> RunPlan:
    """Resolve the tenant, the connection (if named) and the watermark to start from."""
    tenant_id = await tenancy.ensure_tenant(session, tenant)
    connection = None
    if connection_name is not None:
        connection = await repository.connection_by_name(session, tenant_id, connection_name)
        if connection is None:
            raise NotFound(f"tenant {tenant!r} has no HRIS connection named {connection_name!r}")
        busy = await repository.unfinished_run(session, connection.id)
        if busy is not None:
            raise Conflict(f"run {busy.id} of {connection_name!r} is {busy.status.value.lower()}")
        config = _stored_config(connection, settings)
    assert config is not None
    connection_id = connection.id if connection is not None else None
    since = None
    if mode is SyncMode.INCREMENTAL:
        stored = connection.watermark if connection is not None else None
        stored = stored or await repository.last_watermark(
            session, tenant_id, config.source, connection_id
        )
        since = parse_watermark(stored)
    target = SyncTarget(tenant_id, config.source)
    return RunPlan(target, config, since, dry_run, connection_id)


async def _connection(session: AsyncSession, connection_id: int | None) -> HrisConnection | None:
    if connection_id is None:
        return None
    return await repository.connection_by_id(session, connection_id)


# Triggers and reads for the API -----------------------------------------------------------------


async def trigger_sync(
    session: AsyncSession,
    actor: Actor,
    connection_id: int,
    mode: SyncMode,
    dry_run: bool,
    defer: Defer | None,
) -> SyncRun:
    """Queue a run of a stored connection; one queued or running run per connection."""
    actor.require(Scope.ADMIN, Scope.SYNC)
    connection = await repository.connection(
        session, actor.tenant_id, connection_id, for_update=True
    )
    if connection is None:
        raise NotFound("no such HRIS connection")
    if not connection.enabled:
        raise Conflict(f"the connection {connection.name!r} is disabled")
    busy = await repository.unfinished_run(session, connection.id)
    if busy is not None:
        raise Conflict(
            f"a sync of {connection.name!r} is already {busy.status.value.lower()} (run {busy.id})"
        )
    run = await queue_run(session, connection, mode, dry_run, actor.name, defer)
    record(session, actor, "sync.triggered", "SyncRun", run.id,
           connection=connection.name, mode=mode.value, dry_run=dry_run)  # fmt: skip
    return run


async def queue_run(
    session: AsyncSession,
    connection: HrisConnection,
    mode: SyncMode,
    dry_run: bool,
    requested_by: str,
    defer: Defer | None,
) -> SyncRun:
    """A QUEUED run whose job is deferred after commit (or found by the orphan sweep)."""
    run = SyncRun(
        tenant_id=connection.tenant_id, connection_id=connection.id,
        source=SOURCES[connection.kind], mode=mode, status=RunStatus.QUEUED,
        dry_run=dry_run, requested_by=requested_by,
    )  # fmt: skip
    session.add(run)
    await session.flush()
    if defer is not None:
        await defer(session, run)
    else:
        logger.info("no job queue in this process: the orphan sweep will start run %s", run.id)
    return run


async def webhook_run(
    session: AsyncSession, connection: HrisConnection, defer: Defer | None
) -> tuple[SyncRun, bool]:
    """An incremental run for a change event; a run still queued absorbs later events."""
    queued = await repository.queued_run(session, connection.id)
    if queued is not None:
        return queued, False
    return await queue_run(session, connection, SyncMode.INCREMENTAL, False, "webhook", defer), True


async def count_runs(session: AsyncSession, actor: Actor, connection_id: int | None) -> int:
    actor.require(Scope.ADMIN, Scope.SYNC)
    return await repository.count_runs(session, actor.tenant_id, connection_id)


async def list_runs(
    session: AsyncSession, actor: Actor, connection_id: int | None, page: Window
) -> Sequence[Row[Any]]:
    actor.require(Scope.ADMIN, Scope.SYNC)
    return await repository.list_runs(session, actor.tenant_id, connection_id, page)


async def runs_by_ids(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    if not (actor.is_admin or actor.principal.has(Scope.SYNC)):
        return []
    return await repository.runs_by_ids(session, actor.tenant_id, ids)


async def last_runs(
    session: AsyncSession, actor: Actor, connection_ids: Sequence[int]
) -> Sequence[Row[Any]]:
    return await repository.last_runs(session, actor.tenant_id, connection_ids)
