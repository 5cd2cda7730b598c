"""Queries of the sync room: the source lock, sync runs and HRIS connections (rows: storage)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.jobs.runs import UNFINISHED
from rm_graphql.models import HrisConnection, SyncRun
from rm_graphql.models.enums import RunStatus
from rm_graphql.paging import Window

RUN_COLUMNS = tuple(SyncRun.__table__.c)


async def lock_source(session: AsyncSession, tenant_id: int, source: str) -> None:
    """Serialise syncs of one tenant's source (SQLite's BEGIN IMMEDIATE already does)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"rm-sync:{tenant_id}:{source}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


# Sync runs ------------------------------------------------------------------------------------


async def run_for_update(session: AsyncSession, run_id: int) -> SyncRun | None:
    statement = select(SyncRun).where(SyncRun.id == run_id).with_for_update()
    return await session.scalar(statement)


async def unfinished_run(session: AsyncSession, connection_id: int) -> SyncRun | None:
    """The oldest queued or running run of a connection, if any."""
    statement = (
        select(SyncRun)
        .where(SyncRun.connection_id == connection_id, SyncRun.status.in_(UNFINISHED))
        .order_by(SyncRun.id)
        .limit(1)
    )
    return await session.scalar(statement)


async def queued_run(session: AsyncSession, connection_id: int) -> SyncRun | None:
    """A run of the connection still waiting for its job."""
    statement = select(SyncRun).where(
        SyncRun.connection_id == connection_id, SyncRun.status == RunStatus.QUEUED
    )
    return await session.scalar(statement.order_by(SyncRun.id).limit(1))


async def last_watermark(
    session: AsyncSession, tenant_id: int, source: str, connection_id: int | None
) -> str | None:
    """The watermark of the newest successful, real run of a source (ad-hoc CLI increments)."""
    statement = (
        select(SyncRun.watermark)
        .where(
            SyncRun.tenant_id == tenant_id,
            SyncRun.source == source,
            SyncRun.status == RunStatus.SUCCEEDED,
            SyncRun.dry_run.is_(False),
            SyncRun.watermark.is_not(None),
        )
        .order_by(SyncRun.id.desc())
        .limit(1)
    )
    if connection_id is None:
        statement = statement.where(SyncRun.connection_id.is_(None))
    else:
        statement = statement.where(SyncRun.connection_id == connection_id)
    return await session.scalar(statement)


def _run_filter(tenant_id: int, connection_id: int | None) -> list[Any]:
    conditions: list[Any] = [SyncRun.tenant_id == tenant_id]
    if connection_id is not None:
        conditions.append(SyncRun.connection_id == connection_id)
    return conditions


async def count_runs(session: AsyncSession, tenant_id: int, connection_id: int | None) -> int:
    statement = select(func.count()).select_from(SyncRun)
    return int(await session.scalar(statement.where(*_run_filter(tenant_id, connection_id))) or 0)


async def list_runs(
    session: AsyncSession, tenant_id: int, connection_id: int | None, page: Window
) -> Sequence[Row[Any]]:
    """Runs newest first."""
    statement = (
        select(*RUN_COLUMNS)
        .where(*_run_filter(tenant_id, connection_id))
        .order_by(SyncRun.id.desc())
        .offset(page.offset)
        .limit(page.limit)
    )
    return (await session.execute(statement)).all()


async def runs_by_ids(
    session: AsyncSession, tenant_id: int, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    statement = select(*RUN_COLUMNS).where(SyncRun.tenant_id == tenant_id, SyncRun.id.in_(ids))
    return (await session.execute(statement)).all()


async def last_runs(
    session: AsyncSession, tenant_id: int, connection_ids: Sequence[int]
) -> Sequence[Row[Any]]:
    """The newest run of each connection."""
    newest = (
        select(func.max(SyncRun.id))
        .where(SyncRun.tenant_id == tenant_id, SyncRun.connection_id.in_(connection_ids))
        .group_by(SyncRun.connection_id)
    )
    return (await session.execute(select(*RUN_COLUMNS).where(SyncRun.id.in_(newest)))).all()


# HRIS connections -----------------------------------------------------------------------------


async def connection(
    session: AsyncSession, tenant_id: int, connection_id: int, *, for_update: bool = False
) -> HrisConnection | None:
    statement = select(HrisConnection).where(
        HrisConnection.tenant_id == tenant_id, HrisConnection.id == connection_id
    )
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement)


async def connection_by_id(
    session: AsyncSession, connection_id: int, *, for_update: bool = False
) -> HrisConnection | None:
    """A connection by its id alone (inbound webhooks and jobs know no tenant yet)."""
    statement = select(HrisConnection).where(HrisConnection.id == connection_id)
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement)


async def connection_by_name(
    session: AsyncSession, tenant_id: int, name: str
) -> HrisConnection | None:
    statement = select(HrisConnection).where(
        HrisConnection.tenant_id == tenant_id, HrisConnection.name == name
    )
    return await session.scalar(statement)


async def scheduled_connections(session: AsyncSession) -> Sequence[HrisConnection]:
    """Enabled connections of every tenant that sync on a schedule."""
    rows = await session.scalars(
        select(HrisConnection)
        .where(HrisConnection.enabled.is_(True), HrisConnection.schedule_cron.is_not(None))
        .order_by(HrisConnection.id)
    )
    return rows.all()


async def connections(session: AsyncSession, tenant_id: int) -> Sequence[HrisConnection]:
    statement = (
        select(HrisConnection)
        .where(HrisConnection.tenant_id == tenant_id)
        .order_by(HrisConnection.name)
    )
    return (await session.scalars(statement)).all()


async def connections_by_ids(
    session: AsyncSession, tenant_id: int, ids: Sequence[int]
) -> Sequence[HrisConnection]:
    statement = select(HrisConnection).where(
        HrisConnection.tenant_id == tenant_id, HrisConnection.id.in_(ids)
    )
    return (await session.scalars(statement)).all()


async def connections_with_secrets(session: AsyncSession) -> Sequence[HrisConnection]:
    """Every tenant's connections that hold encrypted credentials or a webhook secret."""
    rows = await session.scalars(
        select(HrisConnection)
        .where(
            HrisConnection.credentials_encrypted.is_not(None)
            | HrisConnection.webhook_secret_encrypted.is_not(None)
        )
        .order_by(HrisConnection.id)
    )
    return rows.all()
