"""Tombstones of erased people, so a later HRIS sync never brings them back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from rm_graphql.models.base import Base, Id, UtcDateTime, tenant_fk, utcnow


class ErasureTombstone(Base):
    """An erased person, keyed by a keyed hash of (source, external id): no identifier is kept."""

    __tablename__ = "erasure_tombstones"
    __table_args__ = (
        Index("uq_erasure_tombstones_tenant_digest", "tenant_id", "subject_digest", unique=True),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    subject_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    erased_by: Mapped[str] = mapped_column(String(320), nullable=False)
    erased_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow)
