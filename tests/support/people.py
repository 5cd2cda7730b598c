"""Create tenants, employees and topics for tests."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models import Employee, Tenant, Topic
from rm_graphql.models.enums import TopicCategory

_counter = itertools.count(1)


async def create_tenant(session: AsyncSession, slug: str | None = None) -> Tenant:
    slug = slug or f"tenant-{next(_counter)}"
    tenant = Tenant(slug=slug, name=slug.title())
    session.add(tenant)
    await session.flush()
    return tenant


async def create_employee(session: AsyncSession, tenant: Tenant, **fields: Any) -> Employee:
    number = next(_counter)
    values: dict[str, Any] = {
        "source": "test",
        "external_id": f"E{number}",
        "display_name": f"Employee {number}",
        "email": f"employee{number}@example.com",
        "job_level": 3,
    }
    values.update(fields)
    employee = Employee(tenant_id=tenant.id, **values)
    session.add(employee)
    await session.flush()
    return employee


async def create_topic(
    session: AsyncSession, tenant: Tenant, slug: str, category: TopicCategory = TopicCategory.AI
) -> Topic:
    topic = Topic(
        tenant_id=tenant.id, slug=slug, name=slug.replace("-", " ").title(), category=category
    )
    session.add(topic)
    await session.flush()
    return topic
