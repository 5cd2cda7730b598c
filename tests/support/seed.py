"""Committed seed data for API tests (each test uses its own tenant)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tests.support.people import create_employee, create_tenant

from rm_graphql.db import Database
from rm_graphql.models import Employee, Tenant, Topic
from rm_graphql.models.enums import TopicCategory


async def seed_org(
    database: Database, slug: str, people: int = 4, topics: tuple[str, ...] = ("ai", "strategy")
) -> tuple[Tenant, list[Employee]]:
    """A tenant with `people` employees (alternating junior and senior) and a few topics."""
    async with database.transaction() as session:
        tenant = await create_tenant(session, slug)
        employees = [
            await create_employee(
                session,
                tenant,
                email=f"person{index}@{slug}.example",
                job_level=2 if index % 2 == 0 else 8,
            )
            for index in range(people)
        ]
        await _topics(session, tenant, topics)
    return tenant, employees


async def _topics(session: AsyncSession, tenant: Tenant, slugs: tuple[str, ...]) -> None:
    for slug in slugs:
        category = TopicCategory.BUSINESS if slug == "strategy" else TopicCategory.AI
        session.add(Topic(tenant_id=tenant.id, slug=slug, name=slug.title(), category=category))
