"""Resolving a record's manager by external id or employee number, and reporting ambiguity."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final

from rm_graphql.connectors import EmployeeRecord
from rm_graphql.sync.codec import SYNCED_FIELDS

if TYPE_CHECKING:
    from rm_graphql.sync.plan import StoredEmployee

FIELD_AT = {name: index for index, name in enumerate(SYNCED_FIELDS)}


class _Keep:
    """Marker: leave the stored manager as it is (the reference is ambiguous or erased)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()
# None: no manager; a str: the manager's external id (stored, or created in this run); KEEP.
ManagerTarget = str | None | _Keep


class ManagerIndex:
    """Who an id or an employee number names, among stored rows and this run's records."""

    def __init__(
        self,
        stored: Mapping[str, StoredEmployee],
        records: Mapping[str, EmployeeRecord],
        is_erased: Callable[[str], bool],
    ) -> None:
        self.stored = stored
        self.records = records
        self.is_erased = is_erased
        # number -> the one key that has it (a list when several do: ambiguous references)
        self.by_number: dict[str, str | list[str]] = {}
        at = FIELD_AT["employee_number"]
        for key, row in stored.items():
            if key not in records:
                self._index(row.values[at], key)
        for key, record in records.items():
            self._index(record.employee_number, key)
        self._names: dict[int, str] | None = None  # built for diffs only, when first needed

    def _index(self, number: str | None, key: str) -> None:
        if not number:
            return
        known = self.by_number.setdefault(number, key)
        if known is key:
            return
        if isinstance(known, str):
            self.by_number[number] = [known, key]
        else:
            known.append(key)

    def known(self, key: str) -> bool:
        """True when the key is a stored employee or one of this run's records."""
        return key in self.records or key in self.stored

    def resolve(self, record: EmployeeRecord) -> tuple[ManagerTarget, str | None]:
        """The manager a record names, and a problem to report when it cannot be told."""
        by_id, by_number = record.manager_external_id, record.manager_employee_number
        if not by_id and not by_number:
            return None, None
        # First as labelled (id as id, number as number); then crosswise, because sources
        # such as BambooHR are ambiguous about which of their fields holds which.
        labelled = self._matches(by_id, by_number, record.external_id)
        if len(labelled) == 1:
            return labelled.pop(), None
        if not labelled:
            labelled = self._matches(by_number, by_id, record.external_id)
            if len(labelled) == 1:
                return labelled.pop(), None
        if labelled:
            names = ", ".join(sorted(labelled))
            return KEEP, f"manager: ambiguous reference ({_refs(record)}) matches {names}"
        return self._unresolved(record)

    def _matches(self, as_id: str | None, as_number: str | None, own: str) -> set[str]:
        keys = self.by_number.get(as_number) if as_number else None
        found = {keys} if isinstance(keys, str) else set(keys or ())
        if as_id and self.known(as_id):
            found.add(as_id)
        found.discard(own)
        return found

    def _unresolved(self, record: EmployeeRecord) -> tuple[ManagerTarget, str | None]:
        """Self-references mean no manager; erased managers stay linked; the rest is reported."""
        refs = {record.manager_external_id, record.manager_employee_number} - {None}
        if refs <= {record.external_id}:
            return None, None
        if record.manager_external_id and self.is_erased(record.manager_external_id):
            return KEEP, None
        return None, f"manager: {_refs(record)} matches no employee of this source"

    def same(self, target: ManagerTarget, current_id: int | None) -> bool:
        """True when linking `target` would leave `current_id` as it is."""
        if isinstance(target, _Keep):
            return True
        if target is None:
            return current_id is None
        row = self.stored.get(target)
        return row is not None and row.id == current_id

    def describe(self, manager_id: int | None) -> str | None:
        """A stored manager's external id for diffs (a row id when it was not loaded)."""
        if manager_id is None:
            return None
        if self._names is None:
            self._names = {row.id: key for key, row in self.stored.items()}
        return self._names.get(manager_id, f"#{manager_id}")


def _refs(record: EmployeeRecord) -> str:
    parts = []
    if record.manager_external_id:
        parts.append(f"id {record.manager_external_id!r}")
    if record.manager_employee_number:
        parts.append(f"employee number {record.manager_employee_number!r}")
    return " and ".join(parts)
