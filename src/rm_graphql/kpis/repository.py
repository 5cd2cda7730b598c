"""Every KPI query: one aggregate statement per figure group, always scoped by tenant.

No statement returns rows per pair, session or person: the database does the counting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    distinct,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from rm_graphql.kpis.figures import KpiScope
from rm_graphql.kpis.sql import AnyRow, AnySelect, days_between, flag, median_of, one, utc
from rm_graphql.models import (
    Employee,
    Feedback,
    Goal,
    MentoringSession,
    Pair,
    Participant,
    Program,
    SkillAssessment,
    Topic,
)
from rm_graphql.models.engagement import RATING_COLUMNS
from rm_graphql.models.enums import (
    AssessmentPhase,
    EmployeeStatus,
    GoalStatus,
    PairStatus,
    ParticipantRole,
    ParticipantStatus,
    SessionStatus,
    Side,
)

MONTH_DAYS = 30.4375
RATINGS = tuple(getattr(Feedback, name) for name in RATING_COLUMNS)


def in_scope(model: type[Pair] | type[Participant], scope: KpiScope) -> list[ColumnElement[bool]]:
    """Rows of the scope's tenant and, for a program scope, of that program."""
    conditions: list[ColumnElement[bool]] = [model.tenant_id == scope.tenant_id]
    if scope.program_id is not None:
        conditions.append(model.program_id == scope.program_id)
    return conditions


def matched_pair() -> ColumnElement[bool]:
    """A pair that counts as a match: published, and not declined."""
    return and_(Pair.published_at.is_not(None), Pair.status != PairStatus.DECLINED)


def respondent() -> ColumnElement[int]:
    """Who gave a piece of feedback; feedback whose author was erased counts as its own person."""
    return func.coalesce(Feedback.author_id, -Feedback.id)


async def program_header(session: AsyncSession, tenant_id: int, program_id: int) -> AnyRow | None:
    statement: AnySelect = select(
        Program.id,
        Program.name,
        Program.status,
        Program.starts_on,
        Program.ends_on,
        Program.session_cap_minutes,
    ).where(Program.tenant_id == tenant_id, Program.id == program_id)
    return (await session.execute(statement)).one_or_none()


async def count_programs(session: AsyncSession, tenant_id: int) -> int:
    statement = select(func.count()).select_from(Program).where(Program.tenant_id == tenant_id)
    return int(await session.scalar(statement) or 0)


async def participation(session: AsyncSession, scope: KpiScope) -> AnyRow:
    """Invited and enrolled people, enrolled of the invited, and the tenant's active employees."""
    enrolled = Participant.status == ParticipantStatus.ENROLLED
    everyone = aliased(Employee)
    eligible = (
        select(func.count())
        .select_from(everyone)
        .where(everyone.tenant_id == scope.tenant_id, everyone.status == EmployeeStatus.ACTIVE)
        .correlate(None)
        .scalar_subquery()
    )

    def people(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.count(distinct(case((condition, Participant.employee_id))))

    invited = Participant.invited_at.is_not(None)
    statement = (
        select(
            func.count(Participant.invited_at).label("invited"),
            func.sum(flag(and_(invited, enrolled))).label("invited_enrolled"),
            people(enrolled).label("enrolled"),
            people(and_(enrolled, Employee.status == EmployeeStatus.ACTIVE)).label(
                "enrolled_active"
            ),
            people(and_(enrolled, Participant.role == ParticipantRole.MENTOR)).label("mentors"),
            people(and_(enrolled, Participant.role == ParticipantRole.MENTEE)).label("mentees"),
            eligible.label("eligible"),
        )
        .select_from(Participant)
        .join(Employee, Employee.id == Participant.employee_id)
        .where(*in_scope(Participant, scope))
    )
    return await one(session, statement)


async def mentee_matches(session: AsyncSession, scope: KpiScope) -> AnyRow:
    """Enrolled mentees (one per program place) and how many of them have a match."""
    matched = (
        select(Pair.mentee_id)
        .where(*in_scope(Pair, scope), matched_pair())
        .distinct()
        .subquery("matched_mentees")
    )
    statement = (
        select(func.count().label("mentees"), func.count(matched.c.mentee_id).label("matched"))
        .select_from(Participant)
        .outerjoin(matched, matched.c.mentee_id == Participant.id)
        .where(
            *in_scope(Participant, scope),
            Participant.status == ParticipantStatus.ENROLLED,
            Participant.role == ParticipantRole.MENTEE,
        )
    )
    return await one(session, statement)


async def time_to_match(session: AsyncSession, scope: KpiScope) -> AnyRow:
    """Median days from a mentee's enrolment to the activation of their first pair."""
    first = (
        select(Pair.mentee_id, func.min(Pair.activated_at).label("activated_at"))
        .where(*in_scope(Pair, scope), Pair.activated_at.is_not(None))
        .group_by(Pair.mentee_id)
        .subquery("first_activation")
    )
    values = (
        select(days_between(first.c.activated_at, Participant.enrolled_at).label("v"))
        .join_from(first, Participant, Participant.id == first.c.mentee_id)
        .where(Participant.enrolled_at.is_not(None))
    )
    return await one(session, median_of(values))


async def pairs(session: AsyncSession, scope: KpiScope) -> AnyRow:
    """Published, accepted, declined and active pairs, and cross-department pairs."""
    published = Pair.published_at.is_not(None)
    mentor, mentee = aliased(Participant), aliased(Participant)
    mentor_person, mentee_person = aliased(Employee), aliased(Employee)
    known = and_(
        matched_pair(),
        mentor_person.department.is_not(None),
        mentee_person.department.is_not(None),
    )
    statement = (
        select(
            func.sum(flag(published)).label("published"),
            func.sum(flag(and_(published, Pair.activated_at.is_not(None)))).label("accepted"),
            func.sum(flag(and_(published, Pair.status == PairStatus.DECLINED))).label("declined"),
            func.sum(flag(Pair.status == PairStatus.ACTIVE)).label("active"),
            func.sum(flag(known)).label("known_departments"),
            func.sum(flag(and_(known, mentor_person.department != mentee_person.department))).label(
                "cross_department"
            ),
        )
        .select_from(Pair)
        .join(mentor, mentor.id == Pair.mentor_id)
        .join(mentee, mentee.id == Pair.mentee_id)
        .join(mentor_person, mentor_person.id == mentor.employee_id)
        .join(mentee_person, mentee_person.id == mentee.employee_id)
        .where(*in_scope(Pair, scope))
    )
    return await one(session, statement)


def _pair_months(scope: KpiScope) -> AnySelect:
    """Pairs that were ever active, and their months of activity (under a month counts as one)."""
    active_days = days_between(func.coalesce(Pair.ended_at, utc(scope.as_of)), Pair.activated_at)
    months = case((active_days < MONTH_DAYS, 1.0), else_=active_days / MONTH_DAYS)
    return select(
        func.count().label("activated"), func.coalesce(func.sum(months), 0).label("pair_months")
    ).where(*in_scope(Pair, scope), Pair.activated_at.is_not(None))


async def sessions(session: AsyncSession, scope: KpiScope) -> AnyRow:
    """Held sessions: count, minutes, how many kept to their program's cap, by how many pairs;
    and the pairs' months of activity to rate them against."""
    duration = MentoringSession.duration_minutes
    exposure = _pair_months(scope).subquery("exposure")
    statement = (
        select(
            func.count().label("held"),
            func.coalesce(func.sum(duration), 0).label("minutes"),
            func.avg(duration).label("average_minutes"),
            func.sum(flag(duration <= Program.session_cap_minutes)).label("within_cap"),
            func.count(distinct(MentoringSession.pair_id)).label("pairs"),
            select(exposure.c.activated).scalar_subquery().label("activated"),
            select(exposure.c.pair_months).scalar_subquery().label("pair_months"),
        )
        .select_from(MentoringSession)
        .join(Pair, Pair.id == MentoringSession.pair_id)
        .join(Program, Program.id == Pair.program_id)
        .where(
            MentoringSession.tenant_id == scope.tenant_id,
            MentoringSession.status == SessionStatus.COMPLETED,
            *in_scope(Pair, scope),
        )
    )
    return await one(session, statement)


async def goals(session: AsyncSession, scope: KpiScope) -> AnyRow:
    """Goals and achieved goals, overall and by side, with how many people own them."""
    achieved = Goal.status == GoalStatus.ACHIEVED
    columns: list[ColumnElement[Any]] = [
        func.count().label("goals"),
        func.sum(flag(achieved)).label("achieved"),
        func.count(distinct(Goal.owner_id)).label("owners"),
    ]
    for side in Side:
        on_side = Goal.owner_side == side
        name = side.value.lower()
        columns += [
            func.sum(flag(on_side)).label(f"{name}_goals"),
            func.sum(flag(and_(on_side, achieved))).label(f"{name}_achieved"),
            func.count(distinct(case((on_side, Goal.owner_id)))).label(f"{name}_owners"),
        ]
    statement = (
        select(*columns)
        .select_from(Goal)
        .join(Pair, Pair.id == Goal.pair_id)
        .where(Goal.tenant_id == scope.tenant_id, *in_scope(Pair, scope))
    )
    return await one(session, statement)


async def satisfaction(session: AsyncSession, scope: KpiScope) -> AnyRow:
    """Ratings (not concerns): averages by dimension, pooled average, NPS counts, respondents."""
    who = respondent()
    columns: list[ColumnElement[Any]] = [
        func.count().label("responses"),
        func.count(distinct(who)).label("respondents"),
    ]
    for name, column in zip(RATING_COLUMNS, RATINGS, strict=True):
        rated_by = func.count(distinct(case((column.is_not(None), who))))
        columns += [func.avg(column).label(f"{name}_average"), rated_by.label(f"{name}_people")]
    rating_sum = sum((func.coalesce(func.sum(c), 0) for c in RATINGS), literal(0))
    rating_count = sum((func.count(c) for c in RATINGS), literal(0))
    recommend = Feedback.would_recommend
    columns += [
        rating_sum.label("rating_sum"),
        rating_count.label("rating_count"),
        func.sum(flag(recommend == 5)).label("promoters"),
        func.sum(flag(recommend <= 3)).label("detractors"),
        func.count(recommend).label("recommendations"),
    ]
    statement = (
        select(*columns)
        .select_from(Feedback)
        .join(Pair, Pair.id == Feedback.pair_id)
        .where(
            Feedback.tenant_id == scope.tenant_id,
            Feedback.is_concern.is_(False),
            *in_scope(Pair, scope),
        )
    )
    return await one(session, statement)


def _assessment_pairs(scope: KpiScope) -> Any:
    """(participant, topic, pre level, post level) for those who assessed both, as a subquery."""
    pre, post = aliased(SkillAssessment), aliased(SkillAssessment)
    return (
        select(
            pre.participant_id,
            pre.topic_id,
            pre.level.label("pre_level"),
            post.level.label("post_level"),
        )
        .join(
            post,
            and_(
                post.participant_id == pre.participant_id,
                post.topic_id == pre.topic_id,
                post.phase == AssessmentPhase.POST,
            ),
        )
        .join(Participant, Participant.id == pre.participant_id)
        .where(
            pre.tenant_id == scope.tenant_id,
            pre.phase == AssessmentPhase.PRE,
            *in_scope(Participant, scope),
        )
        .subquery("assessed")
    )


async def uplift_by_topic(session: AsyncSession, scope: KpiScope) -> Sequence[AnyRow]:
    """Per topic: people with both self-assessments, their mean levels before and after."""
    assessed = _assessment_pairs(scope)
    statement = (
        select(
            Topic.id,
            Topic.slug,
            Topic.name,
            func.count().label("people"),
            func.avg(assessed.c.pre_level).label("pre"),
            func.avg(assessed.c.post_level).label("post"),
            func.avg(assessed.c.post_level - assessed.c.pre_level).label("uplift"),
        )
        .join_from(assessed, Topic, Topic.id == assessed.c.topic_id)
        .group_by(Topic.id, Topic.slug, Topic.name)
        .order_by(Topic.name, Topic.id)
    )
    return (await session.execute(statement)).all()


async def uplift_overall(session: AsyncSession, scope: KpiScope) -> AnyRow:
    """Mean uplift over every (person, topic) assessed twice, and how many people that is."""
    assessed = _assessment_pairs(scope)
    statement = select(
        func.avg(assessed.c.post_level - assessed.c.pre_level).label("uplift"),
        func.count(distinct(assessed.c.participant_id)).label("people"),
    ).select_from(assessed)
    return await one(session, statement)
