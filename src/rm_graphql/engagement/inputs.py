"""GraphQL input objects of the engagement mutations, each turned into its service's spec."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry import relay

from rm_graphql.engagement.assessments import AssessmentSpec
from rm_graphql.engagement.feedback import ConcernSpec, FeedbackSpec
from rm_graphql.engagement.service import GoalProgress, GoalSpec, SessionLog
from rm_graphql.graphql.relay import db_id
from rm_graphql.models.enums import AssessmentPhase, GoalStatus, SessionStatus, Side


def _optional_id(value: relay.GlobalID | None, type_name: str) -> int | None:
    return None if value is None else db_id(value, type_name)


@strawberry.input(description="Schedule a session, or log one as held.")
class LogSessionInput:
    pair_id: relay.GlobalID
    starts_at: datetime = strawberry.field(description="With a time zone.")
    duration_minutes: int
    topics: list[str] = strawberry.field(
        default_factory=list, description="Slugs of the topics covered."
    )
    status: SessionStatus = strawberry.field(
        default=SessionStatus.COMPLETED, description="SCHEDULED or COMPLETED."
    )
    session_id: relay.GlobalID | None = strawberry.field(
        default=None, description="A SCHEDULED session of this pair that is now being logged."
    )

    def log(self) -> SessionLog:
        return SessionLog(
            pair_id=db_id(self.pair_id, "Pair"),
            starts_at=self.starts_at,
            duration_minutes=self.duration_minutes,
            topics=list(self.topics),
            status=self.status,
            session_id=_optional_id(self.session_id, "MentoringSession"),
        )


@strawberry.input
class CancelSessionInput:
    session_id: relay.GlobalID
    reason: str


@strawberry.input(description="A goal for one side of a pair.")
class SetGoalInput:
    pair_id: relay.GlobalID
    side: Side = strawberry.field(
        description="MENTEE for the senior's digital goals, MENTOR for the mentor's own."
    )
    description: str
    owner_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The participant on that side; checked when given."
    )
    topic: str | None = strawberry.field(default=None, description="A topic slug.")
    due_on: date | None = None

    def spec(self) -> GoalSpec:
        return GoalSpec(
            pair_id=db_id(self.pair_id, "Pair"),
            side=self.side,
            description=self.description,
            owner_id=_optional_id(self.owner_id, "Participant"),
            topic=self.topic,
            due_on=self.due_on,
        )


@strawberry.input(description="ACHIEVED sets the progress to 100.")
class UpdateGoalProgressInput:
    goal_id: relay.GlobalID
    progress: int | None = strawberry.field(default=None, description="0 to 100.")
    status: GoalStatus | None = None

    def change(self) -> GoalProgress:
        return GoalProgress(db_id(self.goal_id, "Goal"), self.progress, self.status)


@strawberry.input(description="Feedback on a pair, or on one held session; ratings are 1-5.")
class SubmitFeedbackInput:
    pair_id: relay.GlobalID
    session_id: relay.GlobalID | None = None
    usefulness: int | None = None
    comfort: int | None = None
    respect: int | None = None
    would_recommend: int | None = None
    comment: str | None = None
    anonymous: bool = strawberry.field(
        default=False, description="Nobody, HR admins included, will see who wrote it."
    )

    def spec(self) -> FeedbackSpec:
        ratings = {
            "usefulness": self.usefulness,
            "comfort": self.comfort,
            "respect": self.respect,
            "would_recommend": self.would_recommend,
        }
        return FeedbackSpec(
            pair_id=db_id(self.pair_id, "Pair"),
            ratings=ratings,
            comment=self.comment,
            anonymous=self.anonymous,
            session_id=_optional_id(self.session_id, "MentoringSession"),
        )


@strawberry.input(description="A concern about your partner; only HR admins will read it.")
class ReportConcernInput:
    pair_id: relay.GlobalID
    comment: str
    session_id: relay.GlobalID | None = None
    anonymous: bool = False

    def spec(self) -> ConcernSpec:
        return ConcernSpec(
            pair_id=db_id(self.pair_id, "Pair"),
            comment=self.comment,
            anonymous=self.anonymous,
            session_id=_optional_id(self.session_id, "MentoringSession"),
        )


@strawberry.input(description="A self-assessed level on a topic, before (PRE) or after (POST).")
class RecordSkillAssessmentInput:
    participant_id: relay.GlobalID
    topic: str = strawberry.field(description="A topic slug.")
    level: int = strawberry.field(description="1 to 5.")
    phase: AssessmentPhase

    def spec(self) -> AssessmentSpec:
        participant_id = db_id(self.participant_id, "Participant")
        return AssessmentSpec(participant_id, self.topic, self.level, self.phase)
