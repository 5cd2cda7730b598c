"""Every query about feedback and concern reports; always scoped by tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.engagement.repository import participations_of_employee
from rm_graphql.models import Feedback, Pair
from rm_graphql.models.engagement import RATING_COLUMNS
from rm_graphql.paging import Window

FEEDBACK_COLUMNS = tuple(Feedback.__table__.c)
RATINGS = tuple(getattr(Feedback, name) for name in RATING_COLUMNS)


@dataclass(frozen=True)
class FeedbackView:
    """Which feedback a caller may read: all of it or one employee's own; with concerns or not."""

    author_employee_id: int | None
    concerns: bool


def _visible(tenant_id: int, view: FeedbackView) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Feedback.tenant_id == tenant_id]
    if not view.concerns:
        conditions.append(Feedback.is_concern.is_(False))
    if view.author_employee_id is not None:
        mine = participations_of_employee(tenant_id, view.author_employee_id)
        conditions.append(Feedback.author_id.in_(mine))
    return conditions


async def count_feedback(
    session: AsyncSession, tenant_id: int, pair_id: int, view: FeedbackView
) -> int:
    statement = select(func.count()).select_from(Feedback)
    conditions = [*_visible(tenant_id, view), Feedback.pair_id == pair_id]
    return int(await session.scalar(statement.where(*conditions)) or 0)


async def list_feedback(
    session: AsyncSession, tenant_id: int, pair_id: int, view: FeedbackView, page: Window
) -> Sequence[Row[Any]]:
    statement = (
        select(*FEEDBACK_COLUMNS)
        .where(*_visible(tenant_id, view), Feedback.pair_id == pair_id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .offset(page.offset)
        .limit(page.limit)
    )
    return (await session.execute(statement)).all()


async def feedback_for_pairs(
    session: AsyncSession, tenant_id: int, pair_ids: Sequence[int], view: FeedbackView
) -> Sequence[Row[Any]]:
    statement = (
        select(*FEEDBACK_COLUMNS)
        .where(*_visible(tenant_id, view), Feedback.pair_id.in_(pair_ids))
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
    )
    return (await session.execute(statement)).all()


async def feedback_by_ids(
    session: AsyncSession, tenant_id: int, ids: Sequence[int], view: FeedbackView
) -> Sequence[Row[Any]]:
    statement = select(*FEEDBACK_COLUMNS).where(*_visible(tenant_id, view), Feedback.id.in_(ids))
    return (await session.execute(statement)).all()


def _concerns_in_program(tenant_id: int, program_id: int) -> list[ColumnElement[bool]]:
    return [
        Feedback.tenant_id == tenant_id,
        Feedback.is_concern.is_(True),
        Feedback.pair_id.in_(
            select(Pair.id).where(Pair.tenant_id == tenant_id, Pair.program_id == program_id)
        ),
    ]


async def count_concerns(session: AsyncSession, tenant_id: int, program_id: int) -> int:
    statement = select(func.count()).select_from(Feedback)
    conditions = _concerns_in_program(tenant_id, program_id)
    return int(await session.scalar(statement.where(*conditions)) or 0)


async def list_concerns(
    session: AsyncSession, tenant_id: int, program_id: int, page: Window
) -> Sequence[Row[Any]]:
    statement = (
        select(*FEEDBACK_COLUMNS)
        .where(*_concerns_in_program(tenant_id, program_id))
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .offset(page.offset)
        .limit(page.limit)
    )
    return (await session.execute(statement)).all()


async def has_feedback_from(
    session: AsyncSession, pair_id: int, author_id: int, session_id: int | None
) -> bool:
    """Whether this author already rated this session (or, without a session, this pair)."""
    target = (
        Feedback.session_id.is_(None) if session_id is None else Feedback.session_id == session_id
    )
    statement = select(func.count()).where(
        Feedback.pair_id == pair_id,
        Feedback.author_id == author_id,
        Feedback.is_concern.is_(False),
        target,
    )
    return bool(await session.scalar(statement.select_from(Feedback)))


async def rating_summaries(
    session: AsyncSession, tenant_id: int, pair_ids: Sequence[int]
) -> Sequence[Row[Any]]:
    """Per pair: the number of responses, and per dimension its average and rating count."""
    per_dimension = [
        expression
        for name, column in zip(RATING_COLUMNS, RATINGS, strict=True)
        for expression in (
            func.avg(column).label(f"{name}_average"),
            func.count(column).label(f"{name}_count"),
        )
    ]
    statement = (
        select(Feedback.pair_id, func.count().label("responses"), *per_dimension)
        .where(
            Feedback.tenant_id == tenant_id,
            Feedback.pair_id.in_(pair_ids),
            Feedback.is_concern.is_(False),
        )
        .group_by(Feedback.pair_id)
    )
    return (await session.execute(statement)).all()


async def rating_evidence(
    session: AsyncSession, tenant_id: int, program_id: int, low_rating: int
) -> Sequence[Row[Any]]:
    """Concerns and low-rated feedback in a program, each with the partner it is about."""
    subject = case((Feedback.author_id == Pair.mentor_id, Pair.mentee_id), else_=Pair.mentor_id)
    low = or_(*(column <= low_rating for column in RATINGS))
    statement = (
        select(Feedback.id, Feedback.is_concern, subject.label("subject_id"))
        .join(Pair, Pair.id == Feedback.pair_id)
        .where(
            Feedback.tenant_id == tenant_id,
            Pair.program_id == program_id,
            Feedback.author_id.is_not(None),
            or_(Feedback.is_concern.is_(True), and_(Feedback.is_concern.is_(False), low)),
        )
        .order_by(Feedback.id)
    )
    return (await session.execute(statement)).all()
