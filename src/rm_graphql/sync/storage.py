"""The sync's hot path: employee rows read and written raw, in each database's own form.

SQLAlchemy's per-value type processing dominated a 50,000-row sync (JSON decoding on
load, bind processing on insert), so these statements go to the driver directly:
executemany on SQLite, COPY and executemany on PostgreSQL, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.sync.codec import JSON_FIELDS, SYNCED_FIELDS, Codec, codec_for
from rm_graphql.sync.plan import StoredEmployee

INSERT_COLUMNS = (
    "tenant_id", "source", "external_id", "manager_id", *SYNCED_FIELDS,
    "last_synced_at", "created_at", "updated_at",
)  # fmt: skip
UPDATE_COLUMNS = ("manager_id", *SYNCED_FIELDS, "last_synced_at", "updated_at")
LOOKUP_CHUNK = 900
LOAD_BATCH = 2000
# Columns with few distinct values (not interests or skills: nearly one combination a person).
SHARED_AT = tuple(
    SYNCED_FIELDS.index(name)
    for name in (
        "job_title", "department", "division", "location", "timezone", "languages",
        "job_level", "hire_date", "birth_year", "status", "custom_attributes",
    )
)  # fmt: skip
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Lookup:
    """What an incremental run loads: rows by external id, and by employee number."""

    ids: frozenset[str]
    numbers: frozenset[str]  # only the managers' references go here


class Storage:
    """Raw employee statements for one dialect; values in the codec's stored form.

    Every statement is composed from fixed column names and placeholders only (values are
    always bound), hence the S608 waivers below.
    """

    def __init__(self, dialect: str) -> None:
        self.codec: Codec = codec_for(dialect)
        self.postgres = dialect == "postgresql"
        self.mark = m = "%s" if self.postgres else "?"
        loaded = ", ".join(
            self._selected(c) for c in ("id", "external_id", "manager_id", *SYNCED_FIELDS)
        )
        source = f"FROM employees WHERE tenant_id = {m} AND source = {m}"
        self.select_rows = f"SELECT {loaded} {source} AND erased_at IS NULL"
        self.select_max = f"SELECT max(id) {source}"
        newer = f"AND id > {m} AND erased_at IS NULL"
        self.select_new = f"SELECT external_id, id {source} {newer}"
        columns = ", ".join(INSERT_COLUMNS)
        values = ", ".join(self._value(c) for c in INSERT_COLUMNS)
        self.copy_rows = f"COPY employees ({columns}) FROM STDIN"
        self.insert_rows = f"INSERT INTO employees ({columns}) VALUES ({values})"  # noqa: S608
        sets = ", ".join(f"{c} = {self._value(c)}" for c in UPDATE_COLUMNS)
        self.update_rows = f"UPDATE employees SET {sets} WHERE id = {m}"  # noqa: S608
        self.update_managers = f"UPDATE employees SET manager_id = {m} WHERE id = {m}"  # noqa: S608

    @classmethod
    def of(cls, session: AsyncSession) -> Storage:
        return cls(session.get_bind().dialect.name)

    def _value(self, column: str) -> str:
        """A placeholder, cast to jsonb where PostgreSQL needs it."""
        return f"{self.mark}::jsonb" if self.postgres and column in JSON_FIELDS else self.mark

    def _selected(self, column: str) -> str:
        return f"{column}::text" if self.postgres and column in JSON_FIELDS else column

    async def _run(self, session: AsyncSession, sql: str, params: Any = ()) -> CursorResult[Any]:
        connection = await session.connection()
        return await connection.exec_driver_sql(sql, params)

    async def load(
        self, session: AsyncSession, tenant_id: int, source: str, lookup: Lookup | None
    ) -> dict[str, StoredEmployee]:
        """Rows of a source (not erased): all, or those a Lookup names by id or by number."""
        if lookup is None:
            return await self._load_all(session, (tenant_id, source))
        found: dict[str, StoredEmployee] = {}
        for column, values in (("external_id", lookup.ids), ("employee_number", lookup.numbers)):
            wanted = sorted(values)
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                chunk = wanted[start : start + LOOKUP_CHUNK]
                marks = ", ".join([self.mark] * len(chunk))
                sql = f"{self.select_rows} AND {column} IN ({marks})"
                found.update(_stored(await self._run(session, sql, (tenant_id, source, *chunk))))
        return found

    async def _load_all(self, session: AsyncSession, params: Row) -> dict[str, StoredEmployee]:
        """Every row of a source in batches: the driver never holds the whole result at once."""
        connection = await (await session.connection()).get_raw_connection()
        driver: Any = connection.driver_connection
        stored: dict[str, StoredEmployee] = {}
        shared: dict[Any, Any] = {}
        if self.postgres:  # a server-side cursor, inside the caller's transaction
            async with driver.cursor(name="rm_sync_load") as cursor:
                await cursor.execute(self.select_rows, params)
                while rows := await cursor.fetchmany(LOAD_BATCH):
                    _add_stored(stored, rows, shared)
            return stored
        cursor = await driver.execute(self.select_rows, params)
        try:
            while rows := await cursor.fetchmany(LOAD_BATCH):
                _add_stored(stored, rows, shared)
        finally:
            await cursor.close()
        return stored

    async def max_id(self, session: AsyncSession, tenant_id: int, source: str) -> int:
        """The newest row id of a source (rows inserted later have larger ids)."""
        value = (await self._run(session, self.select_max, (tenant_id, source))).scalar()
        return int(value or 0)

    async def ids_after(
        self, session: AsyncSession, tenant_id: int, source: str, after: int
    ) -> dict[str, int]:
        """Ids of the rows of a source inserted after `after` (the ones this run just wrote)."""
        result = await self._run(session, self.select_new, (tenant_id, source, after))
        pairs = [tuple(row) for row in result]
        return {str(pair[0]): int(pair[1]) for pair in pairs}

    async def insert(self, session: AsyncSession, rows: Sequence[Row]) -> None:
        """New rows, values in INSERT_COLUMNS order: COPY on PostgreSQL, executemany on SQLite."""
        if not rows:
            return
        if not self.postgres:
            await self._run(session, self.insert_rows, list(rows))
            return
        connection = await (await session.connection()).get_raw_connection()
        driver: Any = connection.driver_connection
        async with driver.cursor() as cursor, cursor.copy(self.copy_rows) as copy:
            for row in rows:
                await copy.write_row(row)

    async def update(self, session: AsyncSession, rows: Sequence[Row]) -> None:
        """Changed rows, values in UPDATE_COLUMNS order followed by the row id."""
        if rows:
            await self._run(session, self.update_rows, list(rows))

    async def link(self, session: AsyncSession, links: Sequence[tuple[int, int]]) -> None:
        """(manager id, row id) pairs for rows inserted before their manager existed."""
        if links:
            await self._run(session, self.update_managers, list(links))


def _stored(result: CursorResult[Any]) -> dict[str, StoredEmployee]:
    stored: dict[str, StoredEmployee] = {}
    _add_stored(stored, [tuple(row) for row in result], {})
    return stored


def _add_stored(
    stored: dict[str, StoredEmployee], rows: Sequence[Row], shared: dict[Any, Any]
) -> None:
    """Keep the rows; values that recur from row to row are kept once (a third less memory)."""
    for row in rows:
        values = list(row[3:])
        for at in SHARED_AT:
            value = values[at]
            values[at] = shared.setdefault(value, value)
        stored[row[1]] = StoredEmployee(row[0], row[1], row[2], tuple(values))
