"""Scheduled incremental syncs fire on their connection's cron, and never pile up."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models import HrisConnection, SyncRun
from rm_graphql.models.enums import ConnectionKind, RunStatus, SyncMode
from rm_graphql.sync.schedule import due, queue_scheduled_syncs, valid_schedule
from tests.support.people import create_tenant


@pytest.mark.parametrize(
    ("expression", "valid"),
    [
        ("0 2 * * *", True),
        ("*/15 * * * 1-5", True),
        ("61 * * * *", False),
        ("daily", False),
        ("* * * *", False),
    ],
)
def test_schedules_are_checked(expression: str, valid: bool) -> None:
    assert valid_schedule(expression) is valid


def test_due_in_the_minute_the_cron_names() -> None:
    assert due("30 2 * * *", datetime(2026, 11, 23, 2, 30, 41, tzinfo=UTC))
    assert not due("30 2 * * *", datetime(2026, 11, 23, 2, 31, tzinfo=UTC))


async def test_a_due_connection_gets_one_incremental_run(session: AsyncSession) -> None:
    tenant = await create_tenant(session)
    nightly = HrisConnection(
        tenant_id=tenant.id,
        name="nightly",
        kind=ConnectionKind.CSV,
        options={"path": "x.csv"},
        schedule_cron="0 2 * * *",
    )
    hourly = HrisConnection(
        tenant_id=tenant.id,
        name="hourly",
        kind=ConnectionKind.CSV,
        options={"path": "y.csv"},
        schedule_cron="5 * * * *",
    )
    session.add_all([nightly, hourly])
    await session.flush()
    at = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    first = await queue_scheduled_syncs(session, None, at)
    again = await queue_scheduled_syncs(session, None, at)
    runs = (await session.scalars(select(SyncRun).where(SyncRun.tenant_id == tenant.id))).all()
    assert len(first) == 1
    assert again == []  # the first run is still queued: no pile-up
    assert [(r.connection_id, r.mode, r.status, r.requested_by) for r in runs] == [
        (nightly.id, SyncMode.INCREMENTAL, RunStatus.QUEUED, "schedule")
    ]
