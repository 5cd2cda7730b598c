"""Where the compiled statement runs: a few kept-open autocommit connections on PostgreSQL.

One statement per request needs no transaction, so on PostgreSQL the fast path keeps up to
`size` connections of the shared engine checked out in AUTOCOMMIT mode: no BEGIN, ROLLBACK or
pre-ping round trips, and no connection churn when more requests are in flight than the pool
holds (they wait for a connection instead). A connection that fails is thrown away and the
request runs normally. On SQLite each request takes a pooled connection for its statement.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from rm_graphql.graphql.fastpath.sqljson import SQLITE_FUNCTIONS


async def _first_value(connection: AsyncConnection, statement: str, params: dict[str, Any]) -> str | None:
    result = await connection.exec_driver_sql(statement, params)
    row = result.first()
    return None if row is None else cast(str, row[0])


class KeptConnections:
    """Up to `size` autocommit connections, handed to one statement at a time."""

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.size = size
        self._idle: asyncio.Queue[AsyncConnection] = asyncio.Queue()
        self._open = 0
        self._loop: asyncio.AbstractEventLoop | None = None

    async def fetch(self, statement: str, params: dict[str, Any]) -> str | None:
        loop = asyncio.get_running_loop()
        self._loop = self._loop or loop
        if loop is not self._loop:  # an app served from a second event loop: no sharing
            async with self.engine.connect() as connection:
                return await _first_value(connection, statement, params)
        connection = await self._acquire()
        try:
            value = await _first_value(connection, statement, params)
        except BaseException:
            self._open -= 1
            await connection.invalidate()
            raise
        self._idle.put_nowait(connection)
        return value

    async def _acquire(self) -> AsyncConnection:
        if not self._idle.empty() or self._open >= self.size:
            return await self._idle.get()
        self._open += 1
        try:
            return await self.engine.connect()
        except BaseException:
            self._open -= 1
            raise


class Bounded:
    """A pooled autocommit connection per statement, at most `size` at once (no pool overflow)."""

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._slots = asyncio.Semaphore(size)

    async def fetch(self, statement: str, params: dict[str, Any]) -> str | None:
        async with self._slots, self.engine.connect() as connection:
            return await _first_value(connection, statement, params)


class PerStatement:
    """A pooled connection per statement, in a read-only transaction (SQLite)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine.execution_options(rm_readonly=True)
        self._with_functions: weakref.WeakSet[Any] = weakref.WeakSet()

    async def fetch(self, statement: str, params: dict[str, Any]) -> str | None:
        async with self.engine.connect() as connection:
            await self._register_functions(connection)
            return await _first_value(connection, statement, params)

    async def _register_functions(self, connection: AsyncConnection) -> None:
        """SQLite has no base64: the id, cursor and float spellings are Python functions."""
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        if driver is None or driver in self._with_functions:
            return
        for name, arity, function in SQLITE_FUNCTIONS:
            await driver.create_function(name, arity, function, deterministic=True)
        self._with_functions.add(driver)
