"""Helpers for job tests: throwaway migrated databases, rows to run, and waiting."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql import migrate
from rm_graphql.config import normalise_database_url
from rm_graphql.db import Database
from rm_graphql.jobs.runs import UNFINISHED
from rm_graphql.models import (
    AuditEvent,
    HrisConnection,
    MatchingRun,
    Program,
    SyncRun,
    Tenant,
)
from rm_graphql.models.enums import ConnectionKind, RunStatus, SyncMode
from rm_graphql.testing.databases import throwaway_postgres

POSTGRES_URL = os.environ.get("RM_TEST_POSTGRES_URL")


@contextmanager
def migrated_postgres_database() -> Iterator[str]:
    """A new database on the test server, migrated to head; dropped on exit."""
    assert POSTGRES_URL
    with throwaway_postgres(normalise_database_url(POSTGRES_URL), "rm_jobs") as url:
        migrate.upgrade(url)
        yield url


async def create_tenant(session: AsyncSession, label: str = "t") -> Tenant:
    slug = f"{label}-{uuid.uuid4().hex[:8]}"
    tenant = Tenant(slug=slug, name=f"Tenant {slug}")
    session.add(tenant)
    await session.flush()
    return tenant


async def create_program(session: AsyncSession, tenant: Tenant) -> Program:
    program = Program(tenant_id=tenant.id, name="Digital reverse mentoring")
    session.add(program)
    await session.flush()
    return program


async def create_matching_run(
    session: AsyncSession,
    program: Program,
    *,
    sleep: float = 0.0,
    status: RunStatus = RunStatus.QUEUED,
) -> MatchingRun:
    """A matching run; the test handler sleeps `sleep` seconds while it runs."""
    run = MatchingRun(
        tenant_id=program.tenant_id,
        program_id=program.id,
        status=status,
        config_snapshot={"sleep": sleep},
    )
    session.add(run)
    await session.flush()
    return run


async def create_connection(session: AsyncSession, tenant: Tenant) -> HrisConnection:
    connection = HrisConnection(
        tenant_id=tenant.id, name=f"hris-{uuid.uuid4().hex[:6]}", kind=ConnectionKind.CSV
    )
    session.add(connection)
    await session.flush()
    return connection


async def create_sync_run(
    session: AsyncSession,
    tenant: Tenant,
    connection: HrisConnection | None = None,
    source: str = "test",
) -> SyncRun:
    run = SyncRun(
        tenant_id=tenant.id,
        connection_id=None if connection is None else connection.id,
        source=source,
        mode=SyncMode.FULL,
        status=RunStatus.QUEUED,
    )
    session.add(run)
    await session.flush()
    return run


async def run_status(database: Database, run_id: int) -> MatchingRun:
    async with database.transaction(readonly=True) as session:
        return await session.get_one(MatchingRun, run_id)


def finished(database: Database, run_id: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        run = await run_status(database, run_id)
        return run.status not in UNFINISHED

    return check


async def ran(database: Database, run_id: int) -> list[AuditEvent]:
    async with database.transaction(readonly=True) as session:
        query = select(AuditEvent).where(
            AuditEvent.action == "matching.ran", AuditEvent.target_id == str(run_id)
        )
        return list((await session.execute(query)).scalars().all())


async def wait_until(
    condition: Callable[[], Awaitable[bool]], within: float = 20.0, every: float = 0.05
) -> None:
    """Poll an async condition until it holds; fail the test if it never does."""
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(every)
