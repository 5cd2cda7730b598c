"""Replicas starting together on one PostgreSQL migrate one after the other, not at once."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from tests.conftest import POSTGRES_URL, _admin_conninfo

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="RM_TEST_POSTGRES_URL is not set")


@pytest.fixture
def empty_database() -> Iterator[str]:
    assert POSTGRES_URL
    name = f"rm_lock_{uuid.uuid4().hex[:10]}"
    admin = _admin_conninfo(POSTGRES_URL)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def test_three_replicas_migrating_at_once_all_succeed(empty_database: str) -> None:
    env = {**os.environ, "RM_DATABASE_URL": empty_database}
    replicas = [
        subprocess.Popen(
            [sys.executable, "-m", "rm_graphql.cli", "migrate"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [replica.communicate(timeout=180) for replica in replicas]
    assert [replica.returncode for replica in replicas] == [0, 0, 0], [
        err for _out, err in outcomes
    ]
    with psycopg.connect(empty_database) as connection:
        versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    assert len(versions) == 1
