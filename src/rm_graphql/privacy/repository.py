"""Queries for exports and erasure; every one scoped by tenant."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models import (
    AuditEvent,
    Employee,
    ErasureTombstone,
    Feedback,
    Goal,
    MentoringSession,
    Pair,
    Participant,
    ParticipantTopic,
    SkillAssessment,
    Topic,
)


async def employee(session: AsyncSession, tenant_id: int, employee_id: int) -> Employee | None:
    return await session.scalar(
        select(Employee).where(Employee.tenant_id == tenant_id, Employee.id == employee_id)
    )


async def participant_ids(session: AsyncSession, tenant_id: int, employee_id: int) -> list[int]:
    rows = await session.scalars(
        select(Participant.id).where(
            Participant.tenant_id == tenant_id, Participant.employee_id == employee_id
        )
    )
    return list(rows)


async def rows(session: AsyncSession, statement: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in (await session.execute(statement)).all()]


def participations(tenant_id: int, employee_id: int) -> Any:
    return select(*Participant.__table__.c).where(
        Participant.tenant_id == tenant_id, Participant.employee_id == employee_id
    )


def topics_of(tenant_id: int, participants: Sequence[int]) -> Any:
    return (
        select(
            ParticipantTopic.participant_id,
            ParticipantTopic.direction,
            ParticipantTopic.level,
            Topic.slug,
        )
        .join(Topic, Topic.id == ParticipantTopic.topic_id)
        .where(
            ParticipantTopic.tenant_id == tenant_id,
            ParticipantTopic.participant_id.in_(participants),
        )
    )


def pairs_of(tenant_id: int, participants: Sequence[int]) -> Any:
    return select(
        Pair.id,
        Pair.program_id,
        Pair.mentor_id,
        Pair.mentee_id,
        Pair.status,
        Pair.score,
        Pair.score_breakdown,
        Pair.activated_at,
        Pair.ended_at,
    ).where(
        Pair.tenant_id == tenant_id,
        or_(Pair.mentor_id.in_(participants), Pair.mentee_id.in_(participants)),
    )


def sessions_of(tenant_id: int, pair_ids: Sequence[int]) -> Any:
    return select(*MentoringSession.__table__.c).where(
        MentoringSession.tenant_id == tenant_id, MentoringSession.pair_id.in_(pair_ids)
    )


def goals_of(tenant_id: int, participants: Sequence[int]) -> Any:
    return select(*Goal.__table__.c).where(
        Goal.tenant_id == tenant_id, Goal.owner_id.in_(participants)
    )


def feedback_by(tenant_id: int, participants: Sequence[int], *, anonymous: bool) -> Any:
    return select(*Feedback.__table__.c).where(
        Feedback.tenant_id == tenant_id,
        Feedback.author_id.in_(participants),
        Feedback.anonymous.is_(anonymous),
    )


def assessments_of(tenant_id: int, participants: Sequence[int]) -> Any:
    return select(*SkillAssessment.__table__.c).where(
        SkillAssessment.tenant_id == tenant_id, SkillAssessment.participant_id.in_(participants)
    )


def audit_by(tenant_id: int, actors: Sequence[str]) -> Any:
    return select(
        AuditEvent.action, AuditEvent.target_type, AuditEvent.target_id, AuditEvent.at
    ).where(AuditEvent.tenant_id == tenant_id, AuditEvent.actor.in_(actors))


async def erase_free_text(
    session: AsyncSession, tenant_id: int, participants: Sequence[int]
) -> None:
    """Remove what a person wrote; ratings and counts stay for the anonymous KPIs."""
    await session.execute(
        update(Feedback)
        .where(Feedback.tenant_id == tenant_id, Feedback.author_id.in_(participants))
        .values(comment=None)
    )
    await session.execute(
        update(Goal)
        .where(Goal.tenant_id == tenant_id, Goal.owner_id.in_(participants))
        .values(description="[erased]")
    )


async def pseudonymise_actor(
    session: AsyncSession, tenant_id: int, actors: Sequence[str], alias: str
) -> None:
    await session.execute(
        update(AuditEvent)
        .where(AuditEvent.tenant_id == tenant_id, AuditEvent.actor.in_(actors))
        .values(actor=alias)
    )


async def add_tombstone(session: AsyncSession, tenant_id: int, digest: str, erased_by: str) -> None:
    exists = await session.scalar(
        select(ErasureTombstone.id).where(
            ErasureTombstone.tenant_id == tenant_id, ErasureTombstone.subject_digest == digest
        )
    )
    if exists is None:
        session.add(
            ErasureTombstone(tenant_id=tenant_id, subject_digest=digest, erased_by=erased_by)
        )


async def erased_digests(session: AsyncSession, tenant_id: int) -> set[str]:
    result = await session.scalars(
        select(ErasureTombstone.subject_digest).where(ErasureTombstone.tenant_id == tenant_id)
    )
    return set(result)


async def rows_of(session: AsyncSession, statement: Any) -> Sequence[Row[Any]]:
    return (await session.execute(statement)).all()
