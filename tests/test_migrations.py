"""The migrations build the schema the models describe, and unwind cleanly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from rm_graphql import migrate
from rm_graphql.db import Database
from rm_graphql.jobs.schema import include_name
from rm_graphql.models import Base


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_name}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_models_and_migrations_agree(database: Database) -> None:
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []


async def test_database_is_at_head(database: Database) -> None:
    async with database.engine.connect() as connection:
        assert await connection.run_sync(migrate.at_head)


def test_downgrade_to_base_and_back(database_url: str) -> None:
    """Runs last on its backend's database: down to nothing, then up again for later tests."""
    migrate.downgrade(database_url, "base")
    migrate.upgrade(database_url, "head")


@pytest.mark.parametrize("revision", sorted(migrate.head_revisions()))
def test_single_head(revision: str) -> None:
    assert len(migrate.head_revisions()) == 1, revision
