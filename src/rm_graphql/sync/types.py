"""GraphQL for HRIS connections and sync runs: credentials go in, and never come back out."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Self, cast

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types import Info

from rm_graphql.graphql.context import Context
from rm_graphql.graphql.enums import RunStatus
from rm_graphql.graphql.errors import ErrorType
from rm_graphql.graphql.loading import by_id_loader
from rm_graphql.graphql.mutations import mutate
from rm_graphql.graphql.relay import Connection, PageArgs, db_id, paginate
from rm_graphql.graphql.watch import watch_run
from rm_graphql.models import HrisConnection
from rm_graphql.models.enums import ConnectionKind, SyncMode
from rm_graphql.paging import Window
from rm_graphql.security import secret_box
from rm_graphql.sync import authorization, connections, runs
from rm_graphql.sync.connections import ConnectionSpec
from rm_graphql.sync.progress import SyncPhase, live
from rm_graphql.tenancy.service import Actor

# The lead may move these registrations into rm_graphql.graphql.enums with the others.
strawberry.enum(ConnectionKind)
strawberry.enum(SyncMode)
strawberry.enum(SyncPhase)


@strawberry.type(description="A source row the sync could not use, and why.")
class InvalidRecord:
    external_id: str
    reason: str
    row: int | None


@strawberry.type(description="How far a sync run has got.")
class SyncRunProgress:
    phase: SyncPhase
    pages: int = strawberry.field(description="Pages read from the HRIS so far.")
    records: int = strawberry.field(description="Records read from the HRIS so far.")
    to_write: int
    written: int


_PHASES = {
    RunStatus.QUEUED: SyncPhase.QUEUED,
    RunStatus.RUNNING: SyncPhase.RUNNING,
    RunStatus.SUCCEEDED: SyncPhase.DONE,
}


@strawberry.type(name="SyncRun", description="One HRIS sync: what it created, changed or ended.")
class SyncRunType(relay.Node):
    id: relay.NodeID[int]
    source: str
    mode: SyncMode
    status: RunStatus
    dry_run: bool
    requested_by: str | None
    created_count: int
    updated_count: int
    unchanged_count: int
    terminated_count: int
    invalid_count: int
    invalid_records: list[InvalidRecord]
    watermark: str | None
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
    error: str | None
    created_at: datetime
    connection_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Any) -> Self:
        invalid = [
            InvalidRecord(
                external_id=str(item.get("externalId", "")),
                reason=str(item.get("reason", "")),
                row=int(item["row"]) if item.get("row") else None,
            )
            for item in row.invalid_records or ()
        ]
        return cls(
            id=row.id, source=row.source, mode=row.mode, status=row.status, dry_run=row.dry_run,
            requested_by=row.requested_by, created_count=row.created_count,
            updated_count=row.updated_count, unchanged_count=row.unchanged_count,
            terminated_count=row.terminated_count, invalid_count=row.invalid_count,
            invalid_records=invalid, watermark=row.watermark, started_at=row.started_at,
            finished_at=row.finished_at, duration_ms=row.duration_ms, error=row.error,
            created_at=row.created_at, connection_id=row.connection_id,
        )  # fmt: skip

    @strawberry.field(description="Live while the run executes in this process; else by status.")
    def progress(self) -> SyncRunProgress:
        current = live(self.id) if self.status is RunStatus.RUNNING else None
        if current is not None:
            return SyncRunProgress(
                phase=current.phase, pages=current.pages, records=current.records,
                to_write=current.to_write, written=current.written,
            )  # fmt: skip
        phase = _PHASES.get(self.status, SyncPhase.FAILED)
        written = self.created_count + self.updated_count + self.terminated_count
        return SyncRunProgress(phase=phase, pages=0, records=0, to_write=written, written=written)

    @strawberry.field(description="The stored connection it ran for (none for CLI runs).")
    async def connection(self, info: Info[Context, None]) -> HrisConnectionType | None:
        if self.connection_id is None:
            return None
        found: HrisConnectionType | None = await connection_loader(info.context).load(
            self.connection_id
        )
        return found

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[SyncRunType | None]:
        loader = by_id_loader(info.context, "sync_runs", runs.runs_by_ids, cls.from_row)
        return list(await loader.load_many([int(i) for i in node_ids]))


@strawberry.type(name="HrisConnection", description="A stored HRIS connection (admins).")
class HrisConnectionType(relay.Node):
    id: relay.NodeID[int]
    name: str
    kind: ConnectionKind
    base_url: str | None
    options: JSON
    schedule_cron: str | None
    enabled: bool
    watermark: str | None = strawberry.field(description="Where the next incremental run starts.")
    has_credentials: bool = strawberry.field(description="Credentials are stored (never shown).")
    has_webhook_secret: bool
    created_at: datetime

    @classmethod
    def from_row(cls, row: HrisConnection) -> Self:
        return cls(
            id=row.id, name=row.name, kind=row.kind, base_url=row.base_url,
            options=cast(JSON, dict(row.options or {})), schedule_cron=row.schedule_cron,
            enabled=row.enabled, watermark=row.watermark,
            has_credentials=bool(row.credentials_encrypted),
            has_webhook_secret=bool(row.webhook_secret_encrypted), created_at=row.created_at,
        )  # fmt: skip

    @strawberry.field(description="Where the HRIS posts signed change events for this connection.")
    def webhook_path(self) -> str:
        return f"/webhooks/{self.id}"

    @strawberry.field(description="The newest sync run of this connection.")
    async def last_sync_run(self, info: Info[Context, None]) -> SyncRunType | None:
        found: SyncRunType | None = await last_run_loader(info.context).load(self.id)
        return found

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[HrisConnectionType | None]:
        return list(await connection_loader(info.context).load_many([int(i) for i in node_ids]))


def connection_loader(context: Context) -> DataLoader[int, HrisConnectionType | None]:
    async def load(ids: list[int]) -> list[HrisConnectionType | None]:
        found = await context.run(connections.connections_by_ids, ids)
        built = {row.id: HrisConnectionType.from_row(row) for row in found}
        return [built.get(key) for key in ids]

    return context.loader("hris_connections", lambda: DataLoader(load_fn=load))


def last_run_loader(context: Context) -> DataLoader[int, SyncRunType | None]:
    async def load(ids: list[int]) -> list[SyncRunType | None]:
        found = await context.run(runs.last_runs, ids)
        built = {row.connection_id: SyncRunType.from_row(row) for row in found}
        return [built.get(key) for key in ids]

    return context.loader("last_sync_runs", lambda: DataLoader(load_fn=load))


# Inputs, results, queries and mutations --------------------------------------------------------


@strawberry.input
class HrisConnectionFields:
    base_url: str | None = None
    options: JSON | None = strawberry.field(default=None, description="Non-secret settings.")
    credentials: JSON | None = strawberry.field(
        default=None, description="Secrets, sealed at rest and never returned."
    )
    webhook_secret: str | None = strawberry.field(default=None, description="16+ characters.")
    schedule_cron: str | None = None
    enabled: bool | None = None

    def spec(self, **extra: Any) -> ConnectionSpec:
        return ConnectionSpec(
            base_url=self.base_url, options=self.options, credentials=self.credentials,
            webhook_secret=self.webhook_secret, schedule_cron=self.schedule_cron,
            enabled=self.enabled, **extra,
        )  # fmt: skip


@strawberry.input
class CreateHrisConnectionInput(HrisConnectionFields):
    name: str
    kind: ConnectionKind


@strawberry.input
class UpdateHrisConnectionInput(HrisConnectionFields):
    id: relay.GlobalID
    name: str | None = None


@strawberry.input
class TriggerSyncInput:
    connection_id: relay.GlobalID
    mode: SyncMode = SyncMode.FULL
    dry_run: bool = strawberry.field(default=False, description="Compute the diff; write nothing.")


@strawberry.input(description="Start connecting an HRIS over OAuth 2.0 (authorization code).")
class StartHrisAuthorizationInput:
    connection_id: relay.GlobalID
    redirect_uri: str = strawberry.field(
        description="The host's page the HRIS sends the browser back to, with `code` and "
        "`state`; it must be registered with the vendor's OAuth client."
    )


@strawberry.input(description="The `code` and `state` the HRIS sent back to the redirect URI.")
class CompleteHrisAuthorizationInput:
    state: str
    code: str


@strawberry.type(name="HrisAuthorization", description="Where to send the admin to grant access.")
class HrisAuthorizationType:
    authorization_url: str = strawberry.field(
        description="Open in the admin's browser; the state in it is single-use."
    )
    expires_at: datetime = strawberry.field(description="Complete before this time.")

    @classmethod
    def of(cls, started: authorization.Authorization) -> Self:
        expires = datetime.fromtimestamp(started.expires_at, UTC)
        return cls(authorization_url=started.url, expires_at=expires)


HrisAuthorizationResult = Annotated[
    HrisAuthorizationType | ErrorType, strawberry.union("HrisAuthorizationResult")
]
HrisConnectionResult = Annotated[
    HrisConnectionType | ErrorType, strawberry.union("HrisConnectionResult")
]
SyncRunResult = Annotated[SyncRunType | ErrorType, strawberry.union("SyncRunResult")]


def _deferrer(context: Context) -> runs.Defer | None:
    """The app's job queue, when this process has one (else the orphan sweep defers later)."""
    return context.jobs.defer_run_after_commit if context.jobs is not None else None


async def _connection_list(session: AsyncSession, actor: Actor) -> Sequence[HrisConnection]:
    return await connections.list_connections(session, actor)


@strawberry.type
class SyncQueries:
    @strawberry.field(description="The tenant's HRIS connections (admins and rm:sync).")
    async def hris_connections(self, info: Info[Context, None]) -> list[HrisConnectionType]:
        rows = await info.context.run(_connection_list)
        return [HrisConnectionType.from_row(row) for row in rows]

    @strawberry.field(description="Sync runs, newest first; optionally of one connection.")
    async def sync_runs(
        self,
        info: Info[Context, None],
        connection_id: relay.GlobalID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SyncRunType]:
        context = info.context
        connection = db_id(connection_id, "HrisConnection") if connection_id else None

        async def fetch(page: Window) -> list[SyncRunType]:
            rows = await context.run(runs.list_runs, connection, page)
            return [SyncRunType.from_row(row) for row in rows]

        return await paginate(
            lambda: context.run(runs.count_runs, connection),
            fetch,
            PageArgs(first, after, last, before),
        )


@strawberry.type
class SyncMutations:
    @strawberry.mutation(description="Store an HRIS connection (admins).")
    async def create_hris_connection(
        self, info: Info[Context, None], input: CreateHrisConnectionInput
    ) -> HrisConnectionResult:
        box = secret_box(info.context.settings)
        spec = input.spec(name=input.name, kind=input.kind)
        return await mutate(
            info.context, connections.create_connection, HrisConnectionType.from_row, box, spec
        )

    @strawberry.mutation(description="Change an HRIS connection; new credentials replace all.")
    async def update_hris_connection(
        self, info: Info[Context, None], input: UpdateHrisConnectionInput
    ) -> HrisConnectionResult:
        box = secret_box(info.context.settings)
        connection_id = db_id(input.id, "HrisConnection")
        return await mutate(
            info.context, connections.update_connection, HrisConnectionType.from_row,
            box, connection_id, input.spec(name=input.name),
        )  # fmt: skip

    @strawberry.mutation(
        description="Start OAuth 2.0 authorization of a connection (admins): a vendor URL."
    )
    async def start_hris_authorization(
        self, info: Info[Context, None], input: StartHrisAuthorizationInput
    ) -> HrisAuthorizationResult:
        connection_id = db_id(input.connection_id, "HrisConnection")
        return await mutate(
            info.context, authorization.start, HrisAuthorizationType.of,
            secret_box(info.context.settings), connection_id, input.redirect_uri,
        )  # fmt: skip

    @strawberry.mutation(
        description="Finish OAuth 2.0 authorization: trade the code for tokens, sealed at rest."
    )
    async def complete_hris_authorization(
        self, info: Info[Context, None], input: CompleteHrisAuthorizationInput
    ) -> HrisConnectionResult:
        return await mutate(
            info.context, authorization.complete, HrisConnectionType.from_row,
            secret_box(info.context.settings), input.state, input.code,
        )  # fmt: skip

    @strawberry.mutation(description="Queue a sync run (rm:admin or rm:sync); one at a time.")
    async def trigger_sync(
        self, info: Info[Context, None], input: TriggerSyncInput
    ) -> SyncRunResult:
        connection_id = db_id(input.connection_id, "HrisConnection")
        return await mutate(
            info.context, runs.trigger_sync, SyncRunType.from_row, connection_id,
            input.mode, input.dry_run, _deferrer(info.context),
        )  # fmt: skip


@strawberry.type
class SyncSubscriptions:
    @strawberry.subscription(
        description="The sync run each time its state changes, until it has finished."
    )
    async def sync_run_progress(
        self, info: Info[Context, None], run_id: relay.GlobalID
    ) -> AsyncGenerator[SyncRunType, None]:
        key = db_id(run_id, "SyncRun")
        async for run in watch_run(info.context, runs.runs_by_ids, key, SyncRunType.from_row):
            yield run
