"""Own databases for job tests: workers commit for real, so these never share the suite's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from rm_graphql import migrate
from rm_graphql.config import Settings, load_settings
from rm_graphql.db import Database, create_engine
from rm_graphql.jobs.config import JobsSettings, load_jobs_settings

from .support import POSTGRES_URL, migrated_postgres_database

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(not POSTGRES_URL, reason="RM_TEST_POSTGRES_URL is not set"),
    ),
]


@pytest.fixture(scope="session", params=BACKENDS)
def jobs_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database of the job tests' own, per backend."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("jobs") / "jobs.db"
        url = f"sqlite+aiosqlite:///{path}"
        migrate.upgrade(url)
        yield url
        return
    with migrated_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
async def jobs_database(jobs_database_url: str) -> AsyncIterator[Database]:
    database = Database(create_engine(jobs_database_url))
    yield database
    await database.dispose()


ONLY_POSTGRES = BACKENDS[1:]


@pytest.fixture(scope="module", params=ONLY_POSTGRES)
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh migrated PostgreSQL database per test module (worker processes share it)."""
    with migrated_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
async def pg_database(pg_url: str) -> AsyncIterator[Database]:
    database = Database(create_engine(pg_url))
    yield database
    await database.dispose()


@pytest.fixture(scope="module")
def pg_settings(pg_url: str) -> Settings:
    return load_settings(database_url=pg_url)


@pytest.fixture
def app_settings(jobs_database_url: str) -> Settings:
    return load_settings(database_url=jobs_database_url)


def fast_settings(**overrides: object) -> JobsSettings:
    """Job settings for tests: quick polls, heartbeats, stall detection and backoff."""
    values: dict[str, object] = {
        "worker_poll_seconds": 0.1,
        "worker_heartbeat_seconds": 0.5,
        "worker_shutdown_seconds": 5,
        "jobs_stalled_seconds": 2,
        "jobs_stalled_cron": "* * * * * *",
        "jobs_metrics_seconds": 0.5,
        "webhook_max_retries": 2,
        "webhook_backoff_seconds": 1,
        "webhook_timeout_seconds": 5,
    }
    values.update(overrides)
    return load_jobs_settings(**values)


@pytest.fixture
def jobs_settings() -> JobsSettings:
    return fast_settings()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database for tests of what only SQLite does (jobs kept in memory)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'restart.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture
async def sqlite_database(sqlite_url: str) -> AsyncIterator[Database]:
    database = Database(create_engine(sqlite_url))
    yield database
    await database.dispose()


@pytest.fixture
def sqlite_settings(sqlite_url: str) -> Settings:
    return load_settings(database_url=sqlite_url)
