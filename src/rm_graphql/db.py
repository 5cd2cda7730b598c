"""Engine and sessions: the one place where a request or a job commits or rolls back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from rm_graphql.config import Settings


def _prepare_sqlite(engine: AsyncEngine, *, foreign_keys: bool) -> None:
    """Foreign keys on, WAL, and explicit BEGIN so SAVEPOINTs and rollbacks behave."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # aiosqlite's adapter: disable the driver's own implicit transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the lock up front, so two writers never deadlock on a lock upgrade;
        # read-only units of work stay deferred and run beside them under WAL.
        readonly = connection.get_execution_options().get("rm_readonly", False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def create_engine(
    database_url: str, *, echo: bool = False, foreign_keys: bool = True
) -> AsyncEngine:
    """An async engine for our two dialects, with SQLite made strict.

    Migrations turn SQLite's foreign keys off: its batch mode rebuilds tables by copy and drop.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        _prepare_sqlite(engine, foreign_keys=foreign_keys)
        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True)


class Database:
    """The engine plus a session factory; owned by the app or a job worker."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self.read_sessions = async_sessionmaker(
            engine.execution_options(rm_readonly=True), expire_on_commit=False, autoflush=False
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(create_engine(settings.database_url))

    @asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit when the block ends, roll back on any error."""
        factory = self.read_sessions if readonly else self.sessions
        async with factory() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
