"""The KPI time series: weekly or monthly buckets from SQL, gaps filled, small buckets withheld."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.kpis import series_repository as repository
from rm_graphql.kpis.access import require_reader
from rm_graphql.kpis.figures import Bucket, KpiScope, Period, measure, tally
from rm_graphql.tenancy.service import Actor

MAX_BUCKETS = {Period.WEEK: 104, Period.MONTH: 60}


def _next(start: date, period: Period) -> date:
    if period is Period.WEEK:
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def periods(first: date, last: date, period: Period) -> Iterator[date]:
    """Every period start from `first` to `last`, both included."""
    current = first
    while current <= last:
        yield current
        current = _next(current, period)


async def series(
    session: AsyncSession, actor: Actor, scope: KpiScope, period: Period
) -> list[Bucket]:
    """Sessions, minutes, new pairs, feedback and satisfaction per period, oldest first.

    Session figures rest on the pairs that met in the period, feedback on the people who
    rated; a bucket resting on one or two is withheld. Empty periods between the first and
    the last with data are included, so charts keep a true time axis.
    """
    require_reader(actor, scope)
    held = _by_period(await repository.sessions_by_period(session, scope, period))
    created = _by_period(await repository.new_pairs_by_period(session, scope, period))
    rated = _by_period(await repository.feedback_by_period(session, scope, period))
    starts = sorted({*held, *created, *rated})
    if not starts:
        return []
    buckets = [
        _bucket(start, held, created, rated) for start in periods(starts[0], starts[-1], period)
    ]
    return buckets[-MAX_BUCKETS[period] :]


def _by_period(rows: Any) -> dict[date, Any]:
    """Rows keyed by their period's first day (a date on PostgreSQL, ISO text on SQLite)."""
    return {date.fromisoformat(str(row.period)[:10]): row for row in rows}


def _bucket(
    start: date, held: dict[date, Any], created: dict[date, Any], rated: dict[date, Any]
) -> Bucket:
    sessions, pairs, feedback = held.get(start), created.get(start), rated.get(start)
    meeting_pairs = int(sessions.pairs) if sessions else 0
    new_pairs = int(pairs.pairs) if pairs else 0
    respondents = int(feedback.respondents) if feedback else 0
    ratings = int(feedback.rating_count or 0) if feedback else 0
    average = float(feedback.rating_sum) / ratings if feedback and ratings else None
    return Bucket(
        starts_on=start,
        sessions=tally(int(sessions.sessions) if sessions else 0, meeting_pairs),
        minutes=tally(int(sessions.minutes or 0) if sessions else 0, meeting_pairs),
        new_pairs=tally(new_pairs, new_pairs),
        feedback=tally(int(feedback.responses) if feedback else 0, respondents),
        satisfaction=measure(average, respondents, digits=2),
    )
