"""The database itself enforces what must always hold."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models import Feedback, MentoringSession, Pair, Participant, Program, Tenant
from rm_graphql.models.enums import EmployeeStatus, PairStatus, ParticipantRole
from tests.support.people import create_employee, create_tenant
from tests.support.programs import create_pair, create_program, enrol


async def _violates(session: AsyncSession, write: Callable[[], Awaitable[object]]) -> None:
    """The write fails with an integrity error and leaves the session usable."""

    async def write_and_flush() -> None:
        await write()
        await session.flush()

    savepoint = await session.begin_nested()
    with pytest.raises(IntegrityError):
        await write_and_flush()
    await savepoint.rollback()


async def _pair_setup(session: AsyncSession) -> tuple[Tenant, Participant, Participant]:
    tenant = await create_tenant(session)
    program = await create_program(session, tenant)
    junior = await create_employee(session, tenant, job_level=2)
    senior = await create_employee(session, tenant, job_level=8)
    mentor = await enrol(session, program, junior, ParticipantRole.MENTOR)
    mentee = await enrol(session, program, senior, ParticipantRole.MENTEE)
    return tenant, mentor, mentee


async def test_external_id_is_unique_per_tenant_and_source(session: AsyncSession) -> None:
    tenant = await create_tenant(session)
    other = await create_tenant(session)
    await create_employee(session, tenant, external_id="42")
    await create_employee(session, other, external_id="42")
    await create_employee(session, tenant, external_id="42", source="csv")
    await _violates(session, lambda: create_employee(session, tenant, external_id="42"))


async def test_terminated_status_and_timestamp_go_together(session: AsyncSession) -> None:
    tenant = await create_tenant(session)
    await _violates(
        session, lambda: create_employee(session, tenant, status=EmployeeStatus.TERMINATED)
    )
    await _violates(
        session,
        lambda: create_employee(session, tenant, terminated_at=datetime.now(UTC)),
    )
    leaver = await create_employee(
        session, tenant, status=EmployeeStatus.TERMINATED, terminated_at=datetime.now(UTC)
    )
    assert leaver.id


async def test_mentor_and_mentee_differ(session: AsyncSession) -> None:
    _tenant, mentor, _mentee = await _pair_setup(session)
    await _violates(session, lambda: create_pair(session, mentor, mentor))


async def test_a_mentee_has_one_live_pair(session: AsyncSession) -> None:
    tenant, mentor, mentee = await _pair_setup(session)
    program = await session.get_one(Program, mentor.program_id)
    second_mentor = await enrol(
        session,
        program,
        await create_employee(session, tenant, job_level=1),
        ParticipantRole.MENTOR,
    )
    first = await create_pair(session, mentor, mentee)
    await _violates(session, lambda: create_pair(session, second_mentor, mentee))
    await session.execute(
        update(Pair).where(Pair.id == first.id).values(status=PairStatus.DECLINED)
    )
    assert await create_pair(session, second_mentor, mentee)


async def test_mentor_capacity_is_guarded(session: AsyncSession) -> None:
    _tenant, mentor, _mentee = await _pair_setup(session)

    async def overfill() -> None:
        await session.execute(
            update(Participant).where(Participant.id == mentor.id).values(assigned_count=2)
        )

    await _violates(session, overfill)
    count = await session.scalar(
        select(Participant.assigned_count).where(Participant.id == mentor.id)
    )
    assert count == 0


@pytest.mark.parametrize("rating", [0, 6])
async def test_ratings_are_between_one_and_five(session: AsyncSession, rating: int) -> None:
    _tenant, mentor, mentee = await _pair_setup(session)
    pair = await create_pair(session, mentor, mentee)

    async def rate() -> None:
        session.add(Feedback(tenant_id=pair.tenant_id, pair_id=pair.id, usefulness=rating))

    await _violates(session, rate)


async def test_session_durations_are_positive(session: AsyncSession) -> None:
    _tenant, mentor, mentee = await _pair_setup(session)
    pair = await create_pair(session, mentor, mentee)

    async def log_zero_minutes() -> None:
        session.add(
            MentoringSession(
                tenant_id=pair.tenant_id,
                pair_id=pair.id,
                starts_at=datetime.now(UTC),
                duration_minutes=0,
            )
        )

    await _violates(session, log_zero_minutes)


async def test_unknown_enum_values_are_refused(session: AsyncSession) -> None:
    tenant = await create_tenant(session)
    employee = await create_employee(session, tenant)
    statement = text("UPDATE employees SET status = 'FIRED' WHERE id = :id")
    await _violates(session, lambda: session.execute(statement, {"id": employee.id}))
