"""Every query about employees and topics; always scoped by tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Row, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models import Employee, Topic
from rm_graphql.models.enums import EmployeeStatus, TopicCategory
from rm_graphql.paging import Window

EMPLOYEE_COLUMNS = tuple(Employee.__table__.c)
TOPIC_COLUMNS = tuple(Topic.__table__.c)


@dataclass(frozen=True)
class EmployeeFilter:
    status: EmployeeStatus | None = None
    department: str | None = None
    search: str | None = None


def _employee_conditions(tenant_id: int, where: EmployeeFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Employee.tenant_id == tenant_id]
    if where.status is not None:
        conditions.append(Employee.status == where.status)
    if where.department is not None:
        conditions.append(Employee.department == where.department)
    if where.search:
        pattern = f"%{where.search.lower()}%"
        conditions.append(
            or_(
                func.lower(Employee.display_name).like(pattern),
                func.lower(Employee.email).like(pattern),
            )
        )
    return conditions


async def count_employees(session: AsyncSession, tenant_id: int, where: EmployeeFilter) -> int:
    statement = select(func.count()).where(*_employee_conditions(tenant_id, where))
    return int(await session.scalar(statement.select_from(Employee)) or 0)


async def list_employees(
    session: AsyncSession, tenant_id: int, where: EmployeeFilter, page: Window
) -> Sequence[Row[tuple[object, ...]]]:
    statement = (
        select(*EMPLOYEE_COLUMNS)
        .where(*_employee_conditions(tenant_id, where))
        .order_by(Employee.display_name, Employee.id)
        .offset(page.offset)
        .limit(page.limit)
    )
    return (await session.execute(statement)).all()


async def employees_by_ids(
    session: AsyncSession, tenant_id: int, ids: Sequence[int]
) -> Sequence[Row[tuple[object, ...]]]:
    statement = select(*EMPLOYEE_COLUMNS).where(
        Employee.tenant_id == tenant_id, Employee.id.in_(ids)
    )
    return (await session.execute(statement)).all()


async def list_topics(
    session: AsyncSession, tenant_id: int, category: TopicCategory | None
) -> Sequence[Row[tuple[object, ...]]]:
    statement = select(*TOPIC_COLUMNS).where(Topic.tenant_id == tenant_id)
    if category is not None:
        statement = statement.where(Topic.category == category)
    return (await session.execute(statement.order_by(Topic.slug))).all()


async def topics_by_ids(
    session: AsyncSession, tenant_id: int, ids: Sequence[int]
) -> Sequence[Row[tuple[object, ...]]]:
    statement = select(*TOPIC_COLUMNS).where(Topic.tenant_id == tenant_id, Topic.id.in_(ids))
    return (await session.execute(statement)).all()


async def topics_by_slug(
    session: AsyncSession, tenant_id: int, slugs: Sequence[str]
) -> dict[str, Topic]:
    rows = await session.scalars(
        select(Topic).where(Topic.tenant_id == tenant_id, Topic.slug.in_(slugs))
    )
    return {topic.slug: topic for topic in rows}
