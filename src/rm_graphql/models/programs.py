"""Programs and the people enrolled in them, with what each wants to teach and learn."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rm_graphql.models.base import Base, Id, Json, Timestamped, UtcDateTime, str_enum, tenant_fk
from rm_graphql.models.enums import (
    EnrolmentMode,
    ParticipantRole,
    ParticipantStatus,
    ProgramStatus,
    SessionCapPolicy,
    TopicDirection,
)
from rm_graphql.models.people import Employee, Topic

MATCHING_RULES_VERSION = 1


class Program(Timestamped, Base):
    __tablename__ = "programs"
    __table_args__ = (
        Index("ix_programs_tenant_status", "tenant_id", "status"),
        CheckConstraint("session_cap_minutes > 0", name="session_cap_positive"),
        CheckConstraint("cadence_days IS NULL OR cadence_days > 0", name="cadence_positive"),
        CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates"
        ),
        CheckConstraint(
            "idle_warning_days > 0 AND idle_conclude_days > idle_warning_days", name="idle_periods"
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    objectives: Mapped[list[str]] = mapped_column(Json, nullable=False, default=list)
    kpi_targets: Mapped[dict[str, float]] = mapped_column(Json, nullable=False, default=dict)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ProgramStatus] = mapped_column(
        str_enum(ProgramStatus, "program_status"), nullable=False, default=ProgramStatus.DRAFT
    )
    enrolment_mode: Mapped[EnrolmentMode] = mapped_column(
        str_enum(EnrolmentMode, "enrolment_mode"), nullable=False, default=EnrolmentMode.INVITE_ONLY
    )
    session_cap_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    session_cap_policy: Mapped[SessionCapPolicy] = mapped_column(
        str_enum(SessionCapPolicy, "session_cap_policy"),
        nullable=False,
        default=SessionCapPolicy.REJECT,
    )
    cadence_days: Mapped[int | None] = mapped_column(Integer, default=14)
    # A pair with no session for this many days is warned, then concluded as CONCLUDED_IDLE.
    idle_warning_days: Mapped[int] = mapped_column(Integer, nullable=False, default=21)
    idle_conclude_days: Mapped[int] = mapped_column(Integer, nullable=False, default=42)
    # Versioned shape: {"version": 1, ...}; the pairing room validates and upgrades it.
    matching_rules: Mapped[dict[str, Any]] = mapped_column(
        Json, nullable=False, default=lambda: {"version": MATCHING_RULES_VERSION}
    )


class Participant(Timestamped, Base):
    __tablename__ = "participants"
    __table_args__ = (
        Index(
            "uq_participants_tenant_program_employee",
            "tenant_id",
            "program_id",
            "employee_id",
            unique=True,
        ),
        Index("ix_participants_tenant_employee", "tenant_id", "employee_id"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        # The database itself guards mentor capacity, even under concurrent publishes.
        CheckConstraint(
            "assigned_count >= 0 AND assigned_count <= capacity", name="within_capacity"
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    program_id: Mapped[int] = mapped_column(
        Id, ForeignKey("programs.id", ondelete="CASCADE"), nullable=False
    )
    employee_id: Mapped[int] = mapped_column(
        Id, ForeignKey("employees.id", ondelete="RESTRICT"), nullable=False
    )
    role: Mapped[ParticipantRole] = mapped_column(
        str_enum(ParticipantRole, "participant_role"), nullable=False
    )
    status: Mapped[ParticipantStatus] = mapped_column(
        str_enum(ParticipantStatus, "participant_status"),
        nullable=False,
        default=ParticipantStatus.INVITED,
    )
    capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    assigned_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Weekly slots such as "MON-09" (day and UTC hour); empty means not stated.
    availability: Mapped[list[str]] = mapped_column(Json, nullable=False, default=list)
    # {"wishes": [participant ids, ranked], "blocks": [participant ids]}
    preferences: Mapped[dict[str, list[int]]] = mapped_column(Json, nullable=False, default=dict)
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    invited_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    employee: Mapped[Employee] = relationship(lazy="raise")
    program: Mapped[Program] = relationship(lazy="raise")


class ParticipantTopic(Base):
    """A topic a participant wants to teach or learn (with a level 1-5) or is interested in."""

    __tablename__ = "participant_topics"
    __table_args__ = (
        Index("ix_participant_topics_tenant_topic", "tenant_id", "topic_id"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
    )

    participant_id: Mapped[int] = mapped_column(
        Id, ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        Id, ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    direction: Mapped[TopicDirection] = mapped_column(
        str_enum(TopicDirection, "topic_direction"), primary_key=True
    )
    tenant_id: Mapped[int] = tenant_fk()
    level: Mapped[int] = mapped_column(Integer, nullable=False, default=3)

    topic: Mapped[Topic] = relationship(lazy="raise")
