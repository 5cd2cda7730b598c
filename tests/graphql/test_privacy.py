"""Data-subject rights: an admin exports one person's data, or erases the person for good."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from strawberry.relay import to_base64

from rm_graphql.db import Database
from rm_graphql.models import Employee, ErasureTombstone, Feedback, MentoringSession, Pair
from rm_graphql.models.enums import PairStatus
from rm_graphql.privacy.service import subject_digest
from tests.support.api import Api, new_tenant
from tests.support.seed import SeededProgram, seed_program

EXPORT = """mutation($id: ID!) { exportEmployeeData(employeeId: $id) {
  __typename ... on EmployeeDataExport { data } ... on Error { code } } }"""
ERASE = """mutation($id: ID!) { eraseEmployee(input: {employeeId: $id, reason: "asked"}) {
  __typename ... on Employee { displayName email externalId } ... on Error { code } } }"""


async def _with_feedback(database: Database) -> tuple[SeededProgram, int]:
    seeded = await seed_program(database, new_tenant(), mentors=1, mentees=1)
    mentor, mentee = seeded.mentors[0], seeded.mentees[0]
    async with database.transaction() as session:
        pair = Pair(
            tenant_id=mentor.tenant_id,
            program_id=mentor.program_id,
            mentor_id=mentor.id,
            mentee_id=mentee.id,
            status=PairStatus.ACTIVE,
            published_at=datetime.now(UTC),
        )
        session.add(pair)
        await session.flush()
        held = MentoringSession(
            tenant_id=pair.tenant_id,
            pair_id=pair.id,
            starts_at=datetime.now(UTC),
            duration_minutes=30,
        )
        session.add(held)
        await session.flush()
        session.add_all(
            [
                Feedback(
                    tenant_id=pair.tenant_id,
                    pair_id=pair.id,
                    author_id=mentee.id,
                    usefulness=5,
                    comment="Great on AI",
                ),
                Feedback(
                    tenant_id=pair.tenant_id,
                    pair_id=pair.id,
                    session_id=held.id,
                    author_id=mentee.id,
                    comfort=2,
                    comment="secret",
                    anonymous=True,
                ),
            ]
        )
        employee = await session.get_one(Employee, mentee.employee_id)
        employee.hire_date = date(2015, 6, 1)
    return seeded, mentee.employee_id


async def test_export_holds_the_persons_data_but_not_their_anonymous_words(
    api: Api, database: Database
) -> None:
    seeded, employee_id = await _with_feedback(database)
    admin = api.token(seeded.tenant, "hr@example.com", "rm:admin")
    exported = api.query(EXPORT, {"id": to_base64("Employee", employee_id)}, token=admin)[
        "exportEmployeeData"
    ]
    data = exported["data"]
    assert data["employee"]["id"] == employee_id
    assert len(data["participations"]) == 1
    assert len(data["pairs"]) == 1
    assert [f["comment"] for f in data["feedback"]] == ["Great on AI"]
    assert data["anonymousFeedbackCount"] == 1
    assert "secret" not in str(data)


async def test_only_admins_export_or_erase(api: Api, database: Database) -> None:
    seeded, employee_id = await _with_feedback(database)
    manager = api.token(seeded.tenant, "pm@example.com", "rm:program")
    variables = {"id": to_base64("Employee", employee_id)}
    assert (
        api.query(EXPORT, variables, token=manager)["exportEmployeeData"]["code"] == "NOT_ALLOWED"
    )
    assert api.query(ERASE, variables, token=manager)["eraseEmployee"]["code"] == "NOT_ALLOWED"
    stranger = api.token(new_tenant(), "hr@example.com", "rm:admin")
    assert api.query(ERASE, variables, token=stranger)["eraseEmployee"]["code"] == "NOT_FOUND"


async def test_erasure_pseudonymises_and_keeps_the_counts(api: Api, database: Database) -> None:
    seeded, employee_id = await _with_feedback(database)
    async with database.transaction() as session:
        before = await session.get_one(Employee, employee_id)
        source, external_id = before.source, before.external_id
    admin = api.token(seeded.tenant, "hr@example.com", "rm:admin")
    variables = {"id": to_base64("Employee", employee_id)}
    erased = api.query(ERASE, variables, token=admin)["eraseEmployee"]
    assert erased == {
        "__typename": "Employee",
        "displayName": "[erased]",
        "email": None,
        "externalId": f"erased-employee-{employee_id}",
    }
    assert api.query(ERASE, variables, token=admin)["eraseEmployee"]["code"] == "CONFLICT"
    async with database.transaction() as session:
        employee = await session.get_one(Employee, employee_id)
        assert employee.erased_at is not None
        assert employee.hire_date == date(2015, 1, 1)
        feedback = (
            await session.scalars(
                select(Feedback).where(Feedback.author_id == seeded.mentees[0].id)
            )
        ).all()
        assert {f.comment for f in feedback} == {None}
        assert {(f.usefulness, f.comfort) for f in feedback} == {(None, 2), (5, None)}
        digests = set(await session.scalars(select(ErasureTombstone.subject_digest)))
    settings = api.app.state.settings
    from rm_graphql.security import erasure_key

    assert subject_digest(erasure_key(settings), source, external_id) in digests
