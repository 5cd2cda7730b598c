"""Queries on HRIS people behind the KPIs: mentor retention against a matched comparison group,
and the generational mix of participants. Scoped by tenant, aggregated in the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from rm_graphql.kpis.figures import GENERATION_FROM, Generation, KpiScope
from rm_graphql.kpis.repository import in_scope
from rm_graphql.kpis.sql import AnyRow, Column, days_between, one, utc, year_of
from rm_graphql.models import Employee, Participant
from rm_graphql.models.enums import ParticipantRole, ParticipantStatus

RETENTION_DAYS = 365
LEVEL_BAND = 2


def _still_employed(employee: Any, anchor: ColumnElement[Any]) -> ColumnElement[int]:
    """1 when the employee had not left RETENTION_DAYS after the anchor, else 0."""
    stayed = or_(
        employee.terminated_at.is_(None),
        days_between(employee.terminated_at, anchor) >= RETENTION_DAYS,
    )
    return case((stayed, 1), else_=0)


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
    return (
        select(
            first.c.employee_id,
            first.c.anchor,
            mentor.department,
            (mentor.job_level // LEVEL_BAND).label("band"),
            year_of(mentor.hire_date).label("cohort"),
            _still_employed(mentor, first.c.anchor).label("retained"),
        )
        .join(mentor, mentor.id == first.c.employee_id)
        .cte("measured_mentors")
    )


def _comparisons(scope: KpiScope, measured: Any) -> Any:
    """(mentor, comparable non-participant) pairs: same department, level band and hire year,
    employed at the mentor's anchor; with whether each stayed a year from that anchor."""
    peer = aliased(Employee)
    took_part = exists().where(
        Participant.tenant_id == scope.tenant_id, Participant.employee_id == peer.id
    )
    comparable = and_(
        peer.tenant_id == scope.tenant_id,
        peer.department == measured.c.department,
        (peer.job_level // LEVEL_BAND) == measured.c.band,
        year_of(peer.hire_date) == measured.c.cohort,
        days_between(measured.c.anchor, peer.hire_date) >= 0,
        or_(peer.terminated_at.is_(None), days_between(peer.terminated_at, measured.c.anchor) > 0),
        ~took_part,
    )
    return (
        select(
            measured.c.employee_id.label("mentor_id"),
            measured.c.retained.label("mentor_retained"),
            peer.id.label("peer_id"),
            _still_employed(peer, measured.c.anchor).label("peer_retained"),
        )
        .join(peer, comparable)
        .cte("comparisons")
    )


async def retention(session: AsyncSession, scope: KpiScope) -> AnyRow:
    """12-month retention of mentors, of the matched ones, and of their comparison groups.

    Each matched mentor weighs the same: the comparison rate is the mean, over mentors, of the
    share of their own comparison group that stayed.
    """
    measured = _measured_mentors(scope)
    compared = _comparisons(scope, measured)
    per_mentor = (
        select(
            compared.c.mentor_id,
            func.max(compared.c.mentor_retained).label("mentor_retained"),
            func.avg(compared.c.peer_retained).label("peer_rate"),
        )
        .group_by(compared.c.mentor_id)
        .cte("per_mentor")
    )
    statement = select(
        select(func.count()).select_from(measured).scalar_subquery().label("mentors"),
        select(func.sum(measured.c.retained)).scalar_subquery().label("mentors_retained"),
        select(func.count()).select_from(per_mentor).scalar_subquery().label("matched"),
        select(func.avg(per_mentor.c.mentor_retained)).scalar_subquery().label("matched_rate"),
        select(func.avg(per_mentor.c.peer_rate)).scalar_subquery().label("comparison_rate"),
        select(func.count(distinct(compared.c.peer_id))).scalar_subquery().label("peers"),
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
