"""The KPI time series: sessions, new pairs and feedback grouped by week or month in SQL."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, distinct, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.kpis.figures import KpiScope, Period
from rm_graphql.kpis.repository import RATINGS, in_scope, respondent
from rm_graphql.kpis.sql import AnyRow, Column, flag, month_start, utc, week_start
from rm_graphql.models import Feedback, MentoringSession, Pair
from rm_graphql.models.enums import SessionStatus


def period_of(column: Column, period: Period) -> ColumnElement[str]:
    """The first day of the column's week or month."""
    return week_start(column) if period is Period.WEEK else month_start(column)


async def sessions_by_period(
    session: AsyncSession, scope: KpiScope, period: Period
) -> Sequence[AnyRow]:
    """Per period: held sessions, their minutes and how many pairs held them."""
    held = (
        select(
            period_of(MentoringSession.starts_at, period).label("period"),
            MentoringSession.pair_id,
            MentoringSession.duration_minutes,
        )
        .join(Pair, Pair.id == MentoringSession.pair_id)
        .where(
            MentoringSession.tenant_id == scope.tenant_id,
            MentoringSession.status == SessionStatus.COMPLETED,
            MentoringSession.starts_at <= utc(scope.as_of),
            *in_scope(Pair, scope),
        )
        .subquery("held")
    )
    statement = (
        select(
            held.c.period,
            func.count().label("sessions"),
            func.sum(held.c.duration_minutes).label("minutes"),
            func.count(distinct(held.c.pair_id)).label("pairs"),
        )
        .group_by(held.c.period)
        .order_by(held.c.period)
    )
    return (await session.execute(statement)).all()


async def new_pairs_by_period(
    session: AsyncSession, scope: KpiScope, period: Period
) -> Sequence[AnyRow]:
    """Per period: pairs that became active."""
    activated = (
        select(period_of(Pair.activated_at, period).label("period"))
        .where(*in_scope(Pair, scope), Pair.activated_at.is_not(None))
        .subquery("activated")
    )
    statement = (
        select(activated.c.period, func.count().label("pairs"))
        .group_by(activated.c.period)
        .order_by(activated.c.period)
    )
    return (await session.execute(statement)).all()


async def feedback_by_period(
    session: AsyncSession, scope: KpiScope, period: Period
) -> Sequence[AnyRow]:
    """Per period: responses, respondents, and the sum and count of all ratings given."""
    rated = (
        select(
            period_of(Feedback.created_at, period).label("period"),
            respondent().label("respondent"),
            sum((func.coalesce(c, 0) for c in RATINGS), literal(0)).label("rating_sum"),
            sum((flag(c.is_not(None)) for c in RATINGS), literal(0)).label("rating_count"),
        )
        .join(Pair, Pair.id == Feedback.pair_id)
        .where(
            Feedback.tenant_id == scope.tenant_id,
            Feedback.is_concern.is_(False),
            *in_scope(Pair, scope),
        )
        .subquery("rated")
    )
    statement = (
        select(
            rated.c.period,
            func.count().label("responses"),
            func.count(distinct(rated.c.respondent)).label("respondents"),
            func.sum(rated.c.rating_sum).label("rating_sum"),
            func.sum(rated.c.rating_count).label("rating_count"),
        )
        .group_by(rated.c.period)
        .order_by(rated.c.period)
    )
    return (await session.execute(statement)).all()
