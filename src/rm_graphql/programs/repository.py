"""Every query about programs and participants; always scoped by tenant."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models import Employee, Pair, Participant, ParticipantTopic, Program, Topic
from rm_graphql.models.enums import EnrolmentMode, ParticipantRole, ParticipantStatus, ProgramStatus
from rm_graphql.paging import Window

PROGRAM_COLUMNS = tuple(Program.__table__.c)
PARTICIPANT_COLUMNS = tuple(Participant.__table__.c)


async def get_program(session: AsyncSession, tenant_id: int, program_id: int) -> Program | None:
    return await session.scalar(
        select(Program).where(Program.tenant_id == tenant_id, Program.id == program_id)
    )


def _program_conditions(
    tenant_id: int, status: ProgramStatus | None, visible_to: int | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Program.tenant_id == tenant_id]
    if status is not None:
        conditions.append(Program.status == status)
    if visible_to is not None:
        mine = select(Participant.program_id).where(Participant.employee_id == visible_to)
        conditions.append(or_(Program.id.in_(mine), Program.enrolment_mode == EnrolmentMode.OPEN))
    return conditions


async def count_programs(
    session: AsyncSession, tenant_id: int, status: ProgramStatus | None, visible_to: int | None
) -> int:
    statement = select(func.count()).select_from(Program)
    return int(
        await session.scalar(statement.where(*_program_conditions(tenant_id, status, visible_to)))
        or 0
    )


async def list_programs(
    session: AsyncSession,
    tenant_id: int,
    status: ProgramStatus | None,
    visible_to: int | None,
    page: Window,
) -> Sequence[Row[Any]]:
    statement = (
        select(*PROGRAM_COLUMNS)
        .where(*_program_conditions(tenant_id, status, visible_to))
        .order_by(Program.created_at.desc(), Program.id.desc())
        .offset(page.offset)
        .limit(page.limit)
    )
    return (await session.execute(statement)).all()


async def programs_by_ids(
    session: AsyncSession, tenant_id: int, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    statement = select(*PROGRAM_COLUMNS).where(Program.tenant_id == tenant_id, Program.id.in_(ids))
    return (await session.execute(statement)).all()


def _participant_conditions(
    tenant_id: int,
    program_id: int,
    role: ParticipantRole | None,
    status: ParticipantStatus | None,
    employee_id: int | None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Participant.tenant_id == tenant_id,
        Participant.program_id == program_id,
    ]
    if role is not None:
        conditions.append(Participant.role == role)
    if status is not None:
        conditions.append(Participant.status == status)
    if employee_id is not None:
        conditions.append(Participant.employee_id == employee_id)
    return conditions


async def count_participants(session: AsyncSession, *criteria: Any) -> int:
    statement = select(func.count()).select_from(Participant)
    return int(await session.scalar(statement.where(*_participant_conditions(*criteria))) or 0)


async def list_participants(
    session: AsyncSession, *criteria: Any, page: Window
) -> Sequence[Row[Any]]:
    statement = (
        select(*PARTICIPANT_COLUMNS)
        .join(Employee, Employee.id == Participant.employee_id)
        .where(*_participant_conditions(*criteria))
        .order_by(Participant.role, Employee.display_name, Participant.id)
        .offset(page.offset)
        .limit(page.limit)
    )
    return (await session.execute(statement)).all()


async def participants_by_ids(
    session: AsyncSession, tenant_id: int, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    statement = select(*PARTICIPANT_COLUMNS).where(
        Participant.tenant_id == tenant_id, Participant.id.in_(ids)
    )
    return (await session.execute(statement)).all()


async def participations_of(
    session: AsyncSession, tenant_id: int, employee_id: int
) -> Sequence[Row[Any]]:
    statement = (
        select(*PARTICIPANT_COLUMNS)
        .where(Participant.tenant_id == tenant_id, Participant.employee_id == employee_id)
        .order_by(Participant.id)
    )
    return (await session.execute(statement)).all()


async def get_participant(
    session: AsyncSession, tenant_id: int, participant_id: int
) -> Participant | None:
    return await session.scalar(
        select(Participant).where(
            Participant.tenant_id == tenant_id, Participant.id == participant_id
        )
    )


async def find_participant(
    session: AsyncSession, tenant_id: int, program_id: int, employee_id: int
) -> Participant | None:
    return await session.scalar(
        select(Participant).where(
            Participant.tenant_id == tenant_id,
            Participant.program_id == program_id,
            Participant.employee_id == employee_id,
        )
    )


async def employees_in_tenant(
    session: AsyncSession, tenant_id: int, ids: Sequence[int]
) -> dict[int, Employee]:
    rows = await session.scalars(
        select(Employee).where(Employee.tenant_id == tenant_id, Employee.id.in_(ids))
    )
    return {employee.id: employee for employee in rows}


async def has_live_pairs(session: AsyncSession, participant_id: int) -> bool:
    statement = (
        select(func.count())
        .select_from(Pair)
        .where(
            (Pair.mentor_id == participant_id) | (Pair.mentee_id == participant_id),
            Pair.status.in_(("PROPOSED", "ACTIVE")),
        )
    )
    return bool(await session.scalar(statement))


async def topic_levels(
    session: AsyncSession, tenant_id: int, participant_ids: Sequence[int]
) -> Sequence[Row[Any]]:
    """(participant_id, direction, level, topic columns...) for a set of participants."""
    statement = (
        select(
            ParticipantTopic.participant_id,
            ParticipantTopic.direction,
            ParticipantTopic.level,
            *Topic.__table__.c,
        )
        .join(Topic, Topic.id == ParticipantTopic.topic_id)
        .where(
            ParticipantTopic.tenant_id == tenant_id,
            ParticipantTopic.participant_id.in_(participant_ids),
        )
        .order_by(ParticipantTopic.participant_id, Topic.slug)
    )
    return (await session.execute(statement)).all()


async def replace_topics(
    session: AsyncSession,
    participant: Participant,
    rows: Sequence[ParticipantTopic],
    directions: set[str],
) -> None:
    await session.execute(
        delete(ParticipantTopic).where(
            ParticipantTopic.participant_id == participant.id,
            ParticipantTopic.direction.in_(directions),
        )
    )
    session.add_all(rows)
