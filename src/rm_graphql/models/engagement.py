"""What happens after pairing: sessions, goals for both sides, feedback and self-assessments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from rm_graphql.models.base import Base, Id, Json, Timestamped, UtcDateTime, str_enum, tenant_fk
from rm_graphql.models.enums import AssessmentPhase, GoalStatus, SessionStatus, Side

RATING_COLUMNS = ("usefulness", "comfort", "respect", "would_recommend")


class MentoringSession(Timestamped, Base):
    __tablename__ = "mentoring_sessions"
    __table_args__ = (
        Index("ix_mentoring_sessions_tenant_pair", "tenant_id", "pair_id"),
        Index("ix_mentoring_sessions_tenant_starts", "tenant_id", "starts_at"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    pair_id: Mapped[int] = mapped_column(
        Id, ForeignKey("pairs.id", ondelete="RESTRICT"), nullable=False
    )
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus, "session_status"), nullable=False, default=SessionStatus.SCHEDULED
    )
    topics_covered: Mapped[list[int]] = mapped_column(Json, nullable=False, default=list)
    over_cap: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    logged_by: Mapped[str | None] = mapped_column(String(320))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    feedback_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Goal(Timestamped, Base):
    __tablename__ = "goals"
    __table_args__ = (
        Index("ix_goals_tenant_pair", "tenant_id", "pair_id"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    pair_id: Mapped[int] = mapped_column(
        Id, ForeignKey("pairs.id", ondelete="RESTRICT"), nullable=False
    )
    owner_id: Mapped[int] = mapped_column(
        Id, ForeignKey("participants.id", ondelete="RESTRICT"), nullable=False
    )
    owner_side: Mapped[Side] = mapped_column(str_enum(Side, "side"), nullable=False)
    topic_id: Mapped[int | None] = mapped_column(Id, ForeignKey("topics.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(Text, nullable=False)
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[GoalStatus] = mapped_column(
        str_enum(GoalStatus, "goal_status"), nullable=False, default=GoalStatus.OPEN
    )


class Feedback(Timestamped, Base):
    """Ratings and a comment on a pair or one session; a concern flag routes it to HR admins."""

    __tablename__ = "feedback"
    __table_args__ = (
        Index("ix_feedback_tenant_pair", "tenant_id", "pair_id"),
        Index("ix_feedback_session_id", "session_id"),
        Index("ix_feedback_author_id", "author_id"),
        # One feedback per author per session, and one per author on the pair overall.
        Index(
            "uq_feedback_author_session",
            "author_id",
            "session_id",
            unique=True,
            sqlite_where=text("is_concern = 0 AND session_id IS NOT NULL"),
            postgresql_where=text("is_concern = false AND session_id IS NOT NULL"),
        ),
        Index(
            "uq_feedback_author_pair",
            "pair_id",
            "author_id",
            unique=True,
            sqlite_where=text("is_concern = 0 AND session_id IS NULL"),
            postgresql_where=text("is_concern = false AND session_id IS NULL"),
        ),
        *(
            CheckConstraint(f"{column} IS NULL OR {column} BETWEEN 1 AND 5", name=f"{column}_range")
            for column in RATING_COLUMNS
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    pair_id: Mapped[int] = mapped_column(
        Id, ForeignKey("pairs.id", ondelete="RESTRICT"), nullable=False
    )
    session_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("mentoring_sessions.id", ondelete="SET NULL")
    )
    # Kept so an author can see and not duplicate their own feedback; never exposed when anonymous.
    author_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("participants.id", ondelete="SET NULL")
    )
    usefulness: Mapped[int | None] = mapped_column(Integer)
    comfort: Mapped[int | None] = mapped_column(Integer)
    respect: Mapped[int | None] = mapped_column(Integer)
    would_recommend: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_concern: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class SkillAssessment(Timestamped, Base):
    __tablename__ = "skill_assessments"
    __table_args__ = (
        Index(
            "uq_skill_assessments_participant_topic_phase",
            "participant_id",
            "topic_id",
            "phase",
            unique=True,
        ),
        Index("ix_skill_assessments_tenant_topic", "tenant_id", "topic_id"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    participant_id: Mapped[int] = mapped_column(
        Id, ForeignKey("participants.id", ondelete="CASCADE"), nullable=False
    )
    topic_id: Mapped[int] = mapped_column(
        Id, ForeignKey("topics.id", ondelete="CASCADE"), nullable=False
    )
    phase: Mapped[AssessmentPhase] = mapped_column(
        str_enum(AssessmentPhase, "assessment_phase"), nullable=False
    )
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    assessed_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
