"""Where the compiled statement runs.

PostgreSQL: a small psycopg pool of autocommit connections kept by the fast path. One
statement needs no transaction, so there is no BEGIN, ROLLBACK or pre-ping round trip and no
SQLAlchemy checkout per request (together they doubled the Python time of a small query), and
requests beyond the pool's size wait for a connection instead of opening new ones.
SQLite: read-only connections of the fast path's own, one per worker thread. The statement
runs on a thread (sqlite3 lets go of the GIL while SQLite works, so a large answer does not
hold up the event loop), with one hand-over per request: through the app's engine each
statement took a pool checkout, BEGIN, ROLLBACK and several thread hand-overs, five times the
CPU of the statement itself. A single SELECT outside a transaction reads one snapshot.
An in-memory database has no second connection: there the app's engine runs the statement.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from rm_graphql.graphql.fastpath.sqljson import SQLITE_FUNCTIONS


async def _first_value(
    connection: AsyncConnection, statement: str, params: dict[str, Any]
) -> str | None:
    result = await connection.exec_driver_sql(statement, params)
    row = result.first()
    return None if row is None else cast(str, row[0])


class KeptConnections:
    """Up to `size` autocommit connections of the fast path's own, opened on first use."""

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            conninfo,
            min_size=size,
            max_size=size,
            open=False,
            kwargs={"autocommit": True},
            name="rm-graphql-fastpath",
        )
        self.statements = 0
        self._opened: asyncio.Task[None] | None = None

    async def fetch(self, statement: str, params: dict[str, Any]) -> str | None:
        if self._opened is None:
            self._opened = asyncio.ensure_future(self.pool.open())
        self.statements += 1
        if self._opened.get_loop() is not asyncio.get_running_loop():
            # An app served from a second event loop: the pool belongs to the first one.
            async with self.engine.connect() as connection:
                return await _first_value(connection, statement, params)
        await self._opened
        async with self.pool.connection() as connection:
            cursor = await connection.execute(statement, params)
            row: TupleRow | None = await cursor.fetchone()
        return None if row is None else cast(str, row[0])

    async def close(self) -> None:
        await self.pool.close()


class SqliteReaders:
    """Read-only SQLite connections, one per worker thread, opened on first use."""

    def __init__(self, path: str, size: int) -> None:
        self.uri = Path(path).resolve().as_uri() + "?mode=ro"
        self.statements = 0
        self._executor = ThreadPoolExecutor(size, thread_name_prefix="rm-fastpath-sqlite")
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    @classmethod
    def of(cls, engine: AsyncEngine, size: int) -> SqliteReaders | PerStatement:
        """Readers for a database file; the app's engine for an in-memory database."""
        path = engine.url.database
        if not path or path == ":memory:" or path.startswith("file:") or engine.url.query:
            return PerStatement(engine)
        return cls(path, size)

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.uri, uri=True, timeout=5, isolation_level=None, check_same_thread=False
            )
            for name, arity, function in SQLITE_FUNCTIONS:
                connection.create_function(name, arity, function, deterministic=True)
            self._local.connection = connection
            with self._lock:
                self._opened.append(connection)
        return connection

    def _first_value(self, statement: str, params: dict[str, Any]) -> str | None:
        row = self._connection().execute(statement, params).fetchone()
        return None if row is None else cast(str, row[0])

    async def fetch(self, statement: str, params: dict[str, Any]) -> str | None:
        self.statements += 1
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._first_value, statement, params)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown)
        with self._lock:
            for connection in self._opened:
                connection.close()
            self._opened.clear()


class PerStatement:
    """A pooled connection of the app's engine per statement, read-only (SQLite)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine.execution_options(rm_readonly=True)
        self.statements = 0
        self._with_functions: weakref.WeakSet[Any] = weakref.WeakSet()

    async def fetch(self, statement: str, params: dict[str, Any]) -> str | None:
        self.statements += 1
        async with self.engine.connect() as connection:
            await self._register_functions(connection)
            return await _first_value(connection, statement, params)

    async def close(self) -> None:
        """Nothing to close: the connections are the engine's."""

    async def _register_functions(self, connection: AsyncConnection) -> None:
        """SQLite has no base64: the id, cursor and float spellings are Python functions."""
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        if driver is None or driver in self._with_functions:
            return
        for name, arity, function in SQLITE_FUNCTIONS:
            await driver.create_function(name, arity, function, deterministic=True)
        self._with_functions.add(driver)
