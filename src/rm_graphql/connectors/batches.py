"""Turning raw vendor rows into FetchPages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from rm_graphql.connectors.base import EmployeeRecord, FetchPage, InvalidRecord
from rm_graphql.connectors.mapping import MappingProfile

PAGE_SIZE = 1000


def map_rows(
    profile: MappingProfile, rows: Iterable[Any]
) -> tuple[list[EmployeeRecord], list[InvalidRecord]]:
    """Map raw rows; anything that is not a JSON object is an invalid record too."""
    records: list[EmployeeRecord] = []
    invalid: list[InvalidRecord] = []
    for row in rows:
        if not isinstance(row, Mapping):
            invalid.append(InvalidRecord("", f"expected an object, got {type(row).__name__}"))
            continue
        mapped = profile.map(row)
        if isinstance(mapped, EmployeeRecord):
            records.append(mapped)
        else:
            invalid.append(mapped)
    return records, invalid


def latest_change(records: Iterable[EmployeeRecord], default: datetime | None) -> datetime | None:
    """The newest of `default` and the records' last_changed (the next incremental watermark).

    Paged connectors pass the previous page's result, so the watermark only moves forward.
    """
    stamps = [record.last_changed for record in records if record.last_changed is not None]
    if default is not None:
        stamps.append(default)
    return max(stamps, default=None)


def to_pages(
    records: list[EmployeeRecord],
    invalid: list[InvalidRecord],
    *,
    watermark: datetime | None,
    complete_snapshot: bool,
    removed: tuple[str, ...] = (),
    page_size: int = PAGE_SIZE,
) -> Iterator[FetchPage]:
    """Split one run's results into pages; always at least one page."""
    count = max(len(records), len(invalid), 1)
    for start in range(0, count, page_size):
        yield FetchPage(
            records=tuple(records[start : start + page_size]),
            invalid=tuple(invalid[start : start + page_size]),
            removed=removed if start == 0 else (),
            watermark=watermark,
            complete_snapshot=complete_snapshot,
        )
