"""Replicas starting together on one PostgreSQL migrate one after the other, not at once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pytest

from rm_graphql.testing.databases import admin_conninfo, throwaway_postgres
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="RM_TEST_POSTGRES_URL is not set")


@pytest.fixture
def empty_database() -> Iterator[str]:
    assert POSTGRES_URL
    with throwaway_postgres(admin_conninfo(POSTGRES_URL), "rm_lock") as url:
        yield url


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
