"""Rules for sessions, goals and self-assessments: who may act on a pair, and when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.audit.service import record
from rm_graphql.engagement import repository
from rm_graphql.errors import Conflict, FieldProblem, InvalidTransition, NotFound, ValidationFailed
from rm_graphql.ids import global_id
from rm_graphql.models import Goal, MentoringSession, Pair
from rm_graphql.models.enums import (
    GoalStatus,
    PairStatus,
    SessionCapPolicy,
    SessionStatus,
    Side,
)
from rm_graphql.paging import Window
from rm_graphql.pairing.service import pair_event
from rm_graphql.people.repository import topics_by_slug
from rm_graphql.tenancy.service import Actor
from rm_graphql.webhooks.service import enqueue_event

if TYPE_CHECKING:
    from rm_graphql.jobs.queue import JobQueue

MAX_SESSION_MINUTES = 480
MAX_TEXT_LENGTH = 4000
GOAL_MOVES: dict[GoalStatus, set[GoalStatus]] = {
    GoalStatus.OPEN: set(GoalStatus),
    GoalStatus.IN_PROGRESS: {GoalStatus.IN_PROGRESS, GoalStatus.ACHIEVED, GoalStatus.ABANDONED},
    GoalStatus.ACHIEVED: set(),
    GoalStatus.ABANDONED: {GoalStatus.OPEN, GoalStatus.IN_PROGRESS},
}


@dataclass(frozen=True)
class PairAccess:
    """A pair as the caller reaches it, with its program's session rules."""

    pair: Pair
    cap_minutes: int
    cap_policy: SessionCapPolicy
    program_ends_on: date | None
    own_participant_id: int | None

    def participant_at(self, side: Side) -> int:
        return self.pair.mentor_id if side is Side.MENTOR else self.pair.mentee_id


@dataclass(frozen=True)
class SessionLog:
    """A session to schedule or log; `session_id` names a scheduled one now being logged."""

    pair_id: int
    starts_at: datetime
    duration_minutes: int
    topics: list[str] = field(default_factory=list)
    status: SessionStatus = SessionStatus.COMPLETED
    session_id: int | None = None


@dataclass(frozen=True)
class GoalSpec:
    pair_id: int
    side: Side
    description: str
    owner_id: int | None = None
    topic: str | None = None
    due_on: date | None = None


@dataclass(frozen=True)
class GoalProgress:
    goal_id: int
    progress: int | None = None
    status: GoalStatus | None = None


# Access --------------------------------------------------------------------------------------


def visible_to(actor: Actor) -> int | None:
    """None when the caller sees all pairs in the tenant, else the employee whose pairs they see."""
    if actor.manages_programs:
        return None
    return actor.employee_id if actor.employee_id is not None else -1


async def pair_access(
    session: AsyncSession, actor: Actor, pair_id: int, *, lock: bool = False
) -> PairAccess | None:
    """The pair if the caller is one of its two people or manages programs; else None."""
    row = await repository.pair_context(session, actor.tenant_id, pair_id, lock=lock)
    if row is None:
        return None
    pair, mentor_employee_id, mentee_employee_id, cap_minutes, cap_policy, ends_on = row
    own = None
    if actor.employee_id is not None and actor.employee_id == mentor_employee_id:
        own = pair.mentor_id
    elif actor.employee_id is not None and actor.employee_id == mentee_employee_id:
        own = pair.mentee_id
    if own is None and not actor.manages_programs:
        return None
    return PairAccess(pair, cap_minutes, cap_policy, ends_on, own)


async def pair_for_write(session: AsyncSession, actor: Actor, pair_id: int) -> PairAccess:
    """The pair, locked, for its participants and program managers; NotFound for anyone else."""
    access = await pair_access(session, actor, pair_id, lock=True)
    if access is None:
        raise NotFound("no such pair")
    return access


def require_active(pair: Pair) -> None:
    if pair.status is not PairStatus.ACTIVE:
        raise Conflict(f"a {pair.status.value} pair is not meeting; it must be ACTIVE")


async def topic_ids(
    session: AsyncSession, actor: Actor, slugs: Sequence[str], path: str
) -> tuple[list[int], list[FieldProblem]]:
    """The ids of topics named by slug, and a problem for each unknown slug."""
    if not slugs:
        return [], []
    topics = await topics_by_slug(session, actor.tenant_id, list(slugs))
    problems = [FieldProblem((path, slug), "no such topic") for slug in slugs if slug not in topics]
    return [topics[slug].id for slug in slugs if slug in topics], problems


# Sessions ------------------------------------------------------------------------------------


def _when_problems(access: PairAccess, log: SessionLog) -> list[FieldProblem]:
    starts_at = log.starts_at
    if starts_at.tzinfo is None:
        return [FieldProblem(("startsAt",), "must include a time zone")]
    problems: list[FieldProblem] = []
    activated_at = access.pair.activated_at
    if activated_at is not None and starts_at < activated_at:
        problems.append(FieldProblem(("startsAt",), "must not be before the pair became active"))
    ends_on = access.program_ends_on
    if ends_on is not None and starts_at.astimezone(UTC).date() > ends_on:
        problems.append(FieldProblem(("startsAt",), "must not be after the program ends"))
    if log.status is SessionStatus.COMPLETED and starts_at > datetime.now(UTC):
        problems.append(FieldProblem(("startsAt",), "a completed session cannot be in the future"))
    return problems


def _session_problems(access: PairAccess, log: SessionLog) -> list[FieldProblem]:
    problems = _when_problems(access, log)
    if log.status is SessionStatus.CANCELLED:
        problems.append(FieldProblem(("status",), "use cancelSession to cancel a session"))
    minutes, cap = log.duration_minutes, access.cap_minutes
    if not 1 <= minutes <= MAX_SESSION_MINUTES:
        message = f"must be between 1 and {MAX_SESSION_MINUTES}"
        problems.append(FieldProblem(("durationMinutes",), message))
    elif minutes > cap and access.cap_policy is SessionCapPolicy.REJECT:
        message = f"must not exceed the program's session cap of {cap} minutes"
        problems.append(FieldProblem(("durationMinutes",), message))
    return problems


async def _session_to_log(
    session: AsyncSession, actor: Actor, access: PairAccess, log: SessionLog
) -> MentoringSession:
    if log.session_id is None:
        row = MentoringSession(tenant_id=actor.tenant_id, pair_id=access.pair.id)
        session.add(row)
        return row
    existing = await repository.get_session(session, actor.tenant_id, log.session_id)
    if existing is None or existing.pair_id != access.pair.id:
        raise NotFound("no such session in this pair")
    if existing.status is not SessionStatus.SCHEDULED:
        raise InvalidTransition(
            f"a {existing.status.value} session cannot be logged again",
            existing.status.value,
            log.status.value,
        )
    return existing


async def log_session(
    session: AsyncSession, actor: Actor, log: SessionLog, queue: JobQueue | None = None
) -> MentoringSession:
    """Schedule a session, or log one as held; the program's cap policy decides long ones."""
    access = await pair_for_write(session, actor, log.pair_id)
    require_active(access.pair)
    problems = _session_problems(access, log)
    topics, unknown = await topic_ids(session, actor, log.topics, "topics")
    if problems or unknown:
        raise ValidationFailed(problems + unknown)
    row = await _session_to_log(session, actor, access, log)
    row.starts_at, row.duration_minutes, row.status = (
        log.starts_at,
        log.duration_minutes,
        log.status,
    )
    row.topics_covered, row.logged_by = topics, actor.name
    row.over_cap = log.duration_minutes > access.cap_minutes
    pair = access.pair
    if log.status is SessionStatus.COMPLETED and (
        pair.last_session_at is None or log.starts_at > pair.last_session_at
    ):
        pair.last_session_at = log.starts_at
    await session.flush()
    action = "session.logged" if log.status is SessionStatus.COMPLETED else "session.scheduled"
    record(session, actor, action, "MentoringSession", row.id, pair=pair.id, over_cap=row.over_cap)
    if log.status is SessionStatus.COMPLETED:
        payload = pair_event(pair, sessionId=global_id("MentoringSession", row.id))
        await enqueue_event(session, queue, actor.tenant_id, "session.logged", payload)
    return row


async def cancel_session(
    session: AsyncSession, actor: Actor, session_id: int, reason: str
) -> MentoringSession:
    row = await repository.get_session(session, actor.tenant_id, session_id)
    if row is None:
        raise NotFound("no such session")
    await pair_for_write(session, actor, row.pair_id)
    if not reason.strip():
        raise ValidationFailed.single("reason", "say why the session is cancelled")
    if row.status is not SessionStatus.SCHEDULED:
        raise InvalidTransition(
            f"a {row.status.value} session cannot be cancelled",
            row.status.value,
            SessionStatus.CANCELLED.value,
        )
    row.status, row.cancel_reason = SessionStatus.CANCELLED, reason.strip()[:MAX_TEXT_LENGTH]
    await session.flush()
    record(
        session, actor, "session.cancelled", "MentoringSession", row.id, reason=row.cancel_reason
    )
    return row


# Goals ---------------------------------------------------------------------------------------


def _goal_problems(access: PairAccess, spec: GoalSpec) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not spec.description.strip():
        problems.append(FieldProblem(("description",), "must not be empty"))
    elif len(spec.description) > MAX_TEXT_LENGTH:
        problems.append(FieldProblem(("description",), f"must be at most {MAX_TEXT_LENGTH} long"))
    if spec.owner_id is not None and spec.owner_id != access.participant_at(spec.side):
        message = f"is not this pair's {spec.side.value.lower()}"
        problems.append(FieldProblem(("ownerId",), message))
    if spec.due_on is not None and spec.due_on < datetime.now(UTC).date():
        problems.append(FieldProblem(("dueOn",), "must not be in the past"))
    return problems


async def set_goal(session: AsyncSession, actor: Actor, spec: GoalSpec) -> Goal:
    """A goal for one side: the mentee's digital goal or the mentor's own learning goal."""
    access = await pair_for_write(session, actor, spec.pair_id)
    require_active(access.pair)
    problems = _goal_problems(access, spec)
    topics, unknown = await topic_ids(session, actor, [spec.topic] if spec.topic else [], "topic")
    if problems or unknown:
        raise ValidationFailed(problems + [FieldProblem(("topic",), p.message) for p in unknown])
    goal = Goal(
        tenant_id=actor.tenant_id,
        pair_id=access.pair.id,
        owner_id=access.participant_at(spec.side),
        owner_side=spec.side,
        topic_id=topics[0] if topics else None,
        description=spec.description.strip(),
        due_on=spec.due_on,
        progress=0,
        status=GoalStatus.OPEN,
    )
    session.add(goal)
    await session.flush()
    record(session, actor, "goal.set", "Goal", goal.id, pair=access.pair.id, side=spec.side.value)
    return goal


def _goal_target(goal: Goal, change: GoalProgress) -> GoalStatus:
    if change.status is not None:
        return change.status
    if goal.status is GoalStatus.OPEN and (change.progress or 0) > 0:
        return GoalStatus.IN_PROGRESS
    return goal.status


async def update_goal_progress(session: AsyncSession, actor: Actor, change: GoalProgress) -> Goal:
    """Move a goal's progress (0-100) and status; ACHIEVED means 100 and closes the goal."""
    goal = await repository.get_goal(session, actor.tenant_id, change.goal_id)
    if goal is None:
        raise NotFound("no such goal")
    await pair_for_write(session, actor, goal.pair_id)
    if change.progress is None and change.status is None:
        raise ValidationFailed.single("progress", "give a progress or a status")
    if change.progress is not None and not 0 <= change.progress <= 100:
        raise ValidationFailed.single("progress", "must be between 0 and 100")
    target = _goal_target(goal, change)
    if target not in GOAL_MOVES[goal.status]:
        raise InvalidTransition(
            f"a {goal.status.value} goal cannot become {target.value}",
            goal.status.value,
            target.value,
        )
    goal.status = target
    if target is GoalStatus.ACHIEVED:
        goal.progress = 100
    elif change.progress is not None:
        goal.progress = change.progress
    await session.flush()
    record(session, actor, "goal.updated", "Goal", goal.id, progress=goal.progress, to=target.value)
    return goal


# Reads ---------------------------------------------------------------------------------------


async def can_read_pair(session: AsyncSession, actor: Actor, pair_id: int) -> bool:
    return await pair_access(session, actor, pair_id) is not None


async def count_sessions(
    session: AsyncSession, actor: Actor, pair_id: int, status: SessionStatus | None
) -> int:
    criteria = (actor.tenant_id, pair_id, status, visible_to(actor))
    return await repository.count_sessions(session, *criteria)


async def list_sessions(
    session: AsyncSession, actor: Actor, pair_id: int, status: SessionStatus | None, page: Window
) -> Sequence[Row[Any]]:
    criteria = (actor.tenant_id, pair_id, status, visible_to(actor))
    return await repository.list_sessions(session, *criteria, page=page)


async def sessions_for_pairs(
    session: AsyncSession, actor: Actor, pair_ids: Sequence[int]
) -> Sequence[Row[Any]]:
    """Every session of many pairs in one query (only pairs the caller may see)."""
    return await repository.sessions_for_pairs(
        session, actor.tenant_id, pair_ids, visible_to(actor)
    )


async def sessions_by_ids(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    return await repository.sessions_by_ids(session, actor.tenant_id, ids, visible_to(actor))


async def count_goals(session: AsyncSession, actor: Actor, pair_id: int, side: Side | None) -> int:
    return await repository.count_goals(session, actor.tenant_id, pair_id, side, visible_to(actor))


async def list_goals(
    session: AsyncSession, actor: Actor, pair_id: int, side: Side | None, page: Window
) -> Sequence[Row[Any]]:
    criteria = (actor.tenant_id, pair_id, side, visible_to(actor))
    return await repository.list_goals(session, *criteria, page=page)


async def goals_for_pairs(
    session: AsyncSession, actor: Actor, pair_ids: Sequence[int]
) -> Sequence[Row[Any]]:
    """Every goal of many pairs in one query (only pairs the caller may see)."""
    return await repository.goals_for_pairs(session, actor.tenant_id, pair_ids, visible_to(actor))


async def goals_by_ids(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    return await repository.goals_by_ids(session, actor.tenant_id, ids, visible_to(actor))
