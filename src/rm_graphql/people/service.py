"""Rules for reading people and curating the topic taxonomy."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.audit.service import record
from rm_graphql.errors import FieldProblem, NotAllowed, ValidationFailed
from rm_graphql.models import Topic
from rm_graphql.models.enums import TopicCategory
from rm_graphql.paging import Window
from rm_graphql.people import repository
from rm_graphql.people.repository import EmployeeFilter
from rm_graphql.tenancy.service import Actor

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class TopicSpec:
    slug: str
    name: str
    category: TopicCategory
    description: str | None = None


def _require_directory_reader(actor: Actor) -> None:
    if not actor.manages_programs:
        raise NotAllowed("only HR admins and program managers can list employees")


async def count_employees(session: AsyncSession, actor: Actor, where: EmployeeFilter) -> int:
    _require_directory_reader(actor)
    return await repository.count_employees(session, actor.tenant_id, where)


async def list_employees(
    session: AsyncSession, actor: Actor, where: EmployeeFilter, page: Window
) -> Sequence[Row[tuple[object, ...]]]:
    _require_directory_reader(actor)
    return await repository.list_employees(session, actor.tenant_id, where, page)


async def visible_employees(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> Sequence[Row[tuple[object, ...]]]:
    """Employees by id as nested fields reach them (visibility is decided at the entry point)."""
    return await repository.employees_by_ids(session, actor.tenant_id, ids)


async def list_topics(
    session: AsyncSession, actor: Actor, category: TopicCategory | None
) -> Sequence[Row[tuple[object, ...]]]:
    """Topics are visible to everyone in the tenant: participants pick from them."""
    return await repository.list_topics(session, actor.tenant_id, category)


async def topics_by_ids(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> Sequence[Row[tuple[object, ...]]]:
    return await repository.topics_by_ids(session, actor.tenant_id, ids)


def _validate_topics(specs: Sequence[TopicSpec]) -> None:
    problems = [
        FieldProblem(("topics", str(index), "slug"), "use lowercase letters, digits and dashes")
        for index, spec in enumerate(specs)
        if not SLUG.match(spec.slug)
    ]
    problems += [
        FieldProblem(("topics", str(index), "name"), "must not be empty")
        for index, spec in enumerate(specs)
        if not spec.name.strip()
    ]
    if len({spec.slug for spec in specs}) != len(specs):
        problems.append(FieldProblem(("topics",), "slugs must be unique"))
    if problems:
        raise ValidationFailed(problems)


async def upsert_topics(
    session: AsyncSession, actor: Actor, specs: Sequence[TopicSpec]
) -> list[Topic]:
    """Create or update topics by slug; topics are never deleted (history refers to them)."""
    actor.require_manager()
    _validate_topics(specs)
    existing = await repository.topics_by_slug(session, actor.tenant_id, [s.slug for s in specs])
    topics = []
    for spec in specs:
        topic = existing.get(spec.slug) or Topic(tenant_id=actor.tenant_id, slug=spec.slug)
        topic.name, topic.category, topic.description = (
            spec.name.strip(),
            spec.category,
            spec.description,
        )
        session.add(topic)
        topics.append(topic)
    await session.flush()
    record(session, actor, "topics.upserted", "Topic", None, slugs=[s.slug for s in specs])
    return topics
