"""GraphQL types for the KPIs: `Program.kpis` and the tenant roll-up `tenantKpis`.

Each figure group is its own field and its own aggregate statement, so a client pays only for
the groups it selects.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Self

import strawberry
from strawberry import relay
from strawberry.types import Info

from rm_graphql.graphql.context import Context
from rm_graphql.kpis import figures, service
from rm_graphql.kpis.figures import MIN_SAMPLE, Generation, KpiScope, Period
from rm_graphql.kpis.series import series

strawberry.enum(Period, name="KpiPeriod", description="The length of one time-series bucket.")
strawberry.enum(Generation, description="Generation bands by birth year.")


@strawberry.type(
    name="KpiValue",
    description=f"A figure and what it rests on. Withheld (value null) when that is fewer than "
    f"{MIN_SAMPLE} people, pairs or responses; with none at all, counts are 0 and averages null.",
)
class KpiValueType:
    value: float | None
    withheld: bool
    sample_size: int = strawberry.field(description="People, pairs or responses behind it.")

    @classmethod
    def of(cls, figure: figures.KpiValue) -> Self:
        return cls(value=figure.value, withheld=figure.withheld, sample_size=figure.sample_size)


def _values(source: Any, names: tuple[str, ...]) -> dict[str, KpiValueType]:
    return {name: KpiValueType.of(getattr(source, name)) for name in names}


@strawberry.type(description="Who takes part: invitations accepted, and reach into the company.")
class ParticipationKpis:
    invited: int
    enrolled: int = strawberry.field(description="Enrolled people.")
    eligible: int = strawberry.field(description="Active employees of the tenant.")
    enrolled_mentors: int
    enrolled_mentees: int
    of_invited: KpiValueType = strawberry.field(description="Invited people now enrolled (0-1).")
    of_eligible: KpiValueType = strawberry.field(description="Enrolled ÷ active employees (0-1).")

    @classmethod
    def of(cls, data: figures.Participation) -> Self:
        return cls(
            invited=data.invited,
            enrolled=data.enrolled,
            eligible=data.eligible,
            enrolled_mentors=data.enrolled_mentors,
            enrolled_mentees=data.enrolled_mentees,
            **_values(data, ("of_invited", "of_eligible")),
        )


@strawberry.type(description="How pairing went.")
class MatchingKpis:
    published_pairs: int
    active_pairs: int
    match_rate: KpiValueType = strawberry.field(
        description="Enrolled mentees with a published, not declined pair (0-1)."
    )
    acceptance_rate: KpiValueType = strawberry.field(description="Published pairs accepted.")
    decline_rate: KpiValueType = strawberry.field(description="Published pairs declined.")
    median_days_to_match: KpiValueType = strawberry.field(
        description="Median days from a mentee's enrolment to their first pair's activation."
    )
    cross_department_reach: KpiValueType = strawberry.field(
        description="Matched pairs whose two people work in different departments (0-1)."
    )

    @classmethod
    def of(cls, data: figures.Matching) -> Self:
        names = (
            "match_rate",
            "acceptance_rate",
            "decline_rate",
            "median_days_to_match",
            "cross_department_reach",
        )
        return cls(
            published_pairs=data.published_pairs,
            active_pairs=data.active_pairs,
            **_values(data, names),
        )


@strawberry.type(description="Held sessions.")
class SessionKpis:
    held: int
    minutes: int
    per_pair_per_month: KpiValueType = strawberry.field(
        description="Held sessions per pair per month active (under a month counts as one)."
    )
    average_minutes: KpiValueType
    share_within_cap: KpiValueType = strawberry.field(
        description="Sessions no longer than their program's cap (0-1)."
    )

    @classmethod
    def of(cls, data: figures.Sessions) -> Self:
        names = ("per_pair_per_month", "average_minutes", "share_within_cap")
        return cls(held=data.held, minutes=data.minutes, **_values(data, names))


@strawberry.type(description="Achieved ÷ set goals, for both sides and each (0-1).")
class GoalKpis:
    goals: int
    overall: KpiValueType
    mentor_side: KpiValueType
    mentee_side: KpiValueType

    @classmethod
    def of(cls, data: figures.GoalCompletion) -> Self:
        names = ("overall", "mentor_side", "mentee_side")
        return cls(goals=data.goals, **_values(data, names))


@strawberry.type(description="Ratings from 1 to 5 (concern reports excluded).")
class SatisfactionKpis:
    responses: int
    average: KpiValueType = strawberry.field(description="Mean of all ratings given.")
    usefulness: KpiValueType
    comfort: KpiValueType
    respect: KpiValueType
    would_recommend: KpiValueType
    nps: KpiValueType = strawberry.field(
        description="Net promoter score from would-recommend: % rating 5 minus % rating 1 to 3."
    )

    @classmethod
    def of(cls, data: figures.Satisfaction) -> Self:
        names = ("average", "usefulness", "comfort", "respect", "would_recommend", "nps")
        return cls(responses=data.responses, **_values(data, names))


@strawberry.type(description="Self-assessed level after minus before, for one topic.")
class TopicUpliftKpi:
    topic_slug: str
    topic_name: str
    pre: KpiValueType
    post: KpiValueType
    uplift: KpiValueType

    @classmethod
    def of(cls, data: figures.TopicUplift) -> Self:
        return cls(
            topic_slug=data.slug, topic_name=data.name, **_values(data, ("pre", "post", "uplift"))
        )


@strawberry.type(description="Skill uplift over people who assessed a topic before and after.")
class SkillUpliftKpis:
    overall: KpiValueType
    by_topic: list[TopicUpliftKpi]

    @classmethod
    def of(cls, data: figures.SkillUplift) -> Self:
        return cls(
            overall=KpiValueType.of(data.overall),
            by_topic=[TopicUpliftKpi.of(item) for item in data.by_topic],
        )


@strawberry.type(
    description="Share of mentors still employed 12 months after their first enrolment, "
    "against non-participants of the same department, level band and hire year, measured "
    "from the first day of the mentor's enrolment month."
)
class RetentionKpis:
    months: int
    mentors: KpiValueType = strawberry.field(description="All mentors enrolled a year ago.")
    matched_mentors: KpiValueType = strawberry.field(
        description="Mentors who have a comparison group."
    )
    comparison: KpiValueType = strawberry.field(
        description="Mean over matched mentors of their comparison group's retention."
    )
    difference_points: KpiValueType = strawberry.field(
        description="Matched mentors minus comparison, in percentage points."
    )
    comparison_group_size: KpiValueType

    @classmethod
    def of(cls, data: figures.Retention) -> Self:
        names = (
            "mentors",
            "matched_mentors",
            "comparison",
            "difference_points",
            "comparison_group_size",
        )
        return cls(months=data.months, **_values(data, names))


@strawberry.type(description="Enrolled people of one generation band.")
class GenerationKpi:
    generation: Generation
    participants: KpiValueType
    mentors: KpiValueType
    mentees: KpiValueType
    share: KpiValueType

    @classmethod
    def of(cls, data: figures.GenerationShare) -> Self:
        names = ("participants", "mentors", "mentees", "share")
        return cls(generation=data.generation, **_values(data, names))


@strawberry.type(description="One week or month of activity.")
class KpiBucket:
    starts_on: date
    sessions: KpiValueType
    minutes: KpiValueType
    new_pairs: KpiValueType
    feedback: KpiValueType
    satisfaction: KpiValueType

    @classmethod
    def of(cls, data: figures.Bucket) -> Self:
        names = ("sessions", "minutes", "new_pairs", "feedback", "satisfaction")
        return cls(starts_on=data.starts_on, **_values(data, names))


@strawberry.type(
    name="ProgramKpis",
    description="KPIs of one program, or of all the tenant's programs (HR admins, program "
    "managers and KPI readers; never participants).",
)
class ProgramKpisType:
    as_of: datetime
    minimum_sample: int
    scope: strawberry.Private[KpiScope]

    @classmethod
    def of(cls, scope: KpiScope) -> Self:
        return cls(as_of=scope.as_of, minimum_sample=MIN_SAMPLE, scope=scope)

    @strawberry.field(description="The program, or null for the tenant roll-up.")
    def program_id(self) -> relay.GlobalID | None:
        program = self.scope.program_id
        return None if program is None else relay.GlobalID("Program", str(program))

    @strawberry.field(description="Programs covered.")
    async def program_count(self, info: Info[Context, None]) -> int:
        return await info.context.run(service.program_count, self.scope)

    @strawberry.field
    async def participation(self, info: Info[Context, None]) -> ParticipationKpis:
        return ParticipationKpis.of(await info.context.run(service.participation, self.scope))

    @strawberry.field
    async def matching(self, info: Info[Context, None]) -> MatchingKpis:
        return MatchingKpis.of(await info.context.run(service.matching, self.scope))

    @strawberry.field
    async def sessions(self, info: Info[Context, None]) -> SessionKpis:
        return SessionKpis.of(await info.context.run(service.sessions, self.scope))

    @strawberry.field
    async def goals(self, info: Info[Context, None]) -> GoalKpis:
        return GoalKpis.of(await info.context.run(service.goals, self.scope))

    @strawberry.field
    async def satisfaction(self, info: Info[Context, None]) -> SatisfactionKpis:
        return SatisfactionKpis.of(await info.context.run(service.satisfaction, self.scope))

    @strawberry.field
    async def skill_uplift(self, info: Info[Context, None]) -> SkillUpliftKpis:
        return SkillUpliftKpis.of(await info.context.run(service.skill_uplift, self.scope))

    @strawberry.field
    async def retention(self, info: Info[Context, None]) -> RetentionKpis:
        return RetentionKpis.of(await info.context.run(service.retention, self.scope))

    @strawberry.field(description="Enrolled people by generation band, youngest first.")
    async def generational_mix(self, info: Info[Context, None]) -> list[GenerationKpi]:
        shares = await info.context.run(service.generations, self.scope)
        return [GenerationKpi.of(share) for share in shares]

    @strawberry.field(description="Activity per week or month, oldest first, gaps included.")
    async def series(
        self, info: Info[Context, None], period: Period = Period.MONTH
    ) -> list[KpiBucket]:
        buckets = await info.context.run(series, self.scope, period)
        return [KpiBucket.of(bucket) for bucket in buckets]


async def program_kpis(info: Info[Context, None], program_id: int) -> ProgramKpisType:
    """`Program.kpis`: the program was loaded for this caller; KPIs need a KPI reader."""
    return ProgramKpisType.of(await info.context.run(service.program_scope, program_id))


@strawberry.type
class KpiQueries:
    @strawberry.field(
        description="KPIs across all of the tenant's programs (HR admins, program managers "
        "and KPI readers)."
    )
    async def tenant_kpis(self, info: Info[Context, None]) -> ProgramKpisType | None:
        return ProgramKpisType.of(await info.context.run(service.tenant_scope))
