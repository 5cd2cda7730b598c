"""The sync engine: read a connector to the end, then plan and write the changes in one go.

A run has two phases. Fetching happens outside any database transaction (OAuth token
rotations are committed on their own as they happen). Applying happens inside the caller's
one transaction: lock the source, load the stored rows in one query, compare in Python,
and write only changed rows with executemany. A run that dies part-way therefore leaves
the database exactly as it was, and the next run does the whole work again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.connectors import Connector, EmployeeRecord, InvalidRecord
from rm_graphql.models.enums import EmployeeStatus
from rm_graphql.privacy.service import erased_digests, subject_digest
from rm_graphql.sync import repository
from rm_graphql.sync.managers import KEEP
from rm_graphql.sync.plan import (
    STATUS_AT,
    SYNCED_FIELDS,
    Change,
    ChangeKind,
    Plan,
    Snapshot,
    StoredEmployee,
    plan_changes,
)
from rm_graphql.sync.progress import SyncPhase, SyncProgress

logger = logging.getLogger(__name__)

MAX_LEVELS = 16  # deeper management chains are linked in a second pass


class SyncError(Exception):
    """A run refused to apply what it fetched; like a ConnectorError it fails the run."""

    code = "SYNC_REFUSED"


@dataclass(frozen=True)
class SyncTarget:
    """Whose employees a run writes: a tenant's rows of one source."""

    tenant_id: int
    source: str


@dataclass(frozen=True)
class Fetched:
    """A connector's whole answer for one run."""

    snapshot: Snapshot
    watermark: datetime | None
    pages: int


@dataclass(frozen=True)
class SyncOutcome:
    """What a run changed (or, dry, would change), and the watermark it reached."""

    plan: Plan
    watermark: datetime | None
    complete: bool

    @property
    def created(self) -> int:
        return self.plan.count(ChangeKind.CREATED)

    @property
    def updated(self) -> int:
        return self.plan.count(ChangeKind.UPDATED)

    @property
    def terminated(self) -> int:
        return self.plan.count(ChangeKind.TERMINATED)

    @property
    def unchanged(self) -> int:
        """Unchanged rows, plus erased people the run skipped on purpose."""
        return self.plan.unchanged + self.plan.skipped_erased

    @property
    def invalid(self) -> list[InvalidRecord]:
        return self.plan.invalid


async def fetch_all(
    connector: Connector, since: datetime | None, progress: SyncProgress | None = None
) -> Fetched:
    """Drain a connector run; a ConnectorError propagates and fails the run."""
    progress = progress or SyncProgress()
    progress.step(phase=SyncPhase.FETCHING)
    records: dict[str, EmployeeRecord] = {}
    invalid: list[InvalidRecord] = []
    removed: set[str] = set()
    watermark: datetime | None = None
    complete = False
    pages = 0
    async for page in connector.fetch(since):
        pages += 1
        records.update((record.external_id, record) for record in page.records)
        invalid.extend(page.invalid)
        removed.update(page.removed)
        watermark = page.watermark if page.watermark is not None else watermark
        complete = page.complete_snapshot
        progress.step(pages=pages, records=len(records) + len(invalid))
    snapshot = Snapshot(records, tuple(invalid), frozenset(removed), complete)
    return Fetched(snapshot, watermark, pages)


async def apply(
    session: AsyncSession,
    target: SyncTarget,
    fetched: Fetched,
    *,
    digest_key: bytes,
    now: datetime,
    dry_run: bool = False,
    progress: SyncProgress | None = None,
) -> SyncOutcome:
    """Plan against the stored rows and (unless dry) write the plan, in the caller's transaction."""
    progress = progress or SyncProgress()
    progress.step(phase=SyncPhase.PLANNING)
    await repository.lock_source(session, target.tenant_id, target.source)
    snapshot = fetched.snapshot
    keys = None if snapshot.complete else lookup_keys(snapshot)
    stored = await repository.stored_employees(session, target.tenant_id, target.source, keys)
    is_erased = await erasure_check(session, target, digest_key)
    plan = plan_changes(snapshot, stored, now=now, is_erased=is_erased)
    _refuse_empty_snapshot(snapshot, plan, stored)
    if not dry_run:
        await write_plan(session, target, plan, stored, now, progress)
    return SyncOutcome(plan, fetched.watermark, snapshot.complete)


def lookup_keys(snapshot: Snapshot) -> set[str]:
    """Ids and employee numbers an incremental run must load: its people and their managers."""
    keys = set(snapshot.records) | set(snapshot.removed)
    for record in snapshot.records.values():
        keys.update(
            ref for ref in (record.manager_external_id, record.manager_employee_number) if ref
        )
    return keys


async def erasure_check(
    session: AsyncSession, target: SyncTarget, digest_key: bytes
) -> Callable[[str], bool]:
    """A test for "this person was erased and must never come back" (no hashing if nobody was)."""
    digests = await erased_digests(session, target.tenant_id)
    if not digests:
        return lambda _external_id: False
    return lambda external_id: subject_digest(digest_key, target.source, external_id) in digests


def _refuse_empty_snapshot(
    snapshot: Snapshot, plan: Plan, stored: dict[str, StoredEmployee]
) -> None:
    """A full listing with nobody in it is a broken source, not a company that left."""
    if not snapshot.complete or snapshot.records or snapshot.invalid:
        return
    employed = sum(
        1 for row in stored.values() if row.values[STATUS_AT] is not EmployeeStatus.TERMINATED
    )
    if employed:
        raise SyncError(
            f"the source listed no employees at all; refusing to terminate {employed} "
            "employed people (check the credentials' permissions and the report)"
        )


async def write_plan(
    session: AsyncSession,
    target: SyncTarget,
    plan: Plan,
    stored: dict[str, StoredEmployee],
    now: datetime,
    progress: SyncProgress,
) -> None:
    """Insert new people managers first, update changed rows, then link what is left."""
    progress.step(phase=SyncPhase.WRITING, to_write=len(plan.changes), written=0)
    ids = {key: row.id for key, row in stored.items()}
    creates = [change for change in plan.changes if change.stored is None]
    unlinked: list[Change] = []
    for level in insertion_levels(creates):
        rows = [_insert_row(target, change, ids, now, unlinked) for change in level]
        ids.update(await repository.insert_employees(session, rows))
        progress.step(written=progress.written + len(rows))
    updates = [_update_row(change, ids, now) for change in plan.changes if change.stored]
    await repository.update_employees(session, updates)
    progress.step(written=progress.written + len(updates))
    links = [
        {"row_id": ids[change.external_id], "manager_id": ids[str(change.manager)]}
        for change in unlinked
    ]
    await repository.link_managers(session, links)


def insertion_levels(creates: list[Change]) -> list[list[Change]]:
    """Group new rows so each level's managers exist before it (cycles go last, linked later)."""
    by_key = {change.external_id: change for change in creates}
    depth: dict[str, int] = {}
    for change in creates:
        path: list[str] = []
        on_path: set[str] = set()
        key, level = change.external_id, -1
        while key not in depth:
            if key in on_path:
                level = MAX_LEVELS  # a cycle of new people: nobody's manager exists first
                break
            path.append(key)
            on_path.add(key)
            manager = by_key[key].manager
            if not isinstance(manager, str) or manager not in by_key:
                break
            key = manager
        else:
            level = depth[key]
        for key in reversed(path):
            level = min(level + 1, MAX_LEVELS)
            depth[key] = level
    levels: list[list[Change]] = [[] for _ in range(MAX_LEVELS + 1)]
    for change in creates:
        levels[depth[change.external_id]].append(change)
    return [level for level in levels if level]


def _synced(values: Iterable[Any]) -> dict[str, Any]:
    return dict(zip(SYNCED_FIELDS, values, strict=True))


def _insert_row(
    target: SyncTarget, change: Change, ids: dict[str, int], now: datetime, unlinked: list[Change]
) -> dict[str, Any]:
    manager = change.manager if isinstance(change.manager, str) else None
    if manager is not None and manager not in ids:
        unlinked.append(change)
    return {
        "tenant_id": target.tenant_id,
        "source": target.source,
        "external_id": change.external_id,
        "manager_id": ids.get(manager) if manager is not None else None,
        **_synced(change.values),
        "last_synced_at": now,
        "created_at": now,
        "updated_at": now,
    }


def _update_row(change: Change, ids: dict[str, int], now: datetime) -> dict[str, Any]:
    assert change.stored is not None
    if change.manager is KEEP:
        manager_id = change.stored.manager_id
    else:
        manager_id = ids[change.manager] if isinstance(change.manager, str) else None
    return {
        "row_id": change.stored.id,
        "manager_id": manager_id,
        **_synced(change.values),
        "last_synced_at": now,
        "updated_at": now,
    }
