"""Queries on HRIS people behind the KPIs: mentor retention against a matched comparison group,
and the generational mix of participants. Scoped by tenant, aggregated in the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from rm_graphql.kpis.figures import GENERATION_FROM, Generation, KpiScope
from rm_graphql.kpis.repository import in_scope
from rm_graphql.kpis.sql import AnyRow, Column, month_floor, one, plus_days, utc, year_of
from rm_graphql.models import Employee, Participant
from rm_graphql.models.enums import ParticipantRole, ParticipantStatus

RETENTION_DAYS = 365
LEVEL_BAND = 2


def _still_employed(terminated_at: Column, year_later: Column) -> ColumnElement[int]:
    """1 when the employee had not left by a year after the anchor, else 0."""
    return case((or_(terminated_at.is_(None), terminated_at >= year_later), 1), else_=0)


def _measured_mentors(scope: KpiScope) -> Any:
    """Mentors whose first enrolment is at least a year old: their stratum and whether they
    stayed. The anchor is that first enrolment."""
    first = (
        select(
            Participant.employee_id.label("employee_id"),
            func.min(Participant.enrolled_at).label("anchor"),
        )
        .where(
            *in_scope(Participant, scope),
            Participant.role == ParticipantRole.MENTOR,
            Participant.enrolled_at.is_not(None),
        )
        .group_by(Participant.employee_id)
        .having(func.min(Participant.enrolled_at) <= utc(scope.as_of - timedelta(RETENTION_DAYS)))
        .cte("first_enrolment")
    )
    mentor = aliased(Employee)
    year_later = plus_days(first.c.anchor, RETENTION_DAYS)
    return (
        select(
            first.c.employee_id,
            month_floor(first.c.anchor).label("anchor_month"),
            mentor.department,
            (mentor.job_level // LEVEL_BAND).label("band"),
            year_of(mentor.hire_date).label("cohort"),
            _still_employed(mentor.terminated_at, year_later).label("retained"),
        )
        .join(mentor, mentor.id == first.c.employee_id)
        .cte("measured_mentors")
    )


def _comparison_pool(scope: KpiScope) -> Any:
    """Employees who never took part in any of the tenant's programs, with their stratum.

    Filtered once, before the join to the mentors, so the exclusion is not repeated per mentor.
    """
    took_part = select(Participant.employee_id).where(Participant.tenant_id == scope.tenant_id)
    return (
        select(
            Employee.id,
            Employee.department,
            (Employee.job_level // LEVEL_BAND).label("band"),
            year_of(Employee.hire_date).label("cohort"),
            Employee.hire_date,
            Employee.terminated_at,
        )
        .where(
            Employee.tenant_id == scope.tenant_id,
            Employee.department.is_not(None),
            Employee.job_level.is_not(None),
            Employee.hire_date.is_not(None),
            Employee.id.not_in(took_part),
        )
        .cte("comparison_pool")
    )


def _mentor_groups(measured: Any) -> Any:
    """Measured mentors grouped by stratum and enrolment month: comparison groups are measured
    from the first day of that month, so mentors who enrolled together share one group."""
    year_later = plus_days(measured.c.anchor_month, RETENTION_DAYS)
    return (
        select(
            measured.c.department,
            measured.c.band,
            measured.c.cohort,
            measured.c.anchor_month.label("anchor"),
            year_later.label("year_later"),
            func.count().label("mentors"),
            func.sum(measured.c.retained).label("retained"),
        )
        .group_by(
            measured.c.department, measured.c.band, measured.c.cohort, measured.c.anchor_month
        )
        .cte("mentor_groups")
    )


def _comparable(pool: Any, group: Any) -> ColumnElement[bool]:
    """Same department, level band and hire year, and employed at the group's anchor."""
    return and_(
        pool.c.department == group.c.department,
        pool.c.band == group.c.band,
        pool.c.cohort == group.c.cohort,
        pool.c.hire_date <= group.c.anchor,
        or_(pool.c.terminated_at.is_(None), pool.c.terminated_at > group.c.anchor),
    )


async def retention(session: AsyncSession, scope: KpiScope) -> AnyRow:
    """12-month retention of mentors, of the matched ones, and of their comparison groups.

    Each matched mentor weighs the same: the comparison rate is the mean, over mentors, of the
    share of their own comparison group that stayed a year.
    """
    measured, pool = _measured_mentors(scope), _comparison_pool(scope)
    groups = _mentor_groups(measured)
    peer_stayed = _still_employed(pool.c.terminated_at, groups.c.year_later)
    keys = [groups.c.department, groups.c.band, groups.c.cohort, groups.c.anchor]
    matched = (
        select(groups.c.mentors, groups.c.retained, func.avg(peer_stayed).label("peer_rate"))
        .join(pool, _comparable(pool, groups))
        .group_by(*keys, groups.c.mentors, groups.c.retained)
        .cte("matched_groups")
    )
    # Semi-join: each comparable non-participant once, however many groups they match.
    peers = (
        select(func.count())
        .select_from(pool)
        .where(select(groups.c.mentors).where(_comparable(pool, groups)).exists())
    )
    weighted = func.sum(matched.c.peer_rate * matched.c.mentors)
    statement = select(
        select(func.count()).select_from(measured).scalar_subquery().label("mentors"),
        select(func.sum(measured.c.retained)).scalar_subquery().label("mentors_retained"),
        select(func.sum(matched.c.mentors)).scalar_subquery().label("matched"),
        select(func.sum(matched.c.retained)).scalar_subquery().label("matched_retained"),
        select(weighted).scalar_subquery().label("comparison_weighted"),
        peers.scalar_subquery().label("peers"),
    )
    return await one(session, statement)


def _generation(birth_year: Column) -> ColumnElement[str]:
    bands = [(birth_year >= start, band.value) for band, start in GENERATION_FROM]
    return case(*bands, else_=Generation.UNKNOWN.value)


async def generations(session: AsyncSession, scope: KpiScope) -> Sequence[AnyRow]:
    """Enrolled people by generation band, with how many mentor and how many are mentored."""
    banded = (
        select(
            Participant.employee_id,
            Participant.role,
            _generation(Employee.birth_year).label("generation"),
        )
        .join(Employee, Employee.id == Participant.employee_id)
        .where(*in_scope(Participant, scope), Participant.status == ParticipantStatus.ENROLLED)
        .subquery("banded")
    )
    statement = select(
        banded.c.generation,
        func.count(distinct(banded.c.employee_id)).label("people"),
        func.count(
            distinct(case((banded.c.role == ParticipantRole.MENTOR, banded.c.employee_id)))
        ).label("mentors"),
        func.count(
            distinct(case((banded.c.role == ParticipantRole.MENTEE, banded.c.employee_id)))
        ).label("mentees"),
    ).group_by(banded.c.generation)
    return (await session.execute(statement)).all()
