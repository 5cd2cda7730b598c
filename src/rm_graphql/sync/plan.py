"""The pure heart of a sync: compare fetched records with stored rows and plan the changes."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from operator import attrgetter
from typing import Any

from rm_graphql.connectors import EmployeeRecord, InvalidRecord
from rm_graphql.models.enums import EmployeeStatus
from rm_graphql.sync.codec import SYNCED_FIELDS, Codec, Values
from rm_graphql.sync.managers import KEEP, ManagerIndex, ManagerTarget

FIELD_AT = {name: index for index, name in enumerate(SYNCED_FIELDS)}
STATUS_AT, TERMINATED_AT = FIELD_AT["status"], FIELD_AT["terminated_at"]
NUMBER_AT, NAME_AT = FIELD_AT["employee_number"], FIELD_AT["display_name"]
TEXT_LIMITS = {
    "external_id": 128, "employee_number": 64, "email": 320, "display_name": 200,
    "job_title": 200, "department": 200, "division": 200, "location": 200, "timezone": 64,
}  # fmt: skip
_STATUSES = {status.value: status for status in EmployeeStatus}
TERMINATED = EmployeeStatus.TERMINATED.value


class ChangeKind(enum.StrEnum):
    """What a sync does to one employee row."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    TERMINATED = "TERMINATED"


@dataclass(frozen=True, slots=True)
class StoredEmployee:
    """An employee row as loaded: id, identity, manager and synced values in stored form."""

    id: int
    external_id: str
    manager_id: int | None
    values: Values

    def get(self, name: str) -> Any:
        """One synced value by column name."""
        return self.values[FIELD_AT[name]]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One column's old and new value."""

    name: str
    old: Any
    new: Any


@dataclass(slots=True)
class Change:
    """A row to create, update or terminate, with the values to write (in stored form)."""

    kind: ChangeKind
    external_id: str
    values: Values
    manager: ManagerTarget
    stored: StoredEmployee | None = None
    fields: tuple[FieldChange, ...] = ()

    @property
    def display_name(self) -> str:
        return str(self.values[NAME_AT])


@dataclass
class Plan:
    """Everything one run would change, plus what it left alone or could not use."""

    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    skipped_erased: int = 0
    invalid: list[InvalidRecord] = field(default_factory=list)

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for change in self.changes if change.kind is kind)


@dataclass(frozen=True)
class Snapshot:
    """What the connector returned for one run, keyed by external id (last one wins)."""

    records: Mapping[str, EmployeeRecord]
    invalid: tuple[InvalidRecord, ...] = ()
    removed: frozenset[str] = frozenset()
    complete: bool = False


def plan_changes(
    snapshot: Snapshot,
    stored: Mapping[str, StoredEmployee],
    *,
    now: datetime,
    is_erased: Callable[[str], bool],
    codec: Codec,
) -> Plan:
    """Compare every record with its stored row; leavers and removed ids become terminations."""
    plan = Plan(invalid=list(snapshot.invalid))
    seen = {item.external_id for item in snapshot.invalid if item.external_id}
    usable: dict[str, EmployeeRecord] = {}
    for external_id, record in snapshot.records.items():
        seen.add(external_id)
        if is_erased(external_id):
            plan.skipped_erased += 1
        elif (problem := validate(record)) is not None:
            plan.invalid.append(problem)
        else:
            usable[external_id] = record
    managers = ManagerIndex(stored, usable, is_erased)
    for record in usable.values():
        target, trouble = managers.resolve(record)
        if trouble is not None:
            plan.invalid.append(InvalidRecord(record.external_id, trouble))
        _compare(plan, record, stored.get(record.external_id), target, managers, now, codec)
    leavers = _leavers(snapshot, stored, seen)
    plan.changes.extend(terminate(row, now, codec) for row in leavers)
    return plan


def _leavers(
    snapshot: Snapshot, stored: Mapping[str, StoredEmployee], seen: set[str]
) -> Iterable[StoredEmployee]:
    """Stored people still employed whom the source removed or (full runs) no longer lists."""
    candidates: Iterable[str] = stored if snapshot.complete else snapshot.removed
    for external_id in candidates:
        row = stored.get(external_id)
        if row is None or external_id in seen:
            continue
        if row.values[STATUS_AT] != TERMINATED:
            yield row


def _compare(
    plan: Plan,
    record: EmployeeRecord,
    row: StoredEmployee | None,
    target: ManagerTarget,
    managers: ManagerIndex,
    now: datetime,
    codec: Codec,
) -> None:
    """Add a create or an update for one record, or count it unchanged."""
    wanted = desired_values(record, row, now, codec)
    values = codec.encode_all(wanted)
    if row is None:
        plan.changes.append(Change(ChangeKind.CREATED, record.external_id, values, target))
        return
    manager_same = managers.same(target, row.manager_id)
    if values == row.values and manager_same:
        plan.unchanged += 1
        return
    fields = [
        FieldChange(name, codec.decode(name, old), new)
        for name, old, stored_new, new in zip(
            SYNCED_FIELDS, row.values, values, wanted, strict=True
        )
        if old != stored_new and not codec.same(name, old, stored_new)
    ]
    if not manager_same:
        fields.append(FieldChange("manager", managers.describe(row.manager_id), target))
    if not fields:
        plan.unchanged += 1  # stored in another form (say, JSON key order), same values
        return
    leaving = values[STATUS_AT] == TERMINATED and row.values[STATUS_AT] != TERMINATED
    kind = ChangeKind.TERMINATED if leaving else ChangeKind.UPDATED
    plan.changes.append(Change(kind, record.external_id, values, target, row, tuple(fields)))


def terminate(row: StoredEmployee, now: datetime, codec: Codec) -> Change:
    """A leaver: TERMINATED from now on, everything else (pairs, history) kept."""
    values = list(row.values)
    values[STATUS_AT] = TERMINATED
    values[TERMINATED_AT] = codec.encode("terminated_at", now)
    fields = (
        FieldChange("status", row.values[STATUS_AT], EmployeeStatus.TERMINATED),
        FieldChange("terminated_at", None, now),
    )
    return Change(ChangeKind.TERMINATED, row.external_id, tuple(values), KEEP, row, fields)


def desired_values(
    record: EmployeeRecord, row: StoredEmployee | None, now: datetime, codec: Codec
) -> Values:
    """A record's synced columns as Python values (tuples and mappings for the JSON ones)."""
    status = _STATUSES[record.status.value]
    return (
        record.employee_number,
        record.email,
        record.display_name,
        record.job_title,
        record.department,
        record.division,
        record.location,
        record.timezone,
        record.languages,
        record.job_level,
        record.hire_date,
        record.birth_year,
        status,
        _terminated_at(status, record.terminated_on, row, now, codec),
        record.interests,
        record.skills,
        record.custom,
    )


def _terminated_at(
    status: EmployeeStatus,
    terminated_on: date | None,
    row: StoredEmployee | None,
    now: datetime,
    codec: Codec,
) -> datetime | None:
    """The source's termination date; else the moment we first saw them gone."""
    if status is not EmployeeStatus.TERMINATED:
        return None
    if terminated_on is not None:
        return datetime.combine(terminated_on, time.min, UTC)
    if row is not None and row.values[TERMINATED_AT] is not None:
        stamp: datetime = codec.decode("terminated_at", row.values[TERMINATED_AT])
        return stamp
    return now


_TEXTS = attrgetter(*TEXT_LIMITS)
_LIMITS = tuple(TEXT_LIMITS.items())


def validate(record: EmployeeRecord) -> InvalidRecord | None:
    """Database limits the mapping does not know about: a bad record is reported, not fatal."""
    for value, (name, limit) in zip(_TEXTS(record), _LIMITS, strict=True):
        if value is not None and len(value) > limit:
            return InvalidRecord(record.external_id, f"{name}: longer than {limit} characters")
    if record.birth_year is not None and not 1900 <= record.birth_year <= 2100:
        return InvalidRecord(record.external_id, f"birth_year: {record.birth_year} out of range")
    if record.job_level is not None and record.job_level < 0:
        return InvalidRecord(record.external_id, f"job_level: {record.job_level} is negative")
    return None
