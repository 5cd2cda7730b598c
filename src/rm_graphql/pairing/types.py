"""GraphQL types, queries and mutations for pairs, their history and matching runs."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Self, cast

import strawberry
from sqlalchemy import Row
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from rm_graphql.graphql.context import Context
from rm_graphql.graphql.enums import PairStatus, RunStatus
from rm_graphql.graphql.errors import ErrorType
from rm_graphql.graphql.loading import by_id_loader
from rm_graphql.graphql.mutations import mutate
from rm_graphql.graphql.relay import Connection, PageArgs, db_id, paginate
from rm_graphql.graphql.selection import Tree, node_tree
from rm_graphql.graphql.watch import watch_run
from rm_graphql.models import MatchingRun, Pair, PairRule
from rm_graphql.paging import Window
from rm_graphql.pairing import matching, service

if TYPE_CHECKING:
    from rm_graphql.engagement.nodes import FeedbackSummaryType, GoalType, MentoringSessionType

from rm_graphql.programs.types import (
    ParticipantType,
    ProgramType,
    participant_loader,
    prefetch_participants,
    program_loader,
)


@strawberry.type(description="One criterion's contribution to a pair's score.")
class ScoreItem:
    criterion: str
    points: float


@strawberry.type(name="PairTransition", description="One change of a pair's status.")
class PairTransitionType:
    from_status: PairStatus | None
    to_status: PairStatus
    actor: str
    reason: str | None
    at: datetime

    @classmethod
    def from_row(cls, row: Row[Any]) -> Self:
        return cls(
            from_status=row.from_status,
            to_status=row.to_status,
            actor=row.actor,
            reason=row.reason,
            at=row.at,
        )


@strawberry.type(name="Pair", description="A mentor and a mentee, with why they were matched.")
class PairType(relay.Node):
    id: relay.NodeID[int]
    status: PairStatus
    score: float
    pinned: bool
    published_at: datetime | None
    activated_at: datetime | None
    ended_at: datetime | None
    last_session_at: datetime | None
    breakdown: strawberry.Private[dict[str, float]]
    mentor_id: strawberry.Private[int]
    mentee_id: strawberry.Private[int]
    program_id: strawberry.Private[int]
    run_id: strawberry.Private[int | None]
    prefetched: strawberry.Private[dict[int, ParticipantType]] = strawberry.field(
        default_factory=dict
    )
    prefetched_history: strawberry.Private[list[PairTransitionType] | None] = None

    @classmethod
    def from_row(cls, row: Row[Any] | Pair) -> Self:
        return cls(
            id=row.id,
            status=row.status,
            score=row.score,
            pinned=row.pinned,
            published_at=row.published_at,
            activated_at=row.activated_at,
            ended_at=row.ended_at,
            last_session_at=row.last_session_at,
            breakdown=dict(row.score_breakdown or {}),
            mentor_id=row.mentor_id,
            mentee_id=row.mentee_id,
            program_id=row.program_id,
            run_id=row.run_id,
        )

    @strawberry.field(description="Per criterion, so both people can see why they were paired.")
    def score_breakdown(self) -> list[ScoreItem]:
        return [ScoreItem(criterion=k, points=v) for k, v in sorted(self.breakdown.items())]

    @strawberry.field
    def mentor(self, info: Info[Context, None]) -> ParticipantType:
        loaded = self.prefetched.get(self.mentor_id)
        return loaded or participant_loader(info.context).load(self.mentor_id)  # type: ignore[return-value]

    @strawberry.field
    def mentee(self, info: Info[Context, None]) -> ParticipantType:
        loaded = self.prefetched.get(self.mentee_id)
        return loaded or participant_loader(info.context).load(self.mentee_id)  # type: ignore[return-value]

    @strawberry.field
    def program(
        self, info: Info[Context, None]
    ) -> Annotated[ProgramType, strawberry.lazy("rm_graphql.programs.types")]:
        return program_loader(info.context).load(self.program_id)  # type: ignore[no-any-return]

    @strawberry.field(description="The pair's sessions, oldest first.")
    def sessions(
        self, info: Info[Context, None]
    ) -> list[Annotated[MentoringSessionType, strawberry.lazy("rm_graphql.engagement.nodes")]]:
        from rm_graphql.engagement.nodes import pair_sessions_loader

        return pair_sessions_loader(info.context).load(self.id)  # type: ignore[return-value]

    @strawberry.field(description="Goals of both sides: the mentee's and the mentor's own.")
    def goals(
        self, info: Info[Context, None]
    ) -> list[Annotated[GoalType, strawberry.lazy("rm_graphql.engagement.nodes")]]:
        from rm_graphql.engagement.nodes import pair_goals_loader

        return pair_goals_loader(info.context).load(self.id)  # type: ignore[return-value]

    @strawberry.field(
        description="Average ratings; null for participants and below 3 responses (withheld)."
    )
    def feedback_summary(
        self, info: Info[Context, None]
    ) -> Annotated[FeedbackSummaryType, strawberry.lazy("rm_graphql.engagement.nodes")] | None:
        from rm_graphql.engagement.nodes import pair_feedback_summary_loader

        return pair_feedback_summary_loader(info.context).load(self.id)  # type: ignore[return-value]

    @strawberry.field(description="Every status change: who, why and when.")
    async def history(self, info: Info[Context, None]) -> list[PairTransitionType]:
        if self.prefetched_history is None:
            await prefetch_history(info.context, [self])
        return self.prefetched_history or []

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[PairType | None]:
        loader = by_id_loader(info.context, "pairs", service.visible_pairs, cls.from_row)
        return list(await loader.load_many([int(i) for i in node_ids]))


async def prefetch_history(context: Context, pairs: list[PairType]) -> None:
    rows = await context.run(service.history, [pair.id for pair in pairs])
    grouped: dict[int, list[PairTransitionType]] = {pair.id: [] for pair in pairs}
    for row in rows:
        grouped[row.pair_id].append(PairTransitionType.from_row(row))
    for pair in pairs:
        pair.prefetched_history = grouped[pair.id]


async def prefetch_pairs(context: Context, pairs: list[PairType], tree: Tree) -> list[PairType]:
    """Load the people (and what is selected under them) and history of many pairs at once."""
    sides = [name for name in ("mentor", "mentee") if tree.has(name)]
    if sides and pairs:
        ids = sorted({getattr(pair, f"{side}_id") for pair in pairs for side in sides})
        loaded = await participant_loader(context).load_many(ids)
        people = [p for p in loaded if p is not None]
        merged = Tree()
        for side in sides:
            merged.children.update((tree.get(side) or Tree()).children)
        await prefetch_participants(context, people, merged)
        by_id = {p.id: p for p in people}
        for pair in pairs:
            pair.prefetched = by_id
    if tree.has("history") and pairs:
        await prefetch_history(context, pairs)
    return pairs


@strawberry.type(name="MatchingRun", description="One run of the matching engine for a program.")
class MatchingRunType(relay.Node):
    id: relay.NodeID[int]
    status: RunStatus
    solver: str | None
    objective_mode: str | None
    objective_value: float | None
    bound: float | None
    gap: float | None
    progress: float
    seed: int
    started_at: datetime | None
    finished_at: datetime | None
    timings: JSON
    diagnostics: JSON
    error: str | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: Row[Any] | MatchingRun) -> Self:
        return cls(
            id=row.id,
            status=row.status,
            solver=row.solver,
            objective_mode=row.objective_mode,
            objective_value=row.objective_value,
            bound=row.bound,
            gap=row.gap,
            progress=row.progress,
            seed=row.seed,
            started_at=row.started_at,
            finished_at=row.finished_at,
            timings=cast(JSON, dict(row.timings or {})),
            diagnostics=cast(JSON, dict(row.diagnostics or {})),
            error=row.error,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[MatchingRunType | None]:
        loader = by_id_loader(info.context, "runs", service.runs_by_ids, cls.from_row)
        return list(await loader.load_many([int(i) for i in node_ids]))


async def program_pairs(
    info: Info[Context, None], program_id: int, status: Any, args: PageArgs
) -> Connection[PairType]:
    """The pairs of a program, loaded set-wise with what the selection asks for."""
    context = info.context
    tree = node_tree(info)

    async def fetch(page: Window) -> list[PairType]:
        rows = await context.run(service.list_pairs, program_id, status, page)
        return await prefetch_pairs(context, [PairType.from_row(row) for row in rows], tree)

    return await paginate(lambda: context.run(service.count_pairs, program_id, status), fetch, args)


async def program_runs(info: Info[Context, None], program_id: int) -> list[MatchingRunType]:
    rows = await info.context.run(service.runs_of_program, program_id)
    return [MatchingRunType.from_row(row) for row in rows]


# Mutations -----------------------------------------------------------------------------------


@strawberry.input
class RunMatchingInput:
    program_id: relay.GlobalID
    seed: int | None = strawberry.field(
        default=None, description="Same input and seed give the same pairs; default: the rules'."
    )


@strawberry.input
class PairPeopleInput:
    mentor_id: relay.GlobalID
    mentee_id: relay.GlobalID
    reason: str | None = None


@strawberry.input
class PublishMatchingInput:
    program_id: relay.GlobalID
    run_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Publish this run's drafts (and pins); default: every draft."
    )


@strawberry.input
class RespondToPairInput:
    pair_id: relay.GlobalID
    accept: bool
    reason: str | None = strawberry.field(default=None, description="Required to decline.")


@strawberry.input
class CompletePairInput:
    pair_id: relay.GlobalID
    reason: str | None = None


@strawberry.input
class CancelPairInput:
    pair_id: relay.GlobalID
    reason: str


@strawberry.type(description="An admin's rule for one program: pin or forbid a pairing.")
class PairRuleType:
    kind: str
    reason: str | None
    created_by: str


@strawberry.type
class PairList:
    pairs: list[PairType]


PairResult = Annotated[PairType | ErrorType, strawberry.union("PairResult")]
MatchingRunResult = Annotated[MatchingRunType | ErrorType, strawberry.union("MatchingRunResult")]
PairRuleResult = Annotated[PairRuleType | ErrorType, strawberry.union("PairRuleResult")]
PairListResult = Annotated[PairList | ErrorType, strawberry.union("PairListResult")]


def _rule(rule: PairRule) -> PairRuleType:
    return PairRuleType(kind=rule.kind.value, reason=rule.reason, created_by=rule.created_by)


def _pair_list(pairs: list[Pair]) -> PairList:
    return PairList(pairs=[PairType.from_row(pair) for pair in pairs])


@strawberry.type
class PairingQueries:
    @strawberry.field(description="The caller's published pairs, in every program.")
    async def my_pairs(self, info: Info[Context, None]) -> list[PairType]:
        rows = await info.context.run(service.my_pairs)
        pairs = [PairType.from_row(row) for row in rows]
        from rm_graphql.graphql.selection import selected

        return await prefetch_pairs(info.context, pairs, selected(info))


@strawberry.type
class PairingMutations:
    @strawberry.mutation(
        description="Queue a matching run for a program; its draft pairs await review and publish."
    )
    async def run_matching(
        self, info: Info[Context, None], input: RunMatchingInput
    ) -> MatchingRunResult:
        program_id = db_id(input.program_id, "Program")
        return await mutate(
            info.context,
            matching.request_run,
            MatchingRunType.from_row,
            info.context.jobs,
            program_id,
            input.seed,
        )

    @strawberry.mutation(description="Match these two now; later runs keep the pair.")
    async def pin_pair(self, info: Info[Context, None], input: PairPeopleInput) -> PairResult:
        ids = db_id(input.mentor_id, "Participant"), db_id(input.mentee_id, "Participant")
        return await mutate(info.context, service.pin_pair, PairType.from_row, *ids, input.reason)

    @strawberry.mutation(description="Never pair these two in this program.")
    async def forbid_pair(
        self, info: Info[Context, None], input: PairPeopleInput
    ) -> PairRuleResult:
        ids = db_id(input.mentor_id, "Participant"), db_id(input.mentee_id, "Participant")
        return await mutate(info.context, service.forbid_pair, _rule, *ids, input.reason)

    @strawberry.mutation(description="Show the draft pairs to the people in them.")
    async def publish_matching(
        self, info: Info[Context, None], input: PublishMatchingInput
    ) -> PairListResult:
        program_id = db_id(input.program_id, "Program")
        run_id = db_id(input.run_id, "MatchingRun") if input.run_id else None
        return await mutate(
            info.context, service.publish, _pair_list, info.context.jobs, program_id, run_id
        )

    @strawberry.mutation(description="Accept a proposed pair, or decline it with a reason.")
    async def respond_to_pair(
        self, info: Info[Context, None], input: RespondToPairInput
    ) -> PairResult:
        pair_id = db_id(input.pair_id, "Pair")
        return await mutate(
            info.context, service.respond, PairType.from_row, pair_id, input.accept, input.reason
        )

    @strawberry.mutation
    async def complete_pair(
        self, info: Info[Context, None], input: CompletePairInput
    ) -> PairResult:
        pair_id = db_id(input.pair_id, "Pair")
        return await mutate(
            info.context, service.complete, PairType.from_row, pair_id, input.reason
        )

    @strawberry.mutation
    async def cancel_pair(self, info: Info[Context, None], input: CancelPairInput) -> PairResult:
        pair_id = db_id(input.pair_id, "Pair")
        return await mutate(info.context, service.cancel, PairType.from_row, pair_id, input.reason)


@strawberry.type
class PairingSubscriptions:
    @strawberry.subscription(
        description="The run's state each time it changes, until it has finished (or vanished)."
    )
    async def matching_run_progress(
        self, info: Info[Context, None], run_id: relay.GlobalID
    ) -> AsyncGenerator[MatchingRunType, None]:
        key = db_id(run_id, "MatchingRun")
        async for run in watch_run(
            info.context, service.runs_by_ids, key, MatchingRunType.from_row
        ):
            yield run
