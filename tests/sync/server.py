"""The real app, served with its lifespan (job queue and worker) plus the webhook route.

The sync API tests commit and run jobs, so each module gets a migrated database of its own.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import uvicorn
from psycopg import sql
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.routing import Route

from rm_graphql import migrate
from rm_graphql.app import create_app
from rm_graphql.config import load_settings, normalise_database_url
from rm_graphql.sync.webhooks import receive_webhook
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


def _admin_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def own_database(backend: str, folder: Path) -> Iterator[str]:
    """A freshly migrated database for one backend, removed afterwards."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / 'sync.db'}"
        migrate.upgrade(url)
        yield url
        return
    assert POSTGRES_URL
    server = normalise_database_url(POSTGRES_URL)
    name = f"rm_sync_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_url(server), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(_admin_url(server), autocommit=True) as connection:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            connection.execute(drop)


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Serve with the lifespan on (it opens the job queue and the in-process worker)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive(), "the app stopped while starting"
            assert time.monotonic() < deadline, "the app did not start"
            time.sleep(0.02)
        host, port = sock.getsockname()[:2]
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


@contextmanager
def sync_api(database_url: str, key_dir: Path) -> Iterator[Api]:
    """The app on its own database, with `/webhooks/{connection}` wired as the lead will."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAST_JOBS_ENV.items():
            patch.setenv(name, value)
        settings = load_settings(database_url=database_url, var_dir=key_dir)
        app = create_app(settings)
        app.router.routes.append(Route("/webhooks/{connection}", receive_webhook, methods=["POST"]))
        with serving(app) as base_url:
            yield Api(base_url=base_url, key_dir=key_dir, app=app)
