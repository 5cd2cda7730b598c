"""Programs of many pairs, with sessions, feedback and goals, inserted in bulk."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.db import Database
from rm_graphql.models import Employee, Feedback, Goal, MentoringSession, Pair, Participant
from rm_graphql.models.enums import (
    GoalStatus,
    PairStatus,
    ParticipantRole,
    ParticipantStatus,
    SessionStatus,
    Side,
)
from tests.support.api import new_tenant
from tests.support.people import create_tenant
from tests.support.programs import create_program


async def seed_busy_program(database: Database, pairs: int, sessions_per_pair: int = 2) -> str:
    """A program of `pairs` active pairs with sessions, feedback and goals, inserted in bulk.

    Returns the tenant slug; the program is the tenant's only one.
    """
    slug, now = new_tenant(), datetime.now(UTC)
    async with database.transaction() as session:
        tenant = await create_tenant(session, slug)
        program = await create_program(session, tenant)
        people = [_bulk_employee(tenant.id, i) for i in range(2 * pairs)]
        employees = await _bulk(session, Employee, people)
        rows = [_participant(tenant.id, program.id, e, i, now) for i, e in enumerate(employees)]
        members = await _bulk(session, Participant, rows)
        rows = [_pair(tenant.id, program.id, members, i, now) for i in range(pairs)]
        pair_ids = await _bulk(session, Pair, rows)
        await _bulk_activity(session, tenant.id, pair_ids, members, sessions_per_pair, now)
    return slug


def _participant(
    tenant_id: int, program_id: int, employee_id: int, index: int, now: datetime
) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "program_id": program_id,
        "employee_id": employee_id,
        "role": ParticipantRole.MENTOR if index % 2 == 0 else ParticipantRole.MENTEE,
        "status": ParticipantStatus.ENROLLED,
        "enrolled_at": now - timedelta(days=60),
    }


def _pair(
    tenant_id: int, program_id: int, members: list[int], index: int, now: datetime
) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "program_id": program_id,
        "mentor_id": members[2 * index],
        "mentee_id": members[2 * index + 1],
        "status": PairStatus.ACTIVE,
        "published_at": now - timedelta(days=50),
        "activated_at": now - timedelta(days=45 - index % 10),
    }


def _bulk_employee(tenant_id: int, index: int) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "source": "seed",
        "external_id": f"B{index}",
        "display_name": f"Person {index}",
        "department": ("Sales", "Finance", "Engineering")[index % 3],
        "job_level": 2 + 6 * (index % 2),
        "birth_year": 1999 - 30 * (index % 2),
        "hire_date": date(2018 + index % 4, 1, 1),
    }


async def _bulk_activity(
    session: AsyncSession,
    tenant_id: int,
    pair_ids: list[int],
    members: list[int],
    sessions_per_pair: int,
    now: datetime,
) -> None:
    """Held sessions, one rating by each mentor, and one goal per mentee (half achieved)."""
    await _bulk(session, MentoringSession, _sessions(tenant_id, pair_ids, sessions_per_pair, now))
    await _bulk(session, Feedback, _feedback(tenant_id, pair_ids, members))
    await _bulk(session, Goal, _goals(tenant_id, pair_ids, members))


def _sessions(
    tenant_id: int, pair_ids: list[int], per_pair: int, now: datetime
) -> list[dict[str, Any]]:
    return [
        {
            "tenant_id": tenant_id,
            "pair_id": pair,
            "starts_at": now - timedelta(days=3 + 7 * k),
            "duration_minutes": 30,
            "status": SessionStatus.COMPLETED,
        }
        for pair in pair_ids
        for k in range(per_pair)
    ]


def _feedback(tenant_id: int, pair_ids: list[int], members: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "tenant_id": tenant_id,
            "pair_id": pair,
            "author_id": members[2 * i],
            "usefulness": 4,
            "comfort": 5,
            "respect": 5,
            "would_recommend": 5 - i % 3,
        }
        for i, pair in enumerate(pair_ids)
    ]


def _goals(tenant_id: int, pair_ids: list[int], members: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "tenant_id": tenant_id,
            "pair_id": pair,
            "owner_id": members[2 * i + 1],
            "owner_side": Side.MENTEE,
            "description": "Use an AI assistant weekly",
            "status": GoalStatus.ACHIEVED if i % 2 == 0 else GoalStatus.IN_PROGRESS,
        }
        for i, pair in enumerate(pair_ids)
    ]


async def _bulk(session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    result = await session.execute(insert(model).returning(model.id), rows)
    return sorted(result.scalars().all())
