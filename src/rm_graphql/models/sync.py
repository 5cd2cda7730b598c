"""HRIS connections (credentials encrypted at rest) and the record of every sync run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rm_graphql.models.base import Base, Id, Json, Timestamped, UtcDateTime, str_enum, tenant_fk
from rm_graphql.models.enums import ConnectionKind, RunStatus, SyncMode

SYNC_COUNTERS = ("created", "updated", "unchanged", "terminated", "invalid")


class HrisConnection(Timestamped, Base):
    __tablename__ = "hris_connections"
    __table_args__ = (Index("uq_hris_connections_tenant_name", "tenant_id", "name", unique=True),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[ConnectionKind] = mapped_column(
        str_enum(ConnectionKind, "connection_kind"), nullable=False
    )
    base_url: Mapped[str | None] = mapped_column(String(500))
    # Non-secret options: company domain, Workday tenant, mapping profile, API version...
    options: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    # Ciphertext only (see rm_graphql.crypto); never returned by any API.
    credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    schedule_cron: Mapped[str | None] = mapped_column(String(64))
    watermark: Mapped[str | None] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class SyncRun(Timestamped, Base):
    __tablename__ = "sync_runs"
    __table_args__ = (
        Index("ix_sync_runs_tenant_connection", "tenant_id", "connection_id"),
        Index("ix_sync_runs_status", "status"),
        *(
            CheckConstraint(f"{name}_count >= 0", name=f"{name}_non_negative")
            for name in SYNC_COUNTERS
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    connection_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("hris_connections.id", ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(String(32), nullable=False)
    mode: Mapped[SyncMode] = mapped_column(str_enum(SyncMode, "sync_mode"), nullable=False)
    status: Mapped[RunStatus] = mapped_column(
        str_enum(RunStatus, "run_status"), nullable=False, default=RunStatus.QUEUED
    )
    dry_run: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    requested_by: Mapped[str | None] = mapped_column(String(320))
    created_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    terminated_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    invalid_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    invalid_records: Mapped[list[dict[str, str]]] = mapped_column(
        Json, nullable=False, default=list
    )
    watermark: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
