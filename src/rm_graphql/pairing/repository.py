"""Every query about pairs, their history, pins and forbids, and matching runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models import (
    Employee,
    MatchingRun,
    Pair,
    PairRule,
    PairTransition,
    Participant,
    Program,
)
from rm_graphql.models.enums import PairRuleKind, PairStatus, ParticipantStatus, RunStatus
from rm_graphql.paging import Window

PAIR_COLUMNS = tuple(Pair.__table__.c)
RUN_COLUMNS = tuple(MatchingRun.__table__.c)
LIVE = (PairStatus.PROPOSED, PairStatus.ACTIVE)
MATCHING_LOCK_SPACE = 7301  # advisory-lock namespace of matching requests


async def get_pair(session: AsyncSession, tenant_id: int, pair_id: int) -> Pair | None:
    return await session.scalar(select(Pair).where(Pair.tenant_id == tenant_id, Pair.id == pair_id))


async def participants_for_update(
    session: AsyncSession, tenant_id: int, ids: Sequence[int]
) -> dict[int, Participant]:
    rows = await session.scalars(
        select(Participant).where(Participant.tenant_id == tenant_id, Participant.id.in_(ids))
    )
    return {participant.id: participant for participant in rows}


async def take_capacity(session: AsyncSession, mentor_id: int) -> bool:
    """Reserve one mentee slot; False when the mentor is full (checked by the database too)."""
    result = await session.execute(
        update(Participant)
        .where(Participant.id == mentor_id, Participant.assigned_count < Participant.capacity)
        .values(assigned_count=Participant.assigned_count + 1)
    )
    return bool(getattr(result, "rowcount", 0))


async def release_capacity(session: AsyncSession, mentor_id: int) -> None:
    await session.execute(
        update(Participant)
        .where(Participant.id == mentor_id, Participant.assigned_count > 0)
        .values(assigned_count=Participant.assigned_count - 1)
    )


async def live_pair_of_mentee(session: AsyncSession, mentee_id: int) -> Pair | None:
    return await session.scalar(
        select(Pair).where(Pair.mentee_id == mentee_id, Pair.status.in_(LIVE))
    )


async def ever_paired(session: AsyncSession, mentor_id: int, mentee_id: int) -> bool:
    statement = (
        select(func.count())
        .select_from(Pair)
        .where(Pair.mentor_id == mentor_id, Pair.mentee_id == mentee_id)
    )
    return bool(await session.scalar(statement))


async def pair_rule(
    session: AsyncSession, tenant_id: int, program_id: int, mentor_id: int, mentee_id: int
) -> PairRule | None:
    return await session.scalar(
        select(PairRule).where(
            PairRule.tenant_id == tenant_id,
            PairRule.program_id == program_id,
            PairRule.mentor_id == mentor_id,
            PairRule.mentee_id == mentee_id,
        )
    )


async def pair_rules(session: AsyncSession, tenant_id: int, program_id: int) -> Sequence[PairRule]:
    rows = await session.scalars(
        select(PairRule).where(PairRule.tenant_id == tenant_id, PairRule.program_id == program_id)
    )
    return rows.all()


async def draft_pairs(
    session: AsyncSession, tenant_id: int, program_id: int, run_id: int | None = None
) -> Sequence[Pair]:
    """Unpublished live pairs of a program (of one run when given)."""
    statement = select(Pair).where(
        Pair.tenant_id == tenant_id,
        Pair.program_id == program_id,
        Pair.status == PairStatus.PROPOSED,
        Pair.published_at.is_(None),
    )
    if run_id is not None:
        statement = statement.where(or_(Pair.run_id == run_id, Pair.pinned.is_(True)))
    return (await session.scalars(statement.order_by(Pair.id))).all()


def _pair_conditions(
    tenant_id: int, program_id: int, status: PairStatus | None, employee_id: int | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Pair.tenant_id == tenant_id,
        Pair.program_id == program_id,
    ]
    if status is not None:
        conditions.append(Pair.status == status)
    if employee_id is not None:
        mine = select(Participant.id).where(Participant.employee_id == employee_id)
        conditions += [
            Pair.published_at.is_not(None),
            or_(Pair.mentor_id.in_(mine), Pair.mentee_id.in_(mine)),
        ]
    return conditions


async def count_pairs(session: AsyncSession, *criteria: Any) -> int:
    statement = select(func.count()).select_from(Pair).where(*_pair_conditions(*criteria))
    return int(await session.scalar(statement) or 0)


async def list_pairs(session: AsyncSession, *criteria: Any, page: Window) -> Sequence[Row[Any]]:
    statement = (
        select(*PAIR_COLUMNS)
        .where(*_pair_conditions(*criteria))
        .order_by(Pair.score.desc(), Pair.id)
        .offset(page.offset)
        .limit(page.limit)
    )
    return (await session.execute(statement)).all()


async def pairs_by_ids(
    session: AsyncSession, tenant_id: int, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    statement = select(*PAIR_COLUMNS).where(Pair.tenant_id == tenant_id, Pair.id.in_(ids))
    return (await session.execute(statement)).all()


async def pairs_of_employee(
    session: AsyncSession, tenant_id: int, employee_id: int
) -> Sequence[Row[Any]]:
    statement = (
        select(*PAIR_COLUMNS)
        .where(*_pair_conditions_any_program(tenant_id, employee_id))
        .order_by(Pair.id)
    )
    return (await session.execute(statement)).all()


def _pair_conditions_any_program(tenant_id: int, employee_id: int) -> list[ColumnElement[bool]]:
    mine = select(Participant.id).where(Participant.employee_id == employee_id)
    return [
        Pair.tenant_id == tenant_id,
        Pair.published_at.is_not(None),
        or_(Pair.mentor_id.in_(mine), Pair.mentee_id.in_(mine)),
    ]


async def transitions_of(
    session: AsyncSession, tenant_id: int, pair_ids: Sequence[int]
) -> Sequence[Row[Any]]:
    statement = (
        select(*PairTransition.__table__.c)
        .where(PairTransition.tenant_id == tenant_id, PairTransition.pair_id.in_(pair_ids))
        .order_by(PairTransition.pair_id, PairTransition.at, PairTransition.id)
    )
    return (await session.execute(statement)).all()


async def runs_of_program(
    session: AsyncSession, tenant_id: int, program_id: int
) -> Sequence[Row[Any]]:
    statement = (
        select(*RUN_COLUMNS)
        .where(MatchingRun.tenant_id == tenant_id, MatchingRun.program_id == program_id)
        .order_by(MatchingRun.id.desc())
    )
    return (await session.execute(statement)).all()


async def runs_by_ids(
    session: AsyncSession, tenant_id: int, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    statement = select(*RUN_COLUMNS).where(
        MatchingRun.tenant_id == tenant_id, MatchingRun.id.in_(ids)
    )
    return (await session.execute(statement)).all()


async def get_run(session: AsyncSession, tenant_id: int, run_id: int) -> MatchingRun | None:
    return await session.scalar(
        select(MatchingRun).where(MatchingRun.tenant_id == tenant_id, MatchingRun.id == run_id)
    )


async def forbids(session: AsyncSession, tenant_id: int, program_id: int) -> Sequence[PairRule]:
    rows = await session.scalars(
        select(PairRule).where(
            PairRule.tenant_id == tenant_id,
            PairRule.program_id == program_id,
            PairRule.kind == PairRuleKind.FORBID,
        )
    )
    return rows.all()


async def live_run(session: AsyncSession, tenant_id: int, program_id: int) -> MatchingRun | None:
    """The program's QUEUED or RUNNING matching run, if any."""
    return await session.scalar(
        select(MatchingRun).where(
            MatchingRun.tenant_id == tenant_id,
            MatchingRun.program_id == program_id,
            MatchingRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)),
        )
    )


async def lock_program(session: AsyncSession, program_id: int) -> None:
    """Serialise matching requests for one program (PostgreSQL; SQLite writers already are)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(MATCHING_LOCK_SPACE, program_id)))


async def enrolled_people(session: AsyncSession, tenant_id: int, program_id: int) -> Sequence[Any]:
    """Enrolled participants with the employee fields matching needs."""
    statement = (
        select(
            Participant.id,
            Participant.role,
            Participant.capacity,
            Participant.availability,
            Participant.preferences,
            Participant.consent_at,
            Employee.id.label("employee_id"),
            Employee.job_level,
            Employee.department,
            Employee.birth_year,
            Employee.languages,
            Employee.timezone,
            Employee.status.label("employee_status"),
        )
        .join(Employee, Employee.id == Participant.employee_id)
        .where(
            Participant.tenant_id == tenant_id,
            Participant.program_id == program_id,
            Participant.status == ParticipantStatus.ENROLLED,
        )
        .order_by(Participant.id)
    )
    return (await session.execute(statement)).all()


async def manager_links(session: AsyncSession, tenant_id: int) -> dict[int, int]:
    """employee id -> manager id for the whole tenant (for reporting chains at any depth)."""
    rows = await session.execute(
        select(Employee.id, Employee.manager_id).where(
            Employee.tenant_id == tenant_id, Employee.manager_id.is_not(None)
        )
    )
    return {employee_id: manager_id for employee_id, manager_id in rows.all() if manager_id}


async def program_pairs_for_matching(
    session: AsyncSession, tenant_id: int, program_id: int
) -> Sequence[Pair]:
    rows = await session.scalars(
        select(Pair)
        .where(Pair.tenant_id == tenant_id, Pair.program_id == program_id)
        .order_by(Pair.id)
    )
    return rows.all()


async def pairs_with_people(
    session: AsyncSession, tenant_id: int, program_id: int
) -> Sequence[Any]:
    """A program's pairs with both people's name, title and department, best score first."""
    mentor, mentee = Participant.__table__.alias("mentor"), Participant.__table__.alias("mentee")
    mentor_employee = Employee.__table__.alias("mentor_employee")
    mentee_employee = Employee.__table__.alias("mentee_employee")
    rows = await session.execute(
        select(
            Pair.score,
            Pair.score_breakdown,
            Pair.status,
            mentor_employee.c.display_name.label("mentor"),
            mentor_employee.c.job_title.label("mentor_title"),
            mentor_employee.c.department.label("mentor_department"),
            mentee_employee.c.display_name.label("mentee"),
            mentee_employee.c.job_title.label("mentee_title"),
            mentee_employee.c.department.label("mentee_department"),
        )
        .join(mentor, mentor.c.id == Pair.mentor_id)
        .join(mentee, mentee.c.id == Pair.mentee_id)
        .join(mentor_employee, mentor_employee.c.id == mentor.c.employee_id)
        .join(mentee_employee, mentee_employee.c.id == mentee.c.employee_id)
        .where(Pair.tenant_id == tenant_id, Pair.program_id == program_id)
        .order_by(Pair.score.desc(), Pair.id)
    )
    return rows.all()


async def quiet_active_pairs(session: AsyncSession, quiet_since: datetime) -> Sequence[Any]:
    """ACTIVE pairs (any tenant) quiet since `quiet_since`, with their program's limits."""
    last_activity = func.coalesce(Pair.last_session_at, Pair.activated_at)
    rows = await session.execute(
        select(Pair, Program.idle_warning_days, Program.idle_conclude_days)
        .join(Program, Program.id == Pair.program_id)
        .where(Pair.status == PairStatus.ACTIVE, last_activity < quiet_since)
        .order_by(Pair.id)
    )
    return rows.all()
