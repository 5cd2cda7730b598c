"""Real databases for the suite: SQLite always, PostgreSQL when RM_TEST_POSTGRES_URL is set.

Each backend is built once per run with `alembic upgrade head`; each test runs inside a
transaction (SAVEPOINTs for the code under test) that is rolled back at the end.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql import migrate
from rm_graphql.config import normalise_database_url
from rm_graphql.db import Database, create_engine
from rm_graphql.testing.databases import throwaway_postgres
from tests.sync.server import sync_app  # noqa: F401 - a fixture for tests/sync and tests/graphql

POSTGRES_URL = os.environ.get("RM_TEST_POSTGRES_URL")
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(not POSTGRES_URL, reason="RM_TEST_POSTGRES_URL is not set"),
    ),
]
_postgres_outcomes: dict[str, int] = {}


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway database on the PostgreSQL server, dropped at the end of the run."""
    assert POSTGRES_URL
    with throwaway_postgres(normalise_database_url(POSTGRES_URL), "rm_test") as url:
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database URL for one backend."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "test.db"
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_server")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(create_engine(database_url))
    yield database
    await database.dispose()


@pytest.fixture
async def session(database: Database) -> AsyncIterator[AsyncSession]:
    """A session whose work is rolled back after the test, commits included."""
    async with database.engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


def _is_postgres(nodeid: str) -> bool:
    return "[postgresql" in nodeid or "-postgresql" in nodeid


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("RM_REQUIRE_POSTGRES") and not POSTGRES_URL:
        raise pytest.UsageError("RM_REQUIRE_POSTGRES is set but RM_TEST_POSTGRES_URL is not")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if _is_postgres(report.nodeid) and (report.when == "call" or report.skipped):
        _postgres_outcomes[report.outcome] = _postgres_outcomes.get(report.outcome, 0) + 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Where PostgreSQL is required, a skipped PostgreSQL test fails the run."""
    if os.environ.get("RM_REQUIRE_POSTGRES") and _postgres_outcomes.get("skipped"):
        print(
            f"\n{_postgres_outcomes['skipped']} PostgreSQL tests were skipped; they must run here"
        )
        session.exitstatus = 1
