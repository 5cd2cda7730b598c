"""Throwaway PostgreSQL databases for tests and benchmarks: created empty, dropped with FORCE."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from rm_graphql.config import normalise_database_url


def admin_conninfo(server_url: str) -> str:
    """A libpq URL for the server, from any of our spellings (postgresql://, +psycopg)."""
    url = make_url(normalise_database_url(server_url)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


@contextmanager
def throwaway_postgres(server_url: str, prefix: str = "rm_tmp") -> Iterator[str]:
    """A new empty database on the server; its URL keeps the spelling `server_url` has."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = admin_conninfo(server_url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            connection.execute(drop.format(sql.Identifier(name)))
