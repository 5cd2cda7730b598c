"""The Procrastinate app factory: psycopg 3 on PostgreSQL, in memory on SQLite."""

from __future__ import annotations

from procrastinate import App, BaseConnector, PsycopgConnector
from procrastinate.testing import InMemoryConnector
from sqlalchemy.engine import make_url

from rm_graphql.config import Settings
from rm_graphql.jobs.config import JobsSettings
from rm_graphql.jobs.registry import TaskRegistry
from rm_graphql.jobs.tasks import register_tasks

# A worker holds one connection to LISTEN, and uses a few for fetching, heartbeats and periodics.
CONNECTIONS_BESIDE_JOBS = 3


def conninfo(database_url: str) -> str:
    """RM_DATABASE_URL (postgresql+psycopg://...) as a libpq URI for Procrastinate's pool."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError("Procrastinate's connector needs a PostgreSQL URL")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def build_connector(settings: Settings, max_connections: int) -> BaseConnector:
    """The same database as the data on PostgreSQL; process memory on SQLite."""
    if settings.is_sqlite:
        return InMemoryConnector()
    return PsycopgConnector(
        conninfo=conninfo(settings.database_url), min_size=1, max_size=max_connections
    )


def build_app(
    settings: Settings,
    jobs_settings: JobsSettings,
    registry: TaskRegistry,
    *,
    concurrency: int = 1,
) -> App:
    """A fresh Procrastinate app with every task and periodic schedule registered."""
    connector = build_connector(settings, max_connections=concurrency + CONNECTIONS_BESIDE_JOBS)
    app = App(connector=connector)
    register_tasks(app, jobs_settings, registry)
    return app
