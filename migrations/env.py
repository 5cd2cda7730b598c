"""Alembic environment: async engines, URL from RM_DATABASE_URL, or a connection from the caller."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from rm_graphql.config import load_settings
from rm_graphql.db import create_engine
from rm_graphql.jobs.schema import include_name
from rm_graphql.models import Base
from rm_graphql.models.base import UtcDateTime

MIGRATION_LOCK = 7_300_001  # advisory-lock key shared by every rm-graphql process
config = context.config
target_metadata = Base.metadata


def render_item(kind: str, item: object, _autogen_context: object) -> str | bool:
    """Render our column types as plain SQLAlchemy types, so revisions import nothing of ours."""
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_with_connection(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_name=include_name,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Replicas that start together migrate one after the other; the lock is taken
            # before Alembic reads the current revision and released when the upgrade commits.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


async def run_async() -> None:
    url = config.attributes.get("database_url") or load_settings().database_url
    engine = create_engine(url, foreign_keys=False)
    async with engine.connect() as connection:
        await connection.run_sync(run_with_connection)
        await connection.commit()
    await engine.dispose()


def run_offline() -> None:
    context.configure(
        url=config.attributes.get("database_url") or load_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
elif (connection := config.attributes.get("connection")) is not None:
    run_with_connection(connection)
else:
    asyncio.run(run_async())
