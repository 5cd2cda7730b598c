"""Where the compiled statement runs.

PostgreSQL: a small psycopg pool of autocommit connections kept by the fast path. One
statement needs no transaction, so there is no BEGIN, ROLLBACK or pre-ping round trip and no
SQLAlchemy checkout per request (together they doubled the Python time of a small query), and
requests beyond the pool's size wait for a connection instead of opening new ones.
SQLite: a pooled connection of the app's engine per statement, in a read-only transaction.
"""

from __future__ import annotations

import asyncio
import weakref
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
