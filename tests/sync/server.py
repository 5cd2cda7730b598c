"""The real app, served with its lifespan (job queue and worker).

The sync API tests commit and run jobs, so each module gets a migrated database of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rm_graphql import migrate
from rm_graphql.app import create_app
from rm_graphql.config import load_settings, normalise_database_url
from rm_graphql.testing import running_server
from rm_graphql.testing.databases import throwaway_postgres
from tests.support.api import Api

POSTGRES_URL = os.environ.get("RM_TEST_POSTGRES_URL")
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(not POSTGRES_URL, reason="RM_TEST_POSTGRES_URL is not set"),
    ),
]
# Quick job pickup; no periodic sweeps or stall checks while a test runs.
FAST_JOBS_ENV = {
    "RM_WORKER_POLL_SECONDS": "0.1",
    "RM_WORKER_SHUTDOWN_SECONDS": "5",
    "RM_JOBS_SWEEP_CRON": "0 0 1 1 *",
    "RM_JOBS_STALLED_CRON": "0 0 1 1 *",
}


@contextmanager
def own_database(backend: str, folder: Path) -> Iterator[str]:
    """A freshly migrated database for one backend, removed afterwards."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / 'sync.db'}"
        migrate.upgrade(url)
        yield url
        return
    assert POSTGRES_URL
    with throwaway_postgres(normalise_database_url(POSTGRES_URL), "rm_sync") as url:
        migrate.upgrade(url)
        yield url


@contextmanager
def sync_api(database_url: str, key_dir: Path) -> Iterator[Api]:
    """The app on its own database, its job worker picking runs up quickly."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAST_JOBS_ENV.items():
            patch.setenv(name, value)
        settings = load_settings(database_url=database_url, var_dir=key_dir)
        app = create_app(settings)
        with running_server(app) as base_url:
            yield Api(base_url=base_url, key_dir=key_dir, app=app)


@pytest.fixture(scope="module", params=BACKENDS)
def sync_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """Per test module and backend: the app on a migrated database of its own."""
    folder = tmp_path_factory.mktemp("sync-app")
    with own_database(request.param, folder) as url, sync_api(url, folder) as api:
        yield api
