"""Outbound webhooks: endpoints a tenant subscribes, each delivery, and every attempt at it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

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


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class WebhookEndpoint(Timestamped, Base):
    """A URL of the tenant's that receives the events it subscribed to, signed with its secret."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_tenant_enabled", "tenant_id", "enabled"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    description: Mapped[str | None] = mapped_column(String(200))
    # Ciphertext only (see rm_graphql.webhooks.service.seal_secret); never returned by any API.
    secret_encrypted: Mapped[str] = mapped_column(Text, nullable=False)
    # Event names, or "*" for every event.
    event_types: Mapped[list[str]] = mapped_column(Json, nullable=False, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class WebhookDelivery(Timestamped, Base):
    """One event for one endpoint: retried with backoff until it succeeds or runs out of tries."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_tenant_endpoint", "tenant_id", "endpoint_id", "created_at"),
        Index("ix_webhook_deliveries_tenant_status", "tenant_id", "status", "next_attempt_at"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    endpoint_id: Mapped[int] = mapped_column(
        Id, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False
    )
    event: Mapped[str] = mapped_column(String(64), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "delivery_status"), nullable=False, default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class WebhookDeliveryAttempt(Base):
    """One HTTP POST of a delivery: what came back and how long it took. Never updated."""

    __tablename__ = "webhook_delivery_attempts"
    __table_args__ = (
        Index(
            "uq_webhook_delivery_attempts_tenant_delivery_number",
            "tenant_id",
            "delivery_id",
            "number",
            unique=True,
        ),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("duration_ms >= 0", name="duration_non_negative"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    delivery_id: Mapped[int] = mapped_column(
        Id, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow)
