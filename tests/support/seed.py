"""Committed seed data for API tests (each test uses its own tenant)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.db import Database
from rm_graphql.models import Employee, Pair, Participant, Tenant, Topic
from rm_graphql.models.enums import ParticipantRole, TopicCategory
from tests.support.people import create_employee, create_tenant
from tests.support.programs import create_program, enrol


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
                languages=["en"],
            )
            for index in range(people)
        ]
        await _topics(session, tenant, topics)
    return tenant, employees


async def _topics(session: AsyncSession, tenant: Tenant, slugs: tuple[str, ...]) -> None:
    for slug in slugs:
        category = TopicCategory.BUSINESS if slug == "strategy" else TopicCategory.AI
        session.add(Topic(tenant_id=tenant.id, slug=slug, name=slug.title(), category=category))


@dataclass
class SeededProgram:
    tenant: str
    program_id: int
    mentors: list[Participant]
    mentees: list[Participant]
    employees: dict[int, Employee]

    def email_of(self, participant: Participant) -> str:
        return self.employees[participant.employee_id].email or ""


async def seed_program(
    database: Database, slug: str, mentors: int = 2, mentees: int = 2, capacity: int = 1
) -> SeededProgram:
    """A program with enrolled mentors (juniors) and mentees (seniors)."""
    tenant, people = await seed_org(database, slug, people=mentors + mentees)
    juniors = [p for p in people if p.job_level == 2] + [p for p in people if p.job_level != 2]
    async with database.transaction() as session:
        program = await create_program(session, tenant)
        enrolled = [
            await enrol(
                session,
                program,
                person,
                ParticipantRole.MENTOR if index < mentors else ParticipantRole.MENTEE,
                capacity=capacity if index < mentors else 1,
                consent_at=datetime.now(UTC),
            )
            for index, person in enumerate(juniors)
        ]
    return SeededProgram(
        slug, program.id, enrolled[:mentors], enrolled[mentors:], {p.id: p for p in people}
    )


async def seed_pairs(database: Database, slug: str, count: int) -> int:
    """A program with `count` published pairs, inserted in bulk; returns the program id."""
    async with database.transaction() as session:
        tenant = await create_tenant(session, slug)
        program = await create_program(session, tenant)
        employees = await _bulk(
            session,
            Employee,
            [
                {
                    "tenant_id": tenant.id,
                    "source": "seed",
                    "external_id": f"S{i}",
                    "display_name": f"Person {i}",
                    "email": f"p{i}@{slug}.example",
                    "job_title": "Analyst",
                    "department": "Sales",
                    "job_level": 2 + 6 * (i % 2),
                }
                for i in range(2 * count)
            ],
        )
        participants = await _bulk(
            session,
            Participant,
            [
                {
                    "tenant_id": tenant.id,
                    "program_id": program.id,
                    "employee_id": employee_id,
                    "role": ParticipantRole.MENTOR if i % 2 == 0 else ParticipantRole.MENTEE,
                    "status": "ENROLLED",
                    "capacity": 1,
                    "assigned_count": 1 if i % 2 == 0 else 0,
                }
                for i, employee_id in enumerate(employees)
            ],
        )
        now = datetime.now(UTC)
        await _bulk(
            session,
            Pair,
            [
                {
                    "tenant_id": tenant.id,
                    "program_id": program.id,
                    "mentor_id": participants[2 * i],
                    "mentee_id": participants[2 * i + 1],
                    "status": "ACTIVE",
                    "score": float(i),
                    "score_breakdown": {"topic_coverage": float(i)},
                    "published_at": now,
                    "activated_at": now,
                }
                for i in range(count)
            ],
        )
    return program.id


async def _bulk(session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    result = await session.execute(insert(model).returning(model.id), rows)
    return sorted(result.scalars().all())
