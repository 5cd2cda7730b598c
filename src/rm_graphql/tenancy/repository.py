"""Queries for tenants and for linking a token's subject to an employee."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models import Employee, Tenant


async def tenant_id_by_slug(session: AsyncSession, slug: str) -> int | None:
    result: int | None = await session.scalar(select(Tenant.id).where(Tenant.slug == slug))
    return result


async def ensure_tenant(session: AsyncSession, slug: str) -> int:
    """The tenant's id, creating the row on first sight (idempotent under concurrency)."""
    existing = await tenant_id_by_slug(session, slug)
    if existing is not None:
        return existing
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Tenant).values(slug=slug, name=slug).on_conflict_do_nothing()
    await session.execute(statement)
    created = await tenant_id_by_slug(session, slug)
    assert created is not None
    return created


async def employee_id_for_subject(
    session: AsyncSession, tenant_id: int, subject: str, email: str | None
) -> int | None:
    """Link a subject to an employee by email (case-insensitive) or external id."""
    emails = {value.lower() for value in (subject, email) if value and "@" in value}
    conditions = [Employee.external_id == subject]
    if emails:
        conditions.append(Employee.email.in_(emails))
    rows = await session.scalars(
        select(Employee.id)
        .where(Employee.tenant_id == tenant_id, or_(*conditions))
        .order_by(Employee.id)
        .limit(1)
    )
    return rows.first()
