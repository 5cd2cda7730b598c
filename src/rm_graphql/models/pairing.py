"""Matching runs, the pairs they propose, admin pins and forbids, and every pair transition."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rm_graphql.models.base import (
    Base,
    Id,
    Json,
    Timestamped,
    UtcDateTime,
    str_enum,
    tenant_fk,
    utcnow,
)
from rm_graphql.models.enums import PairRuleKind, PairStatus, RunStatus
from rm_graphql.models.programs import Participant

LIVE_PAIR_STATUSES = "('PROPOSED', 'ACTIVE')"


class MatchingRun(Timestamped, Base):
    __tablename__ = "matching_runs"
    __table_args__ = (
        Index("ix_matching_runs_tenant_program", "tenant_id", "program_id"),
        Index("ix_matching_runs_status", "status"),
        # At most one queued or running matching run per program, whoever asks.
        Index(
            "uq_matching_runs_live_program",
            "program_id",
            unique=True,
            sqlite_where=text("status IN ('QUEUED', 'RUNNING')"),
            postgresql_where=text("status IN ('QUEUED', 'RUNNING')"),
        ),
        CheckConstraint("progress BETWEEN 0 AND 1", name="progress_range"),
        CheckConstraint("gap IS NULL OR gap >= 0", name="gap_non_negative"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    program_id: Mapped[int] = mapped_column(
        Id, ForeignKey("programs.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[RunStatus] = mapped_column(
        str_enum(RunStatus, "run_status"), nullable=False, default=RunStatus.QUEUED
    )
    requested_by: Mapped[str | None] = mapped_column(String(320))
    solver: Mapped[str | None] = mapped_column(String(120))
    objective_mode: Mapped[str | None] = mapped_column(String(32))
    objective_value: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    gap: Mapped[float | None] = mapped_column(Float)
    seed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    progress: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    timings: Mapped[dict[str, float]] = mapped_column(Json, nullable=False, default=dict)
    config_snapshot: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    diagnostics: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    error: Mapped[str | None] = mapped_column(Text)


class Pair(Timestamped, Base):
    __tablename__ = "pairs"
    __table_args__ = (
        Index("ix_pairs_tenant_program_status", "tenant_id", "program_id", "status"),
        Index("ix_pairs_mentor_id", "mentor_id"),
        Index("ix_pairs_run_id", "run_id"),
        # A mentee has at most one live pair: enforced by the database, not by hope.
        Index(
            "uq_pairs_live_mentee",
            "mentee_id",
            unique=True,
            sqlite_where=text(f"status IN {LIVE_PAIR_STATUSES}"),
            postgresql_where=text(f"status IN {LIVE_PAIR_STATUSES}"),
        ),
        CheckConstraint("mentor_id <> mentee_id", name="distinct_people"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    program_id: Mapped[int] = mapped_column(
        Id, ForeignKey("programs.id", ondelete="CASCADE"), nullable=False
    )
    run_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("matching_runs.id", ondelete="SET NULL")
    )
    mentor_id: Mapped[int] = mapped_column(
        Id, ForeignKey("participants.id", ondelete="RESTRICT"), nullable=False
    )
    mentee_id: Mapped[int] = mapped_column(
        Id, ForeignKey("participants.id", ondelete="RESTRICT"), nullable=False
    )
    status: Mapped[PairStatus] = mapped_column(
        str_enum(PairStatus, "pair_status"), nullable=False, default=PairStatus.PROPOSED
    )
    score: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    score_breakdown: Mapped[dict[str, float]] = mapped_column(Json, nullable=False, default=dict)
    pinned: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Draft pairs are seen by admins only until a publish makes them visible to the two people.
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    mentor_accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    mentee_accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_session_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    idle_warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    mentor: Mapped[Participant] = relationship(lazy="raise", foreign_keys=[mentor_id])
    mentee: Mapped[Participant] = relationship(lazy="raise", foreign_keys=[mentee_id])


class PairTransition(Base):
    """One change of a pair's status: who, why and when. Never updated, never deleted."""

    __tablename__ = "pair_transitions"
    __table_args__ = (Index("ix_pair_transitions_tenant_pair", "tenant_id", "pair_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    pair_id: Mapped[int] = mapped_column(
        Id, ForeignKey("pairs.id", ondelete="CASCADE"), nullable=False
    )
    from_status: Mapped[PairStatus | None] = mapped_column(str_enum(PairStatus, "from_status"))
    to_status: Mapped[PairStatus] = mapped_column(str_enum(PairStatus, "to_status"), nullable=False)
    actor: Mapped[str] = mapped_column(String(320), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow)


class PairRule(Timestamped, Base):
    """An admin's or participant's pin (must pair) or forbid (never pair) for one program."""

    __tablename__ = "pair_rules"
    __table_args__ = (
        Index(
            "uq_pair_rules_program_mentor_mentee",
            "tenant_id",
            "program_id",
            "mentor_id",
            "mentee_id",
            unique=True,
        ),
        CheckConstraint("mentor_id <> mentee_id", name="distinct_people"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    program_id: Mapped[int] = mapped_column(
        Id, ForeignKey("programs.id", ondelete="CASCADE"), nullable=False
    )
    mentor_id: Mapped[int] = mapped_column(
        Id, ForeignKey("participants.id", ondelete="CASCADE"), nullable=False
    )
    mentee_id: Mapped[int] = mapped_column(
        Id, ForeignKey("participants.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[PairRuleKind] = mapped_column(
        str_enum(PairRuleKind, "pair_rule_kind"), nullable=False
    )
    created_by: Mapped[str] = mapped_column(String(320), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
