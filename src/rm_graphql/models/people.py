"""Employees synced from the HRIS, and the per-tenant topic taxonomy."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rm_graphql.models.base import Base, Id, Json, Timestamped, UtcDateTime, str_enum, tenant_fk
from rm_graphql.models.enums import EmployeeStatus, TopicCategory


class Employee(Timestamped, Base):
    __tablename__ = "employees"
    __table_args__ = (
        Index(
            "uq_employees_tenant_source_external", "tenant_id", "source", "external_id", unique=True
        ),
        # Incremental syncs resolve managers by employee number.
        Index("ix_employees_tenant_source_number", "tenant_id", "source", "employee_number"),
        Index("ix_employees_tenant_email", "tenant_id", "email"),
        Index("ix_employees_tenant_status", "tenant_id", "status"),
        Index("ix_employees_manager_id", "manager_id"),
        CheckConstraint(
            "birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100", name="birth_year"
        ),
        CheckConstraint("job_level IS NULL OR job_level >= 0", name="job_level"),
        CheckConstraint(
            "(status = 'TERMINATED') = (terminated_at IS NOT NULL)", name="terminated_at"
        ),
        CheckConstraint("manager_id IS NULL OR manager_id <> id", name="not_own_manager"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    source: Mapped[str] = mapped_column(String(32), nullable=False)
    external_id: Mapped[str] = mapped_column(String(128), nullable=False)
    employee_number: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    job_title: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200))
    division: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    languages: Mapped[list[str]] = mapped_column(Json, nullable=False, default=list)
    job_level: Mapped[int | None] = mapped_column(Integer)
    manager_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("employees.id", ondelete="SET NULL")
    )
    hire_date: Mapped[date | None] = mapped_column(Date)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[EmployeeStatus] = mapped_column(
        str_enum(EmployeeStatus, "employee_status"), nullable=False, default=EmployeeStatus.ACTIVE
    )
    terminated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    interests: Mapped[list[str]] = mapped_column(Json, nullable=False, default=list)
    skills: Mapped[list[str]] = mapped_column(Json, nullable=False, default=list)
    custom_attributes: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    last_synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    manager: Mapped[Employee | None] = relationship(
        remote_side="Employee.id", lazy="raise", foreign_keys=[manager_id]
    )


class Topic(Timestamped, Base):
    __tablename__ = "topics"
    __table_args__ = (Index("uq_topics_tenant_slug", "tenant_id", "slug", unique=True),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = tenant_fk()
    slug: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[TopicCategory] = mapped_column(
        str_enum(TopicCategory, "topic_category"), nullable=False
    )
    description: Mapped[str | None] = mapped_column(Text)
