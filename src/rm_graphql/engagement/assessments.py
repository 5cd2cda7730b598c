"""Rules for skill self-assessments: a level per topic before (PRE) and after (POST) a program."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.audit.service import record
from rm_graphql.engagement import repository
from rm_graphql.engagement.service import topic_ids, visible_to
from rm_graphql.errors import FieldProblem, NotFound, ValidationFailed
from rm_graphql.models.enums import AssessmentPhase
from rm_graphql.paging import Window
from rm_graphql.programs.service import participant_for_update
from rm_graphql.tenancy.service import Actor


@dataclass(frozen=True)
class AssessmentSpec:
    participant_id: int
    topic: str
    level: int
    phase: AssessmentPhase


async def record_assessment(session: AsyncSession, actor: Actor, spec: AssessmentSpec) -> Row[Any]:
    """One level per participant, topic and phase; recording again replaces it."""
    participant = await participant_for_update(session, actor, spec.participant_id)
    problems: list[FieldProblem] = []
    if not 1 <= spec.level <= 5:
        problems.append(FieldProblem(("level",), "must be between 1 and 5"))
    topics, unknown = await topic_ids(session, actor, [spec.topic], "topic")
    problems += [FieldProblem(("topic",), problem.message) for problem in unknown]
    if problems:
        raise ValidationFailed(problems)
    row = await repository.upsert_assessment(
        session,
        actor.tenant_id,
        participant.id,
        topics[0],
        spec.phase,
        spec.level,
        datetime.now(UTC),
    )
    record(
        session,
        actor,
        "skill_assessment.recorded",
        "SkillAssessment",
        row.id,
        participant=participant.id,
        phase=spec.phase.value,
    )
    return row


async def can_read_assessments(session: AsyncSession, actor: Actor, participant_id: int) -> bool:
    """Self-assessments are for the person themselves and program managers."""
    try:
        await participant_for_update(session, actor, participant_id)
    except NotFound:
        return False
    return True


async def count_assessments(session: AsyncSession, actor: Actor, participant_id: int) -> int:
    criteria = (actor.tenant_id, participant_id, visible_to(actor))
    return await repository.count_assessments(session, *criteria)


async def list_assessments(
    session: AsyncSession, actor: Actor, participant_id: int, page: Window
) -> Sequence[Row[Any]]:
    criteria = (actor.tenant_id, participant_id, visible_to(actor))
    return await repository.list_assessments(session, *criteria, page=page)


async def assessments_by_ids(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    return await repository.assessments_by_ids(session, actor.tenant_id, ids, visible_to(actor))
