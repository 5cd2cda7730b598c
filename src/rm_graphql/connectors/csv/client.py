"""CSV connector: a header row, then one employee per row, validated row by row."""

from __future__ import annotations

import asyncio
import csv
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rm_graphql.connectors.base import (
    EmployeeRecord,
    FetchPage,
    InvalidRecord,
    SourceFormatError,
)
from rm_graphql.connectors.batches import to_pages
from rm_graphql.connectors.mapping import MappingProfile, load_profile

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CSVConfig:
    """Where the export is and how it is written (a BOM from Excel is accepted)."""

    path: Path
    delimiter: str = ","
    encoding: str = "utf-8-sig"


class CSVConnector:
    """Reads an HR export file; every run is a full snapshot."""

    source = "csv"

    def __init__(self, config: CSVConfig, *, profile: MappingProfile | None = None) -> None:
        self.config = config
        self.profile = profile or load_profile("csv")

    async def check(self) -> None:
        """Open the file and validate its header."""
        await asyncio.to_thread(self._read_header)

    async def fetch(self, since: datetime | None = None) -> AsyncIterator[FetchPage]:
        """Every row; `since` is ignored because a file has no change feed."""
        records, invalid = await asyncio.to_thread(self._read_all)
        for page in to_pages(records, invalid, watermark=None, complete_snapshot=True):
            yield page

    async def aclose(self) -> None:
        """Nothing to release."""

    def _read_header(self) -> list[str]:
        """The header row, checked against the columns the profile needs."""
        try:
            with self.config.path.open(encoding=self.config.encoding, newline="") as handle:
                header = next(csv.reader(handle, delimiter=self.config.delimiter), None)
        except (OSError, UnicodeDecodeError) as error:
            raise SourceFormatError(f"cannot read {self.config.path.name}: {error}") from error
        if not header:
            raise SourceFormatError(f"{self.config.path.name} is empty: a header row is required")
        columns = [name.strip() for name in header]
        self._check_columns(columns)
        return columns

    def _check_columns(self, columns: list[str]) -> None:
        """Id and name columns are mandatory; other missing columns follow field_mismatch."""
        present = set(columns)
        for attribute in ("external_id", "display_name"):
            if not present.intersection(self.profile.fields[attribute].sources):
                wanted = " or ".join(self.profile.fields[attribute].sources)
                raise SourceFormatError(f"the header has no {wanted} column")
        missing = [name for name in self.profile.source_fields() if name not in present]
        if missing and self.profile.options.field_mismatch == "fail":
            raise SourceFormatError("the header lacks columns: " + ", ".join(missing))
        if missing:
            logger.warning("CSV header lacks columns %s; values will be empty", missing)

    def _read_all(self) -> tuple[list[EmployeeRecord], list[InvalidRecord]]:
        """Parse and validate every row (row numbers count the header as row 1)."""
        columns = self._read_header()
        records: list[EmployeeRecord] = []
        invalid: list[InvalidRecord] = []
        first_seen: dict[str, int] = {}
        with self.config.path.open(encoding=self.config.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.config.delimiter)
            next(reader)
            for row_number, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue
                mapped = _dedupe(self._row(columns, cells, row_number), row_number, first_seen)
                if isinstance(mapped, EmployeeRecord):
                    records.append(mapped)
                else:
                    invalid.append(mapped)
        return records, invalid

    def _row(
        self, columns: list[str], cells: list[str], row_number: int
    ) -> EmployeeRecord | InvalidRecord:
        """Validate one row's shape, then map it."""
        raw = dict(zip(columns, cells, strict=False))
        if len(cells) != len(columns):
            external_id = self._peek_id(raw)
            reason = f"expected {len(columns)} columns, got {len(cells)}"
            return InvalidRecord(external_id, reason, row_number)
        return self.profile.map(raw, row=row_number)

    def _peek_id(self, raw: dict[str, str]) -> str:
        for source in self.profile.fields["external_id"].sources:
            if raw.get(source, "").strip():
                return raw[source].strip()
        return ""


def _dedupe(
    mapped: EmployeeRecord | InvalidRecord, row_number: int, first_seen: dict[str, int]
) -> EmployeeRecord | InvalidRecord:
    """A second row with an id already seen is invalid: ids must be unique."""
    if isinstance(mapped, InvalidRecord):
        return mapped
    if mapped.external_id in first_seen:
        reason = f"duplicate id (first seen on row {first_seen[mapped.external_id]})"
        return InvalidRecord(mapped.external_id, reason, row_number)
    first_seen[mapped.external_id] = row_number
    return mapped
