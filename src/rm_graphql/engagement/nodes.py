"""GraphQL object types of the engagement room, and the DataLoaders that fill them set-wise.

Resolvers with arguments live in types.py; these types use bare `@strawberry.field` only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime
from typing import Any, Self, TypeVar, cast

import strawberry
from sqlalchemy import Row
from strawberry import relay
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from rm_graphql.engagement import assessments, feedback, service
from rm_graphql.engagement.feedback import FlagEvidence, RatingSummary
from rm_graphql.graphql.context import Context
from rm_graphql.graphql.loading import BatchQuery, by_id_loader
from rm_graphql.models import Feedback, Goal, MentoringSession
from rm_graphql.models.enums import AssessmentPhase, GoalStatus, SessionStatus, Side
from rm_graphql.people import service as people_service
from rm_graphql.people.types import TopicType
from rm_graphql.programs.types import ParticipantType, participant_loader

for _enum in (AssessmentPhase, GoalStatus, SessionStatus, Side):
    strawberry.enum(_enum)

T = TypeVar("T")


def deferred(value: Awaitable[T | None]) -> T:
    """A DataLoader future, typed as what graphql-core awaits it into; loads stay batched."""
    return cast(T, value)


def pair_global_id(pair_id: int) -> relay.GlobalID:
    """The global id of a pair (the Pair type belongs to the pairing room)."""
    return relay.GlobalID("Pair", str(pair_id))


def topic_loader(context: Context) -> DataLoader[int, TopicType | None]:
    return by_id_loader(context, "topics", people_service.topics_by_ids, TopicType.from_row)


@strawberry.type(name="MentoringSession", description="A pair's session: scheduled, held or not.")
class MentoringSessionType(relay.Node):
    id: relay.NodeID[int]
    starts_at: datetime
    duration_minutes: int
    status: SessionStatus
    over_cap: bool = strawberry.field(
        description="Longer than the program's cap; accepted because its policy is FLAG."
    )
    cancel_reason: str | None
    logged_by: str | None
    created_at: datetime
    pair_db_id: strawberry.Private[int]
    topic_ids: strawberry.Private[list[int]]
    prefetched_topics: strawberry.Private[list[TopicType] | None] = None

    @classmethod
    def from_row(cls, row: Row[Any] | MentoringSession) -> Self:
        return cls(
            id=row.id,
            starts_at=row.starts_at,
            duration_minutes=row.duration_minutes,
            status=row.status,
            over_cap=row.over_cap,
            cancel_reason=row.cancel_reason,
            logged_by=row.logged_by,
            created_at=row.created_at,
            pair_db_id=row.pair_id,
            topic_ids=list(row.topics_covered or ()),
        )

    @strawberry.field
    def pair_id(self) -> relay.GlobalID:
        return pair_global_id(self.pair_db_id)

    @strawberry.field
    async def topics_covered(self, info: Info[Context, None]) -> list[TopicType]:
        if self.prefetched_topics is None:
            await prefetch_session_topics(info.context, [self])
        return self.prefetched_topics or []

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[MentoringSessionType | None]:
        return list(await session_loader(info.context).load_many([int(i) for i in node_ids]))


async def prefetch_session_topics(context: Context, sessions: list[MentoringSessionType]) -> None:
    """Attach the topics covered by many sessions with one query."""
    ids = sorted({topic_id for item in sessions for topic_id in item.topic_ids})
    found = await topic_loader(context).load_many(ids) if ids else []
    by_id = {topic.id: topic for topic in found if topic is not None}
    for item in sessions:
        item.prefetched_topics = [by_id[i] for i in item.topic_ids if i in by_id]


def session_loader(context: Context) -> DataLoader[int, MentoringSessionType | None]:
    return by_id_loader(
        context, "mentoring_sessions", service.sessions_by_ids, MentoringSessionType.from_row
    )


@strawberry.type(name="Goal", description="A goal of one side: the mentee's or the mentor's.")
class GoalType(relay.Node):
    id: relay.NodeID[int]
    owner_side: Side
    description: str
    progress: int = strawberry.field(description="0 to 100.")
    due_on: date | None
    status: GoalStatus
    created_at: datetime
    updated_at: datetime
    pair_db_id: strawberry.Private[int]
    owner_id: strawberry.Private[int]
    topic_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Row[Any] | Goal) -> Self:
        return cls(
            id=row.id,
            owner_side=row.owner_side,
            description=row.description,
            progress=row.progress,
            due_on=row.due_on,
            status=row.status,
            created_at=row.created_at,
            updated_at=row.updated_at,
            pair_db_id=row.pair_id,
            owner_id=row.owner_id,
            topic_id=row.topic_id,
        )

    @strawberry.field
    def pair_id(self) -> relay.GlobalID:
        return pair_global_id(self.pair_db_id)

    @strawberry.field
    def owner(self, info: Info[Context, None]) -> ParticipantType:
        return deferred(participant_loader(info.context).load(self.owner_id))

    @strawberry.field
    def topic(self, info: Info[Context, None]) -> TopicType | None:
        if self.topic_id is None:
            return None
        return deferred(topic_loader(info.context).load(self.topic_id))

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[GoalType | None]:
        loader = by_id_loader(info.context, "goals", service.goals_by_ids, cls.from_row)
        return list(await loader.load_many([int(i) for i in node_ids]))


@strawberry.type(
    name="Feedback",
    description="Ratings (1-5) and a comment on a pair or one session, or a concern report.",
)
class FeedbackType(relay.Node):
    id: relay.NodeID[int]
    usefulness: int | None
    comfort: int | None
    respect: int | None
    would_recommend: int | None
    comment: str | None
    anonymous: bool
    is_concern: bool
    created_at: datetime
    pair_db_id: strawberry.Private[int]
    session_id: strawberry.Private[int | None]
    # None for anonymous feedback, so no resolver can reach its author.
    author_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Row[Any] | Feedback) -> Self:
        return cls(
            id=row.id,
            usefulness=row.usefulness,
            comfort=row.comfort,
            respect=row.respect,
            would_recommend=row.would_recommend,
            comment=row.comment,
            anonymous=row.anonymous,
            is_concern=row.is_concern,
            created_at=row.created_at,
            pair_db_id=row.pair_id,
            session_id=row.session_id,
            author_id=None if row.anonymous else row.author_id,
        )

    @strawberry.field
    def pair_id(self) -> relay.GlobalID:
        return pair_global_id(self.pair_db_id)

    @strawberry.field
    def author(self, info: Info[Context, None]) -> ParticipantType | None:
        """The author, unless the feedback is anonymous."""
        if self.author_id is None:
            return None
        return deferred(participant_loader(info.context).load(self.author_id))

    @strawberry.field
    def session(self, info: Info[Context, None]) -> MentoringSessionType | None:
        if self.session_id is None:
            return None
        return deferred(session_loader(info.context).load(self.session_id))

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[FeedbackType | None]:
        loader = by_id_loader(info.context, "feedback", feedback.feedback_by_ids, cls.from_row)
        return list(await loader.load_many([int(i) for i in node_ids]))


@strawberry.type(name="SkillAssessment", description="A self-assessed level (1-5) on a topic.")
class SkillAssessmentType(relay.Node):
    id: relay.NodeID[int]
    phase: AssessmentPhase
    level: int
    assessed_at: datetime
    participant_id: strawberry.Private[int]
    topic_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Row[Any]) -> Self:
        return cls(
            id=row.id,
            phase=row.phase,
            level=row.level,
            assessed_at=row.assessed_at,
            participant_id=row.participant_id,
            topic_id=row.topic_id,
        )

    @strawberry.field
    def participant(self, info: Info[Context, None]) -> ParticipantType:
        return deferred(participant_loader(info.context).load(self.participant_id))

    @strawberry.field
    def topic(self, info: Info[Context, None]) -> TopicType:
        return deferred(topic_loader(info.context).load(self.topic_id))

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[SkillAssessmentType | None]:
        query = assessments.assessments_by_ids
        loader = by_id_loader(info.context, "skill_assessments", query, cls.from_row)
        return list(await loader.load_many([int(i) for i in node_ids]))


@strawberry.type(
    name="FeedbackSummary",
    description="Average ratings of a pair; withheld below 3 responses to protect authors.",
)
class FeedbackSummaryType:
    pair_id: relay.GlobalID
    responses: int
    withheld: bool
    withheld_reason: str | None
    usefulness: float | None
    comfort: float | None
    respect: float | None
    would_recommend: float | None

    @classmethod
    def from_summary(cls, summary: RatingSummary) -> Self:
        return cls(
            pair_id=pair_global_id(summary.pair_id),
            responses=summary.responses,
            withheld=summary.withheld_reason is not None,
            withheld_reason=summary.withheld_reason,
            **summary.averages,
        )


@strawberry.type(
    name="FlaggedParticipant",
    description="Someone with repeated low ratings or a concern against them, with evidence.",
)
class FlaggedParticipantType:
    low_rated_feedback_count: int
    low_rated_feedback_ids: list[relay.GlobalID]
    concern_count: int
    concern_ids: list[relay.GlobalID]
    participant_id: strawberry.Private[int]

    @classmethod
    def from_evidence(cls, evidence: FlagEvidence) -> Self:
        def ids(values: list[int]) -> list[relay.GlobalID]:
            return [relay.GlobalID("Feedback", str(value)) for value in values]

        return cls(
            low_rated_feedback_count=len(evidence.low_rated_feedback_ids),
            low_rated_feedback_ids=ids(evidence.low_rated_feedback_ids),
            concern_count=len(evidence.concern_ids),
            concern_ids=ids(evidence.concern_ids),
            participant_id=evidence.participant_id,
        )

    @strawberry.field
    def participant(self, info: Info[Context, None]) -> ParticipantType:
        return deferred(participant_loader(info.context).load(self.participant_id))


# Batch loaders for nested fields (the pairing room's Pair type can call these) ---------------


def _grouped_loader(
    context: Context,
    name: str,
    query: BatchQuery,
    build: Callable[[Row[Any]], T],
    key: Callable[[T], int],
    attach: Callable[[Context, list[T]], Awaitable[None]] | None = None,
) -> DataLoader[int, list[T]]:
    """A loader of each pair's list of T, one query for all the pairs of a request."""

    async def load(pair_ids: list[int]) -> list[list[T]]:
        items = [build(row) for row in await context.run(query, pair_ids)]
        if attach is not None and items:
            await attach(context, items)
        grouped: dict[int, list[T]] = {pair_id: [] for pair_id in pair_ids}
        for item in items:
            grouped[key(item)].append(item)
        return [grouped[pair_id] for pair_id in pair_ids]

    return context.loader(name, lambda: DataLoader(load_fn=load))


def pair_sessions_loader(context: Context) -> DataLoader[int, list[MentoringSessionType]]:
    """Sessions by pair id, newest first, with their topics (only pairs the caller may see)."""
    return _grouped_loader(
        context,
        "engagement.pair_sessions",
        service.sessions_for_pairs,
        MentoringSessionType.from_row,
        lambda item: item.pair_db_id,
        prefetch_session_topics,
    )


def pair_goals_loader(context: Context) -> DataLoader[int, list[GoalType]]:
    """Goals by pair id, oldest first (only pairs the caller may see)."""
    return _grouped_loader(
        context,
        "engagement.pair_goals",
        service.goals_for_pairs,
        GoalType.from_row,
        lambda item: item.pair_db_id,
    )


def pair_feedback_loader(context: Context) -> DataLoader[int, list[FeedbackType]]:
    """Feedback by pair id that the caller may read, newest first."""
    return _grouped_loader(
        context,
        "engagement.pair_feedback",
        feedback.feedback_for_pairs,
        FeedbackType.from_row,
        lambda item: item.pair_db_id,
    )


def pair_feedback_summary_loader(context: Context) -> DataLoader[int, FeedbackSummaryType | None]:
    """Rating summaries by pair id (None for callers who do not read KPIs)."""

    async def load(pair_ids: list[int]) -> list[FeedbackSummaryType | None]:
        summaries = await context.run(feedback.feedback_summaries_for_pairs, pair_ids)
        return [FeedbackSummaryType.from_summary(s) if s else None for s in summaries]

    return context.loader("engagement.pair_feedback_summary", lambda: DataLoader(load_fn=load))
