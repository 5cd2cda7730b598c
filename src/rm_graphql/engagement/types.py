"""GraphQL queries and mutations for sessions, goals, feedback, concerns and self-assessments."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from rm_graphql.engagement import assessments, feedback, service
from rm_graphql.engagement.inputs import (
    CancelSessionInput,
    LogSessionInput,
    RecordSkillAssessmentInput,
    ReportConcernInput,
    SetGoalInput,
    SubmitFeedbackInput,
    UpdateGoalProgressInput,
)
from rm_graphql.engagement.nodes import (
    FeedbackSummaryType,
    FeedbackType,
    FlaggedParticipantType,
    GoalType,
    MentoringSessionType,
    SkillAssessmentType,
    prefetch_session_topics,
)
from rm_graphql.graphql.context import Context
from rm_graphql.graphql.errors import ErrorType
from rm_graphql.graphql.mutations import mutate
from rm_graphql.graphql.relay import Connection, PageArgs, db_id, paginate
from rm_graphql.graphql.selection import node_tree
from rm_graphql.models.enums import SessionStatus, Side
from rm_graphql.paging import Window

MentoringSessionResult = Annotated[
    MentoringSessionType | ErrorType, strawberry.union("MentoringSessionResult")
]
GoalResult = Annotated[GoalType | ErrorType, strawberry.union("GoalResult")]
FeedbackResult = Annotated[FeedbackType | ErrorType, strawberry.union("FeedbackResult")]
SkillAssessmentResult = Annotated[
    SkillAssessmentType | ErrorType, strawberry.union("SkillAssessmentResult")
]


@strawberry.type
class EngagementQueries:
    @strawberry.field(
        description="A pair's sessions, newest first; null unless it is your pair or you "
        "manage programs."
    )
    async def pair_sessions(
        self,
        info: Info[Context, None],
        pair_id: relay.GlobalID,
        status: SessionStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[MentoringSessionType] | None:
        context, pair, tree = info.context, db_id(pair_id, "Pair"), node_tree(info)
        if not await context.run(service.can_read_pair, pair):
            return None

        async def fetch(page: Window) -> list[MentoringSessionType]:
            rows = await context.run(service.list_sessions, pair, status, page)
            sessions = [MentoringSessionType.from_row(row) for row in rows]
            if tree.has("topicsCovered"):
                await prefetch_session_topics(context, sessions)
            return sessions

        return await paginate(
            lambda: context.run(service.count_sessions, pair, status),
            fetch,
            PageArgs(first, after, last, before),
        )

    @strawberry.field(description="A pair's goals for both sides; null unless you may see it.")
    async def pair_goals(
        self,
        info: Info[Context, None],
        pair_id: relay.GlobalID,
        side: Side | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[GoalType] | None:
        context, pair = info.context, db_id(pair_id, "Pair")
        if not await context.run(service.can_read_pair, pair):
            return None

        async def fetch(page: Window) -> list[GoalType]:
            rows = await context.run(service.list_goals, pair, side, page)
            return [GoalType.from_row(row) for row in rows]

        return await paginate(
            lambda: context.run(service.count_goals, pair, side),
            fetch,
            PageArgs(first, after, last, before),
        )

    @strawberry.field(
        description="A pair's feedback: participants see only what they wrote; concerns only "
        "HR admins."
    )
    async def pair_feedback(
        self,
        info: Info[Context, None],
        pair_id: relay.GlobalID,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[FeedbackType] | None:
        context, pair = info.context, db_id(pair_id, "Pair")
        if not await context.run(service.can_read_pair, pair):
            return None

        async def fetch(page: Window) -> list[FeedbackType]:
            rows = await context.run(feedback.list_feedback, pair, page)
            return [FeedbackType.from_row(row) for row in rows]

        return await paginate(
            lambda: context.run(feedback.count_feedback, pair),
            fetch,
            PageArgs(first, after, last, before),
        )

    @strawberry.field(
        description="Average ratings of a pair, for program managers and KPI readers; "
        "withheld below 3 responses."
    )
    async def pair_feedback_summary(
        self, info: Info[Context, None], pair_id: relay.GlobalID
    ) -> FeedbackSummaryType | None:
        pair = db_id(pair_id, "Pair")
        summary = await info.context.run(feedback.pair_feedback_summary, pair)
        return None if summary is None else FeedbackSummaryType.from_summary(summary)

    @strawberry.field(description="A participant's self-assessments, for them and managers.")
    async def skill_assessments(
        self,
        info: Info[Context, None],
        participant_id: relay.GlobalID,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SkillAssessmentType] | None:
        context, participant = info.context, db_id(participant_id, "Participant")
        if not await context.run(assessments.can_read_assessments, participant):
            return None

        async def fetch(page: Window) -> list[SkillAssessmentType]:
            rows = await context.run(assessments.list_assessments, participant, page)
            return [SkillAssessmentType.from_row(row) for row in rows]

        return await paginate(
            lambda: context.run(assessments.count_assessments, participant),
            fetch,
            PageArgs(first, after, last, before),
        )

    @strawberry.field(description="Concern reports in a program, newest first (HR admins only).")
    async def concern_reports(
        self,
        info: Info[Context, None],
        program_id: relay.GlobalID,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[FeedbackType]:
        context, program = info.context, db_id(program_id, "Program")

        async def fetch(page: Window) -> list[FeedbackType]:
            rows = await context.run(feedback.list_concerns, program, page)
            return [FeedbackType.from_row(row) for row in rows]

        return await paginate(
            lambda: context.run(feedback.count_concerns, program),
            fetch,
            PageArgs(first, after, last, before),
        )

    @strawberry.field(
        description="Participants with repeated low ratings or any concern against them, "
        "with the evidence (HR admins only)."
    )
    async def flagged_participants(
        self, info: Info[Context, None], program_id: relay.GlobalID
    ) -> list[FlaggedParticipantType]:
        program = db_id(program_id, "Program")
        evidence = await info.context.run(feedback.flagged_participants, program)
        return [FlaggedParticipantType.from_evidence(item) for item in evidence]


@strawberry.type
class EngagementMutations:
    @strawberry.mutation(
        description="Schedule a session or log one as held; the program's cap policy applies."
    )
    async def log_session(
        self, info: Info[Context, None], input: LogSessionInput
    ) -> MentoringSessionResult:
        return await mutate(
            info.context,
            service.log_session,
            MentoringSessionType.from_row,
            input.log(),
            queue=info.context.jobs,
        )

    @strawberry.mutation(description="Cancel a scheduled session, saying why.")
    async def cancel_session(
        self, info: Info[Context, None], input: CancelSessionInput
    ) -> MentoringSessionResult:
        session_id = db_id(input.session_id, "MentoringSession")
        return await mutate(
            info.context,
            service.cancel_session,
            MentoringSessionType.from_row,
            session_id,
            input.reason,
        )

    @strawberry.mutation(description="Set a goal for the mentee's or the mentor's side.")
    async def set_goal(self, info: Info[Context, None], input: SetGoalInput) -> GoalResult:
        return await mutate(info.context, service.set_goal, GoalType.from_row, input.spec())

    @strawberry.mutation
    async def update_goal_progress(
        self, info: Info[Context, None], input: UpdateGoalProgressInput
    ) -> GoalResult:
        return await mutate(
            info.context, service.update_goal_progress, GoalType.from_row, input.change()
        )

    @strawberry.mutation(description="Rate a pair or one held session, once each.")
    async def submit_feedback(
        self, info: Info[Context, None], input: SubmitFeedbackInput
    ) -> FeedbackResult:
        return await mutate(
            info.context, feedback.submit_feedback, FeedbackType.from_row, input.spec()
        )

    @strawberry.mutation(description="Report a concern about your partner to HR admins.")
    async def report_concern(
        self, info: Info[Context, None], input: ReportConcernInput
    ) -> FeedbackResult:
        return await mutate(
            info.context,
            feedback.report_concern,
            FeedbackType.from_row,
            input.spec(),
            queue=info.context.jobs,
        )

    @strawberry.mutation(description="Record a self-assessed level; recording again replaces it.")
    async def record_skill_assessment(
        self, info: Info[Context, None], input: RecordSkillAssessmentInput
    ) -> SkillAssessmentResult:
        return await mutate(
            info.context,
            assessments.record_assessment,
            SkillAssessmentType.from_row,
            input.spec(),
        )
