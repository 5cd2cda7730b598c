"""On SQLite the compiled statement runs on read-only connections of the fast path's own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from rm_graphql.graphql.fastpath.connections import PerStatement, SqliteReaders


async def test_readers_see_committed_rows_and_cannot_write(tmp_path: Path) -> None:
    path = tmp_path / "readers.db"
    with sqlite3.connect(path) as writer:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("CREATE TABLE things (name TEXT)")
        writer.execute("INSERT INTO things VALUES ('first')")
    readers = SqliteReaders(str(path), size=2)
    try:
        assert await readers.fetch("SELECT group_concat(name) FROM things", {}) == "first"
        with sqlite3.connect(path) as writer:
            writer.execute("INSERT INTO things VALUES ('second')")
        assert await readers.fetch("SELECT group_concat(name) FROM things", {}) == "first,second"
        assert await readers.fetch("SELECT name FROM things WHERE name = :n", {"n": "x"}) is None
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await readers.fetch("INSERT INTO things VALUES ('third')", {})
        assert readers.statements == 4
    finally:
        await readers.close()


def test_an_in_memory_database_is_read_through_the_apps_engine() -> None:
    engine = create_async_engine("sqlite+aiosqlite://")
    assert isinstance(SqliteReaders.of(engine, 2), PerStatement)
