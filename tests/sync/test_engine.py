"""The engine against the fake BambooHR: values, managers, leavers, idempotency, increments."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.connectors import FieldMismatchError
from rm_graphql.db import Database
from rm_graphql.models.enums import EmployeeStatus
from rm_graphql.sync.plan import ChangeKind
from rm_graphql.testing import Organisation
from rm_graphql.testing.org import LEAVE, TERMINATED
from tests.support.people import create_tenant

from .conftest import Fake, bamboo_connector
from .support import employee_state, sync, writes_to_employees


def expected_status(status: str) -> EmployeeStatus:
    return {TERMINATED: EmployeeStatus.TERMINATED, LEAVE: EmployeeStatus.LEAVE}.get(
        status, EmployeeStatus.ACTIVE
    )


def assert_mirrors(state: dict[str, dict[str, object]], org: Organisation) -> None:
    """The employees table holds the organisation as the fake serves it."""
    assert set(state) == {person.bamboo_id for person in org.current()}
    for person in org.current():
        row = state[person.bamboo_id]
        manager = org.people.get(person.manager) if person.manager else None
        assert row["manager"] == (manager.bamboo_id if manager else None)
        assert row["display_name"] == person.display_name
        assert row["employee_number"] == person.employee_number
        assert row["job_level"] == person.level
        assert row["languages"] == list(person.languages)
        assert row["status"] is expected_status(person.status)
        if person.termination_date is not None:
            assert row["terminated_at"] == datetime.combine(person.termination_date, time.min, UTC)
        else:
            assert row["terminated_at"] is None


async def test_full_run_creates_everyone_with_managers_linked(
    session: AsyncSession, bamboo: Fake
) -> None:
    fake, _ = bamboo
    tenant = await create_tenant(session)
    outcome = await sync(session, tenant.id, bamboo_connector(bamboo))
    assert outcome.created == len(fake.org.current())
    assert (outcome.updated, outcome.terminated, outcome.unchanged) == (0, 0, 0)
    assert outcome.invalid == []
    assert outcome.complete
    assert outcome.watermark == max(p.last_changed for p in fake.org.current())
    assert_mirrors(await employee_state(session, tenant.id), fake.org)


async def test_second_run_without_changes_writes_nothing(
    session: AsyncSession, database: Database, bamboo: Fake
) -> None:
    tenant = await create_tenant(session)
    await sync(session, tenant.id, bamboo_connector(bamboo))
    with writes_to_employees(database.engine) as writes:
        again = await sync(session, tenant.id, bamboo_connector(bamboo))
    assert writes == []
    assert (again.created, again.updated, again.terminated) == (0, 0, 0)
    assert again.unchanged == len(bamboo[0].org.current())


def without_derived(state: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    """Drop "people manager", derived from reports without bumping the manager's lastChanged."""
    return {key: {**row, "custom_attributes": None} for key, row in state.items()}


async def test_incremental_run_ends_like_a_full_one(session: AsyncSession, bamboo: Fake) -> None:
    fake, _ = bamboo
    incremental, full = await create_tenant(session), await create_tenant(session)
    first = await sync(session, incremental.id, bamboo_connector(bamboo))
    changes = fake.org.advance(days=30)
    assert changes.joined
    assert changes.left
    assert changes.updated
    assert changes.deleted
    outcome = await sync(session, incremental.id, bamboo_connector(bamboo), since=first.watermark)
    assert not outcome.complete
    assert outcome.created == len(changes.joined)
    assert outcome.terminated == len(changes.left)
    assert outcome.updated == len(set(changes.updated) - set(changes.left))
    await sync(session, full.id, bamboo_connector(bamboo))
    incremental_state = await employee_state(session, incremental.id)
    full_state = await employee_state(session, full.id)
    [purged] = [fake.org.deleted[number][0].bamboo_id for number in changes.deleted]
    assert incremental_state.pop(purged)["status"] is EmployeeStatus.TERMINATED  # kept, a leaver
    assert without_derived(incremental_state) == without_derived(full_state)
    # The next full run corrects what no change feed reports (here the derived flag).
    await sync(session, incremental.id, bamboo_connector(bamboo))
    corrected = await employee_state(session, incremental.id)
    corrected.pop(purged)
    assert corrected == full_state


async def test_dry_run_reports_the_diff_and_writes_nothing(
    session: AsyncSession, database: Database, bamboo: Fake
) -> None:
    fake, _ = bamboo
    tenant = await create_tenant(session)
    await sync(session, tenant.id, bamboo_connector(bamboo))
    changes = fake.org.advance(days=30)
    before = await employee_state(session, tenant.id)
    with writes_to_employees(database.engine) as writes:
        dry = await sync(session, tenant.id, bamboo_connector(bamboo), dry_run=True)
    assert writes == []
    assert await employee_state(session, tenant.id) == before
    created = {c.external_id for c in dry.plan.changes if c.kind is ChangeKind.CREATED}
    assert created == {fake.org.people[number].bamboo_id for number in changes.joined}
    leaver = fake.org.people[changes.left[0]]
    [gone] = [c for c in dry.plan.changes if c.external_id == leaver.bamboo_id]
    assert gone.kind is ChangeKind.TERMINATED
    status = {f.name: (f.old, f.new) for f in gone.fields}["status"]
    assert status == (EmployeeStatus.ACTIVE, EmployeeStatus.TERMINATED)
    real = await sync(session, tenant.id, bamboo_connector(bamboo))
    assert (real.created, real.updated, real.terminated) == (
        dry.created,
        dry.updated,
        dry.terminated,
    )


async def test_silently_dropped_fields_fail_loudly_and_change_nothing(
    session: AsyncSession, bamboo: Fake
) -> None:
    fake, _ = bamboo
    tenant = await create_tenant(session)
    fake.faults.drop_fields("customLevel")
    with pytest.raises(FieldMismatchError, match="customLevel"):
        await sync(session, tenant.id, bamboo_connector(bamboo))
    assert await employee_state(session, tenant.id) == {}
