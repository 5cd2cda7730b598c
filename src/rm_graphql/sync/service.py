"""The sync engine: read a connector to the end, then plan and write the changes in one go.

A run has two phases. Fetching happens outside any database transaction (OAuth token
rotations are committed on their own as they happen). Applying happens inside the caller's
one transaction: lock the source, load the stored rows in one query, compare in Python,
and write only changed rows with executemany. A run that dies part-way therefore leaves
the database exactly as it was, and the next run does the whole work again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.connectors import Connector, EmployeeRecord, InvalidRecord
from rm_graphql.privacy.service import erased_digests, subject_digest
from rm_graphql.sync import repository
from rm_graphql.sync.managers import KEEP
from rm_graphql.sync.plan import (
    STATUS_AT,
    TERMINATED,
    Change,
    ChangeKind,
    Plan,
    Snapshot,
    StoredEmployee,
    plan_changes,
)
from rm_graphql.sync.progress import SyncPhase, SyncProgress
from rm_graphql.sync.storage import Lookup, Row, Storage

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


@dataclass
class Fetched:
    """A connector's whole answer for one run; `apply` takes the records out once planned."""

    snapshot: Snapshot
    watermark: datetime | None
    pages: int

    def take(self) -> Snapshot:
        """Hand the snapshot over and drop this reference, so planned records can be freed."""
        snapshot, self.snapshot = self.snapshot, Snapshot({}, complete=self.snapshot.complete)
        return snapshot


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
    """Plan against the stored rows and (unless dry) write the plan, in the caller's transaction.

    It consumes `fetched`: the records are released once planned (half the memory at 50,000).
    """
    progress = progress or SyncProgress()
    progress.step(phase=SyncPhase.PLANNING)
    started = time.perf_counter()
    await repository.lock_source(session, target.tenant_id, target.source)
    storage = Storage.of(session)
    snapshot, complete = fetched.take(), fetched.snapshot.complete
    keys = None if complete else lookup_keys(snapshot)
    stored = await storage.load(session, target.tenant_id, target.source, keys)
    is_erased = await erasure_check(session, target, digest_key)
    loaded = time.perf_counter()
    plan = plan_changes(snapshot, stored, now=now, is_erased=is_erased, codec=storage.codec)
    _refuse_empty_snapshot(snapshot, stored)
    del snapshot
    planned = time.perf_counter()
    if not dry_run:
        await write_plan(session, storage, target, plan, stored, now, progress)
    logger.info(
        "sync of %s: %d stored row(s) loaded in %.2f s, %d change(s) planned in %.2f s, "
        "written in %.2f s%s", target.source, len(stored), loaded - started, len(plan.changes),
        planned - loaded, time.perf_counter() - planned, " (dry run: nothing)" if dry_run else "",
    )  # fmt: skip
    return SyncOutcome(plan, fetched.watermark, complete)


def lookup_keys(snapshot: Snapshot) -> Lookup:
    """What an incremental run loads: its people, and whoever their managers' references name."""
    references = {
        reference
        for record in snapshot.records.values()
        for reference in (record.manager_external_id, record.manager_employee_number)
        if reference
    }
    ids = frozenset(snapshot.records) | snapshot.removed | references
    return Lookup(ids=ids, numbers=frozenset(references))


async def erasure_check(
    session: AsyncSession, target: SyncTarget, digest_key: bytes
) -> Callable[[str], bool]:
    """A test for "this person was erased and must never come back" (no hashing if nobody was)."""
    digests = await erased_digests(session, target.tenant_id)
    if not digests:
        return lambda _external_id: False
    return lambda external_id: subject_digest(digest_key, target.source, external_id) in digests


def _refuse_empty_snapshot(snapshot: Snapshot, stored: dict[str, StoredEmployee]) -> None:
    """A full listing with nobody in it is a broken source, not a company that left."""
    if not snapshot.complete or snapshot.records or snapshot.invalid:
        return
    employed = sum(1 for row in stored.values() if row.values[STATUS_AT] != TERMINATED)
    if employed:
        raise SyncError(
            f"the source listed no employees at all; refusing to terminate {employed} "
            "employed people (check the credentials' permissions and the report)"
        )


async def write_plan(
    session: AsyncSession,
    storage: Storage,
    target: SyncTarget,
    plan: Plan,
    stored: dict[str, StoredEmployee],
    now: datetime,
    progress: SyncProgress,
) -> None:
    """Insert new people managers first, update changed rows, then link what is left."""
    progress.step(phase=SyncPhase.WRITING, to_write=len(plan.changes), written=0)
    stamp = storage.codec.time(now)
    ids = {key: row.id for key, row in stored.items()}
    creates = [change for change in plan.changes if change.stored is None]
    unlinked: list[Change] = []
    newest = await storage.max_id(session, target.tenant_id, target.source) if creates else 0
    for level in insertion_levels(creates):
        rows = [_insert_row(target, change, ids, stamp, unlinked) for change in level]
        await storage.insert(session, rows)
        inserted = await storage.ids_after(session, target.tenant_id, target.source, newest)
        ids.update(inserted)
        newest = max(inserted.values(), default=newest)
        progress.step(written=progress.written + len(rows))
    updates = [_update_row(change, ids, stamp) for change in plan.changes if change.stored]
    await storage.update(session, updates)
    progress.step(written=progress.written + len(updates))
    links = [(ids[str(change.manager)], ids[change.external_id]) for change in unlinked]
    await storage.link(session, links)


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


def _insert_row(
    target: SyncTarget, change: Change, ids: dict[str, int], stamp: Any, unlinked: list[Change]
) -> Row:
    """INSERT_COLUMNS order; a manager not inserted yet is linked after the last level."""
    manager = change.manager if isinstance(change.manager, str) else None
    if manager is not None and manager not in ids:
        unlinked.append(change)
    manager_id = ids.get(manager) if manager is not None else None
    return (target.tenant_id, target.source, change.external_id, manager_id, *change.values,
            stamp, stamp, stamp)  # fmt: skip


def _update_row(change: Change, ids: dict[str, int], stamp: Any) -> Row:
    """UPDATE_COLUMNS order, then the row id."""
    assert change.stored is not None
    if change.manager is KEEP:
        manager_id = change.stored.manager_id
    else:
        manager_id = ids[change.manager] if isinstance(change.manager, str) else None
    return (manager_id, *change.values, stamp, stamp, change.stored.id)
