"""Sync rules on small CSV files: leavers, re-hires, managers, invalid rows, erased people."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.auth.principal import Principal, Scope
from rm_graphql.connectors.csv import CSVConfig, CSVConnector
from rm_graphql.models import Employee
from rm_graphql.models.enums import EmployeeStatus
from rm_graphql.privacy import service as privacy
from rm_graphql.sync.service import SyncError
from rm_graphql.tenancy.service import Actor
from tests.support.people import create_tenant

from .support import DIGEST_KEY, employee_state, sync

COLUMNS = (
    "employee_id", "employee_number", "email", "name", "department", "manager_id",
    "manager_employee_number", "termination_date", "level", "status",
)  # fmt: skip


def person(external_id: str, **values: str) -> dict[str, str]:
    return {"employee_id": external_id, "employee_number": f"N{external_id}",
            "name": f"Person {external_id}", "status": "active", **values}  # fmt: skip


def export(tmp_path: Path, *people: dict[str, str]) -> CSVConnector:
    """Write an HR export with these rows and return a connector for it."""
    path = tmp_path / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(people)
    return CSVConnector(CSVConfig(path))


async def test_leavers_missing_from_a_full_file_are_terminated_and_rehires_come_back(
    session: AsyncSession, tmp_path: Path
) -> None:
    tenant = await create_tenant(session)
    await sync(session, tenant.id, export(tmp_path, person("1"), person("2", manager_id="1")))
    gone = await sync(session, tenant.id, export(tmp_path, person("1")))
    assert (gone.terminated, gone.unchanged) == (1, 1)
    state = await employee_state(session, tenant.id)
    assert state["2"]["status"] is EmployeeStatus.TERMINATED
    assert state["2"]["terminated_at"] is not None
    assert state["2"]["manager"] == "1"  # never deleted: history and links stay
    back = await sync(session, tenant.id, export(tmp_path, person("1"), person("2")))
    assert (back.updated, back.terminated) == (1, 0)
    rehired = (await employee_state(session, tenant.id))["2"]
    assert rehired["status"] is EmployeeStatus.ACTIVE
    assert rehired["terminated_at"] is None


async def test_managers_resolve_by_id_or_employee_number_and_in_cycles(
    session: AsyncSession, tmp_path: Path
) -> None:
    tenant = await create_tenant(session)
    people = [
        person("1", manager_employee_number="N3"),
        person("2", manager_id="1"),
        person("3", manager_id="2"),  # 1 -> 3 -> 2 -> 1: a cycle of new people
        person("4", manager_employee_number="N2"),
        person("5", manager_id="5"),  # their own manager: none
    ]
    outcome = await sync(session, tenant.id, export(tmp_path, *people))
    assert outcome.invalid == []
    state = await employee_state(session, tenant.id)
    managers = {key: row["manager"] for key, row in state.items()}
    assert managers == {"1": "3", "2": "1", "3": "2", "4": "2", "5": None}


async def test_ambiguous_and_unknown_managers_are_reported_not_guessed(
    session: AsyncSession, tmp_path: Path
) -> None:
    tenant = await create_tenant(session)
    first = [person("1"), person("2"), person("3", manager_id="1")]
    await sync(session, tenant.id, export(tmp_path, *first))
    later = [
        person("1"),
        person("2"),
        person("3", manager_id="1", manager_employee_number="N2"),  # id and number disagree
        person("4", manager_id="99"),
    ]
    outcome = await sync(session, tenant.id, export(tmp_path, *later))
    reasons = {item.external_id: item.reason for item in outcome.invalid}
    assert "ambiguous" in reasons["3"]
    assert "1, 2" in reasons["3"]
    assert "matches no employee" in reasons["4"]
    state = await employee_state(session, tenant.id)
    assert state["3"]["manager"] == "1"  # left as it was
    assert state["4"]["manager"] is None
    assert outcome.created == 1


async def test_invalid_rows_are_reported_kept_and_never_terminated(
    session: AsyncSession, tmp_path: Path
) -> None:
    tenant = await create_tenant(session)
    await sync(session, tenant.id, export(tmp_path, person("1"), person("2")))
    broken = [person("1"), person("2", email="not-an-email"), person("3", department="x" * 201)]
    outcome = await sync(session, tenant.id, export(tmp_path, *broken))
    reasons = {item.external_id: item.reason for item in outcome.invalid}
    assert set(reasons) == {"2", "3"}
    assert "email" in reasons["2"]
    assert "department: longer than 200" in reasons["3"]
    assert (outcome.created, outcome.terminated, outcome.unchanged) == (0, 0, 1)
    state = await employee_state(session, tenant.id)
    assert set(state) == {"1", "2"}
    assert state["2"]["status"] is EmployeeStatus.ACTIVE


async def test_erased_people_are_never_recreated_or_updated(
    session: AsyncSession, tmp_path: Path
) -> None:
    tenant = await create_tenant(session)
    await sync(session, tenant.id, export(tmp_path, person("1"), person("2", manager_id="1")))
    principal = Principal(tenant.slug, "hr@example.com", None, frozenset({Scope.ADMIN}))
    admin = Actor(tenant.id, principal, None)
    erased_id = await _employee_id(session, tenant.id, "1")
    await privacy.erase(session, admin, DIGEST_KEY, erased_id, "right to erasure")
    changed = [person("1", name="Back Again"), person("2", manager_id="1")]
    outcome = await sync(session, tenant.id, export(tmp_path, *changed))
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 2)
    after = await employee_state(session, tenant.id)
    assert "1" not in after
    assert "Back Again" not in {row["display_name"] for row in after.values()}
    assert after["2"]["manager"] == f"erased-employee-{erased_id}"  # the link is kept


async def _employee_id(session: AsyncSession, tenant_id: int, external_id: str) -> int:
    found = await session.scalar(
        select(Employee.id).where(
            Employee.tenant_id == tenant_id, Employee.external_id == external_id
        )
    )
    assert found is not None
    return found


async def test_a_full_listing_with_nobody_in_it_is_refused(
    session: AsyncSession, tmp_path: Path
) -> None:
    tenant = await create_tenant(session)
    await sync(session, tenant.id, export(tmp_path, person("1"), person("2")))
    with pytest.raises(SyncError, match="refusing to terminate 2"):
        await sync(session, tenant.id, export(tmp_path))
    assert {row["status"] for row in (await employee_state(session, tenant.id)).values()} == {
        EmployeeStatus.ACTIVE
    }
