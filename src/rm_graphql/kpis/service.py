"""Rules for the KPIs: who may read them, what each figure means, and what is withheld."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.errors import NotFound
from rm_graphql.kpis import repository, retention_repository
from rm_graphql.kpis.access import require_reader
from rm_graphql.kpis.figures import (
    GENERATION_FROM,
    Generation,
    GenerationShare,
    GoalCompletion,
    KpiReport,
    KpiScope,
    Matching,
    Participation,
    Period,
    ProgramHeader,
    Retention,
    Satisfaction,
    Sessions,
    SkillUplift,
    TopicUplift,
    measure,
    ratio,
    tally,
)
from rm_graphql.kpis.figures import difference as minus
from rm_graphql.kpis.series import series
from rm_graphql.kpis.sql import AnyRow
from rm_graphql.models.enums import Side
from rm_graphql.tenancy.service import Actor

RETENTION_MONTHS = 12
GENERATION_ORDER = [band for band, _ in GENERATION_FROM] + [Generation.UNKNOWN]


def _now() -> datetime:
    return datetime.now(UTC)


async def program_scope(
    session: AsyncSession, actor: Actor, program_id: int, as_of: datetime | None = None
) -> KpiScope:
    """The scope of one of the caller's tenant's programs (already loaded, so not re-read)."""
    require_reader(actor)
    return KpiScope(actor.tenant_id, program_id, as_of or _now())


async def tenant_scope(
    session: AsyncSession, actor: Actor, as_of: datetime | None = None
) -> KpiScope:
    """The roll-up scope: every program of the caller's tenant."""
    require_reader(actor)
    return KpiScope(actor.tenant_id, None, as_of or _now())


async def program_header(session: AsyncSession, actor: Actor, program_id: int) -> ProgramHeader:
    require_reader(actor)
    row = await repository.program_header(session, actor.tenant_id, program_id)
    if row is None:
        raise NotFound("no such program")
    return ProgramHeader(
        row.id, row.name, str(row.status), row.starts_on, row.ends_on, row.session_cap_minutes
    )


async def program_count(session: AsyncSession, actor: Actor, scope: KpiScope) -> int:
    require_reader(actor, scope)
    if scope.program_id is not None:
        return 1
    return await repository.count_programs(session, scope.tenant_id)


def _int(value: Any) -> int:
    return int(value or 0)


async def participation(session: AsyncSession, actor: Actor, scope: KpiScope) -> Participation:
    """Enrolled of the invited (invitations accepted), and enrolled of all active employees."""
    require_reader(actor, scope)
    row = await repository.participation(session, scope)
    return Participation(
        invited=_int(row.invited),
        enrolled=_int(row.enrolled),
        eligible=_int(row.eligible),
        enrolled_mentors=_int(row.mentors),
        enrolled_mentees=_int(row.mentees),
        of_invited=ratio(row.invited_enrolled, _int(row.invited)),
        of_eligible=ratio(row.enrolled_active, _int(row.eligible)),
    )


async def matching(session: AsyncSession, actor: Actor, scope: KpiScope) -> Matching:
    """Match, acceptance and decline rates, time to match, active pairs, cross-department reach."""
    require_reader(actor, scope)
    mentees = await repository.mentee_matches(session, scope)
    pairs = await repository.pairs(session, scope)
    median = await repository.time_to_match(session, scope)
    published = _int(pairs.published)
    return Matching(
        published_pairs=published,
        active_pairs=_int(pairs.active),
        match_rate=ratio(mentees.matched, _int(mentees.mentees)),
        acceptance_rate=ratio(pairs.accepted, published),
        decline_rate=ratio(pairs.declined, published),
        median_days_to_match=measure(median.median, _int(median.size), digits=1),
        cross_department_reach=ratio(pairs.cross_department, _int(pairs.known_departments)),
    )


async def sessions(session: AsyncSession, actor: Actor, scope: KpiScope) -> Sessions:
    """Sessions per pair per active month, average minutes and the share kept within the cap."""
    require_reader(actor, scope)
    held = await repository.sessions(session, scope)
    count, meeting_pairs = _int(held.held), _int(held.pairs)
    months = float(held.pair_months or 0)
    per_month = count / months if months else None
    return Sessions(
        held=count,
        minutes=_int(held.minutes),
        per_pair_per_month=measure(per_month, _int(held.activated), digits=2),
        average_minutes=measure(held.average_minutes, meeting_pairs, digits=1),
        share_within_cap=measure(_share(held.within_cap, count), meeting_pairs),
    )


def _share(part: Any, whole: int) -> float | None:
    return float(part or 0) / whole if whole else None


async def goals(session: AsyncSession, actor: Actor, scope: KpiScope) -> GoalCompletion:
    """Achieved ÷ set goals, for both sides together and for each; samples count goal owners."""
    require_reader(actor, scope)
    row = await repository.goals(session, scope)

    def side(name: str) -> Any:
        goals, achieved = _int(getattr(row, f"{name}_goals")), getattr(row, f"{name}_achieved")
        return measure(_share(achieved, goals), _int(getattr(row, f"{name}_owners")))

    return GoalCompletion(
        goals=_int(row.goals),
        overall=measure(_share(row.achieved, _int(row.goals)), _int(row.owners)),
        mentor_side=side(Side.MENTOR.value.lower()),
        mentee_side=side(Side.MENTEE.value.lower()),
    )


async def satisfaction(session: AsyncSession, actor: Actor, scope: KpiScope) -> Satisfaction:
    """Average ratings by dimension and pooled; NPS from would-recommend (5 promotes, 1-3
    detract). Samples count the people who rated."""
    require_reader(actor, scope)
    row = await repository.satisfaction(session, scope)

    def dimension(name: str) -> Any:
        return measure(
            getattr(row, f"{name}_average"), _int(getattr(row, f"{name}_people")), digits=2
        )

    recommenders = _int(row.would_recommend_people)
    answers = _int(row.recommendations)
    nps = 100.0 * (_int(row.promoters) - _int(row.detractors)) / answers if answers else None
    return Satisfaction(
        responses=_int(row.responses),
        average=measure(
            _share(row.rating_sum, _int(row.rating_count)), _int(row.respondents), digits=2
        ),
        usefulness=dimension("usefulness"),
        comfort=dimension("comfort"),
        respect=dimension("respect"),
        would_recommend=dimension("would_recommend"),
        nps=measure(nps, recommenders, digits=1),
    )


async def skill_uplift(session: AsyncSession, actor: Actor, scope: KpiScope) -> SkillUplift:
    """Post - pre self-assessed level, by topic, over people who assessed the topic twice."""
    require_reader(actor, scope)
    overall = await repository.uplift_overall(session, scope)
    topics = await repository.uplift_by_topic(session, scope)
    return SkillUplift(
        overall=measure(overall.uplift, _int(overall.people), digits=2),
        by_topic=[_topic_uplift(row) for row in topics],
    )


def _topic_uplift(row: AnyRow) -> TopicUplift:
    people = _int(row.people)
    return TopicUplift(
        topic_id=row.id,
        slug=row.slug,
        name=row.name,
        pre=measure(row.pre, people, digits=2),
        post=measure(row.post, people, digits=2),
        uplift=measure(row.uplift, people, digits=2),
    )


async def retention(session: AsyncSession, actor: Actor, scope: KpiScope) -> Retention:
    """12-month retention of mentors (from their first enrolment) against non-participants of
    the same department, level band and hire year (from the first of that month)."""
    require_reader(actor, scope)
    row = await retention_repository.retention(session, scope)
    mentors, matched, peers = _int(row.mentors), _int(row.matched), _int(row.peers)
    matched_rate = ratio(row.matched_retained, matched)
    comparison = measure(_share(row.comparison_weighted, matched), peers)
    return Retention(
        months=RETENTION_MONTHS,
        mentors=ratio(row.mentors_retained, mentors),
        matched_mentors=matched_rate,
        comparison=comparison,
        difference_points=minus(matched_rate, comparison, scale=100.0),
        comparison_group_size=tally(peers, peers),
    )


async def generations(
    session: AsyncSession, actor: Actor, scope: KpiScope
) -> list[GenerationShare]:
    """Enrolled people by generation band; bands of one or two people are withheld."""
    require_reader(actor, scope)
    rows = {row.generation: row for row in await retention_repository.generations(session, scope)}
    total = sum(_int(row.people) for row in rows.values())
    shares = []
    for band in GENERATION_ORDER:
        row = rows.get(band.value)
        people = _int(row.people) if row else 0
        mentors, mentees = (_int(row.mentors), _int(row.mentees)) if row else (0, 0)
        shares.append(
            GenerationShare(
                generation=band,
                participants=tally(people, people),
                mentors=tally(mentors, mentors),
                mentees=tally(mentees, mentees),
                share=measure(_share(people, total), people),
            )
        )
    return shares


async def report(
    session: AsyncSession, actor: Actor, program_id: int, period: Period = Period.MONTH
) -> KpiReport:
    """Every figure of one program, for the dashboard, in one unit of work."""
    header = await program_header(session, actor, program_id)
    scope = await program_scope(session, actor, program_id)
    return KpiReport(
        scope=scope,
        program=header,
        participation=await participation(session, actor, scope),
        matching=await matching(session, actor, scope),
        sessions=await sessions(session, actor, scope),
        goals=await goals(session, actor, scope),
        satisfaction=await satisfaction(session, actor, scope),
        uplift=await skill_uplift(session, actor, scope),
        retention=await retention(session, actor, scope),
        generations=await generations(session, actor, scope),
        period=period,
        series=await series(session, actor, scope, period),
    )
