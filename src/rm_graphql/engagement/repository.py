"""Every query about sessions, goals and self-assessments; always scoped by tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from rm_graphql.models import Goal, MentoringSession, Pair, Participant, Program, SkillAssessment
from rm_graphql.models.enums import AssessmentPhase, SessionCapPolicy, SessionStatus, Side
from rm_graphql.paging import Window

SESSION_COLUMNS = tuple(MentoringSession.__table__.c)
GOAL_COLUMNS = tuple(Goal.__table__.c)
ASSESSMENT_COLUMNS = tuple(SkillAssessment.__table__.c)

_mentor = aliased(Participant)
_mentee = aliased(Participant)


PairContext = Row[Pair, int, int, int, SessionCapPolicy, date | None]


async def pair_context(
    session: AsyncSession, tenant_id: int, pair_id: int, *, lock: bool = False
) -> PairContext | None:
    """The pair, its two people's employee ids and its program's session rules, in one query."""
    statement = (
        select(
            Pair,
            _mentor.employee_id.label("mentor_employee_id"),
            _mentee.employee_id.label("mentee_employee_id"),
            Program.session_cap_minutes,
            Program.session_cap_policy,
            Program.ends_on,
        )
        .join(_mentor, _mentor.id == Pair.mentor_id)
        .join(_mentee, _mentee.id == Pair.mentee_id)
        .join(Program, Program.id == Pair.program_id)
        .where(Pair.tenant_id == tenant_id, Pair.id == pair_id)
    )
    if lock:
        # Serialises writes on one pair (feedback once per author, last_session_at) on
        # PostgreSQL; SQLite writers already hold the database lock (BEGIN IMMEDIATE).
        statement = statement.with_for_update(of=Pair)
    return (await session.execute(statement)).one_or_none()


def pairs_of_employee(tenant_id: int, employee_id: int) -> Select[int]:
    """Ids of the pairs in which an employee is the mentor or the mentee."""
    return (
        select(Pair.id)
        .join(Participant, or_(Participant.id == Pair.mentor_id, Participant.id == Pair.mentee_id))
        .where(Pair.tenant_id == tenant_id, Participant.employee_id == employee_id)
    )


def participations_of_employee(tenant_id: int, employee_id: int) -> Select[int]:
    return select(Participant.id).where(
        Participant.tenant_id == tenant_id, Participant.employee_id == employee_id
    )


def _in_visible_pairs(
    column: InstrumentedAttribute[int], tenant_id: int, visible_to: int | None
) -> list[ColumnElement[bool]]:
    if visible_to is None:
        return []
    return [column.in_(pairs_of_employee(tenant_id, visible_to))]


# Sessions ------------------------------------------------------------------------------------


def _session_conditions(
    tenant_id: int, pair_id: int, status: SessionStatus | None, visible_to: int | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        MentoringSession.tenant_id == tenant_id,
        MentoringSession.pair_id == pair_id,
        *_in_visible_pairs(MentoringSession.pair_id, tenant_id, visible_to),
    ]
    if status is not None:
        conditions.append(MentoringSession.status == status)
    return conditions


async def count_sessions(session: AsyncSession, *criteria: Any) -> int:
    """Sessions of one pair: criteria are (tenant_id, pair_id, status, visible_to)."""
    statement = select(func.count()).select_from(MentoringSession)
    return int(await session.scalar(statement.where(*_session_conditions(*criteria))) or 0)


async def list_sessions(session: AsyncSession, *criteria: Any, page: Window) -> Sequence[Row[Any]]:
    statement = (
        select(*SESSION_COLUMNS)
        .where(*_session_conditions(*criteria))
        .order_by(MentoringSession.starts_at.desc(), MentoringSession.id.desc())
        .offset(page.offset)
        .limit(page.limit)
    )
    return (await session.execute(statement)).all()


async def sessions_for_pairs(
    session: AsyncSession, tenant_id: int, pair_ids: Sequence[int], visible_to: int | None
) -> Sequence[Row[Any]]:
    statement = (
        select(*SESSION_COLUMNS)
        .where(
            MentoringSession.tenant_id == tenant_id,
            MentoringSession.pair_id.in_(pair_ids),
            *_in_visible_pairs(MentoringSession.pair_id, tenant_id, visible_to),
        )
        .order_by(MentoringSession.starts_at.desc(), MentoringSession.id.desc())
    )
    return (await session.execute(statement)).all()


async def sessions_by_ids(
    session: AsyncSession, tenant_id: int, ids: Sequence[int], visible_to: int | None
) -> Sequence[Row[Any]]:
    statement = select(*SESSION_COLUMNS).where(
        MentoringSession.tenant_id == tenant_id,
        MentoringSession.id.in_(ids),
        *_in_visible_pairs(MentoringSession.pair_id, tenant_id, visible_to),
    )
    return (await session.execute(statement)).all()


async def get_session(
    session: AsyncSession, tenant_id: int, session_id: int
) -> MentoringSession | None:
    return await session.scalar(
        select(MentoringSession).where(
            MentoringSession.tenant_id == tenant_id, MentoringSession.id == session_id
        )
    )


# Goals ---------------------------------------------------------------------------------------


def _goal_conditions(
    tenant_id: int, pair_id: int, side: Side | None, visible_to: int | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Goal.tenant_id == tenant_id,
        Goal.pair_id == pair_id,
        *_in_visible_pairs(Goal.pair_id, tenant_id, visible_to),
    ]
    if side is not None:
        conditions.append(Goal.owner_side == side)
    return conditions


async def count_goals(session: AsyncSession, *criteria: Any) -> int:
    """Goals of one pair: criteria are (tenant_id, pair_id, side, visible_to)."""
    statement = select(func.count()).select_from(Goal)
    return int(await session.scalar(statement.where(*_goal_conditions(*criteria))) or 0)


async def list_goals(session: AsyncSession, *criteria: Any, page: Window) -> Sequence[Row[Any]]:
    statement = (
        select(*GOAL_COLUMNS)
        .where(*_goal_conditions(*criteria))
        .order_by(Goal.created_at, Goal.id)
        .offset(page.offset)
        .limit(page.limit)
    )
    return (await session.execute(statement)).all()


async def goals_for_pairs(
    session: AsyncSession, tenant_id: int, pair_ids: Sequence[int], visible_to: int | None
) -> Sequence[Row[Any]]:
    statement = (
        select(*GOAL_COLUMNS)
        .where(
            Goal.tenant_id == tenant_id,
            Goal.pair_id.in_(pair_ids),
            *_in_visible_pairs(Goal.pair_id, tenant_id, visible_to),
        )
        .order_by(Goal.created_at, Goal.id)
    )
    return (await session.execute(statement)).all()


async def goals_by_ids(
    session: AsyncSession, tenant_id: int, ids: Sequence[int], visible_to: int | None
) -> Sequence[Row[Any]]:
    statement = select(*GOAL_COLUMNS).where(
        Goal.tenant_id == tenant_id,
        Goal.id.in_(ids),
        *_in_visible_pairs(Goal.pair_id, tenant_id, visible_to),
    )
    return (await session.execute(statement)).all()


async def get_goal(session: AsyncSession, tenant_id: int, goal_id: int) -> Goal | None:
    return await session.scalar(select(Goal).where(Goal.tenant_id == tenant_id, Goal.id == goal_id))


# Self-assessments ----------------------------------------------------------------------------


def _assessment_conditions(
    tenant_id: int, participant_id: int, visible_to: int | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        SkillAssessment.tenant_id == tenant_id,
        SkillAssessment.participant_id == participant_id,
    ]
    if visible_to is not None:
        mine = participations_of_employee(tenant_id, visible_to)
        conditions.append(SkillAssessment.participant_id.in_(mine))
    return conditions


async def count_assessments(session: AsyncSession, *criteria: Any) -> int:
    """One participant's assessments: criteria are (tenant_id, participant_id, visible_to)."""
    statement = select(func.count()).select_from(SkillAssessment)
    return int(await session.scalar(statement.where(*_assessment_conditions(*criteria))) or 0)


async def list_assessments(
    session: AsyncSession, *criteria: Any, page: Window
) -> Sequence[Row[Any]]:
    statement = (
        select(*ASSESSMENT_COLUMNS)
        .where(*_assessment_conditions(*criteria))
        .order_by(SkillAssessment.topic_id, SkillAssessment.phase.desc(), SkillAssessment.id)
        .offset(page.offset)
        .limit(page.limit)
    )
    return (await session.execute(statement)).all()


async def assessments_by_ids(
    session: AsyncSession, tenant_id: int, ids: Sequence[int], visible_to: int | None
) -> Sequence[Row[Any]]:
    conditions = [SkillAssessment.tenant_id == tenant_id, SkillAssessment.id.in_(ids)]
    if visible_to is not None:
        mine = participations_of_employee(tenant_id, visible_to)
        conditions.append(SkillAssessment.participant_id.in_(mine))
    statement = select(*ASSESSMENT_COLUMNS).where(*conditions)
    return (await session.execute(statement)).all()


async def upsert_assessment(
    session: AsyncSession,
    tenant_id: int,
    participant_id: int,
    topic_id: int,
    phase: AssessmentPhase,
    level: int,
    at: datetime,
) -> Row[Any]:
    """Insert or replace the one assessment per participant, topic and phase; return it."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(SkillAssessment).values(
        tenant_id=tenant_id,
        participant_id=participant_id,
        topic_id=topic_id,
        phase=phase,
        level=level,
        assessed_at=at,
        created_at=at,
        updated_at=at,
    )
    upsert = statement.on_conflict_do_update(
        index_elements=["participant_id", "topic_id", "phase"],
        set_={
            "level": statement.excluded.level,
            "assessed_at": statement.excluded.assessed_at,
            "updated_at": statement.excluded.updated_at,
        },
    )
    return (await session.execute(upsert.returning(*ASSESSMENT_COLUMNS))).one()


async def sessions_awaiting_feedback(
    session: AsyncSession, held_before: datetime, held_after: datetime
) -> Sequence[MentoringSession]:
    """Held sessions (any tenant) whose feedback request has not gone out yet."""
    rows = await session.scalars(
        select(MentoringSession)
        .where(
            MentoringSession.status == SessionStatus.COMPLETED,
            MentoringSession.feedback_requested_at.is_(None),
            MentoringSession.starts_at < held_before,
            MentoringSession.starts_at >= held_after,
        )
        .order_by(MentoringSession.id)
    )
    return rows.all()
