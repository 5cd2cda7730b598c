"""Rules for feedback and concern reports: who writes, who reads, and what admins are warned of."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.audit.service import record
from rm_graphql.auth.principal import Principal, Scope
from rm_graphql.engagement import feedback_repository as repository
from rm_graphql.engagement.feedback_repository import FeedbackView
from rm_graphql.engagement.repository import get_session, pair_context
from rm_graphql.engagement.service import MAX_TEXT_LENGTH, PairAccess, pair_for_write
from rm_graphql.errors import Conflict, FieldProblem, NotAllowed, NotFound, ValidationFailed
from rm_graphql.ids import global_id
from rm_graphql.models import Feedback
from rm_graphql.models.engagement import RATING_COLUMNS
from rm_graphql.models.enums import SessionStatus
from rm_graphql.paging import Window
from rm_graphql.tenancy.service import Actor
from rm_graphql.webhooks.service import enqueue_event

if TYPE_CHECKING:
    from rm_graphql.jobs.queue import JobQueue

MIN_RESPONSES = 3
LOW_RATING = 2
REPEATED_LOW_RATINGS = 2
WITHHELD = f"fewer than {MIN_RESPONSES} responses"


@dataclass(frozen=True)
class FeedbackSpec:
    """Feedback on a pair, or on one of its sessions; ratings are 1-5 by dimension name."""

    pair_id: int
    ratings: dict[str, int | None] = field(default_factory=dict)
    comment: str | None = None
    anonymous: bool = False
    session_id: int | None = None


@dataclass(frozen=True)
class ConcernSpec:
    pair_id: int
    comment: str
    anonymous: bool = False
    session_id: int | None = None


@dataclass(frozen=True)
class RatingSummary:
    """Averages by dimension over a pair's feedback; None where too few ratings to show."""

    pair_id: int
    responses: int
    averages: dict[str, float | None]
    withheld_reason: str | None


@dataclass
class FlagEvidence:
    """Why a participant is flagged: their low-rated feedback and the concerns about them."""

    participant_id: int
    low_rated_feedback_ids: list[int] = field(default_factory=list)
    concern_ids: list[int] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return len(self.low_rated_feedback_ids) >= REPEATED_LOW_RATINGS or bool(self.concern_ids)


# Writing -------------------------------------------------------------------------------------


def _anonymous(actor: Actor) -> Actor:
    """The actor as the audit log may show it for anonymous feedback: nobody in particular."""
    principal = Principal(tenant=actor.principal.tenant, subject="anonymous")
    return Actor(actor.tenant_id, principal, None, None)


async def _author(
    session: AsyncSession, actor: Actor, pair_id: int, *, met: bool
) -> tuple[PairAccess, int]:
    """The pair and the caller's side of it; only its two people write feedback."""
    access = await pair_for_write(session, actor, pair_id)
    if access.own_participant_id is None:
        raise NotAllowed("only the pair's mentor and mentee give feedback on it")
    if met and access.pair.activated_at is None:
        raise Conflict(f"a {access.pair.status.value} pair that never met takes no feedback")
    return access, access.own_participant_id


async def _check_session(
    session: AsyncSession, actor: Actor, pair_id: int, session_id: int
) -> None:
    held = await get_session(session, actor.tenant_id, session_id)
    if held is None or held.pair_id != pair_id:
        raise NotFound("no such session in this pair")
    if held.status is not SessionStatus.COMPLETED:
        raise Conflict(f"a {held.status.value} session takes no feedback; it was not held")


def _feedback_problems(spec: FeedbackSpec) -> list[FieldProblem]:
    problems = [
        FieldProblem((name,), "must be between 1 and 5")
        for name, value in spec.ratings.items()
        if value is not None and not 1 <= value <= 5
    ]
    comment = (spec.comment or "").strip()
    if len(comment) > MAX_TEXT_LENGTH:
        problems.append(FieldProblem(("comment",), f"must be at most {MAX_TEXT_LENGTH} long"))
    if not comment and all(value is None for value in spec.ratings.values()):
        problems.append(FieldProblem(("ratings",), "give at least one rating or a comment"))
    return problems


async def submit_feedback(session: AsyncSession, actor: Actor, spec: FeedbackSpec) -> Feedback:
    """Rate a pair or one held session, once per author and target."""
    access, author_id = await _author(session, actor, spec.pair_id, met=True)
    problems = _feedback_problems(spec)
    if problems:
        raise ValidationFailed(problems)
    if spec.session_id is not None:
        await _check_session(session, actor, access.pair.id, spec.session_id)
    if await repository.has_feedback_from(session, access.pair.id, author_id, spec.session_id):
        target = "session" if spec.session_id is not None else "pair"
        raise Conflict(f"you have already given feedback on this {target}")
    feedback = Feedback(
        tenant_id=actor.tenant_id,
        pair_id=access.pair.id,
        session_id=spec.session_id,
        author_id=author_id,
        comment=(spec.comment or "").strip() or None,
        anonymous=spec.anonymous,
        is_concern=False,
        **{name: spec.ratings.get(name) for name in RATING_COLUMNS},
    )
    session.add(feedback)
    await session.flush()
    recorded_as = _anonymous(actor) if spec.anonymous else actor
    record(session, recorded_as, "feedback.submitted", "Feedback", feedback.id)
    return feedback


async def report_concern(
    session: AsyncSession, actor: Actor, spec: ConcernSpec, queue: JobQueue | None = None
) -> Feedback:
    """A concern about the partner, for HR admins' eyes only (also before the pair has met)."""
    access, author_id = await _author(session, actor, spec.pair_id, met=False)
    comment = spec.comment.strip()
    if not comment or len(comment) > MAX_TEXT_LENGTH:
        message = f"describe the concern in 1 to {MAX_TEXT_LENGTH} characters"
        raise ValidationFailed.single("comment", message)
    if spec.session_id is not None:
        held = await get_session(session, actor.tenant_id, spec.session_id)
        if held is None or held.pair_id != access.pair.id:
            raise NotFound("no such session in this pair")
    concern = Feedback(
        tenant_id=actor.tenant_id,
        pair_id=access.pair.id,
        session_id=spec.session_id,
        author_id=author_id,
        comment=comment,
        anonymous=spec.anonymous,
        is_concern=True,
    )
    session.add(concern)
    await session.flush()
    recorded_as = _anonymous(actor) if spec.anonymous else actor
    record(session, recorded_as, "concern.reported", "Feedback", concern.id)
    # For HR admins' systems: which pair and which report to open; never who wrote it, nor what.
    payload = {
        "concernId": global_id("Feedback", concern.id),
        "pairId": global_id("Pair", access.pair.id),
        "programId": global_id("Program", access.pair.program_id),
    }
    await enqueue_event(session, queue, actor.tenant_id, "concern.reported", payload)
    return concern


# Reading -------------------------------------------------------------------------------------


def feedback_view(actor: Actor) -> FeedbackView:
    """HR admins read everything; program managers all but concerns; others what they wrote."""
    if actor.is_admin:
        return FeedbackView(author_employee_id=None, concerns=True)
    if actor.manages_programs:
        return FeedbackView(author_employee_id=None, concerns=False)
    own = actor.employee_id if actor.employee_id is not None else -1
    return FeedbackView(author_employee_id=own, concerns=True)


async def count_feedback(session: AsyncSession, actor: Actor, pair_id: int) -> int:
    return await repository.count_feedback(session, actor.tenant_id, pair_id, feedback_view(actor))


async def list_feedback(
    session: AsyncSession, actor: Actor, pair_id: int, page: Window
) -> Sequence[Row[Any]]:
    view = feedback_view(actor)
    return await repository.list_feedback(session, actor.tenant_id, pair_id, view, page)


async def feedback_for_pairs(
    session: AsyncSession, actor: Actor, pair_ids: Sequence[int]
) -> Sequence[Row[Any]]:
    """The feedback of many pairs that the caller may read, in one query."""
    view = feedback_view(actor)
    return await repository.feedback_for_pairs(session, actor.tenant_id, pair_ids, view)


async def feedback_by_ids(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    return await repository.feedback_by_ids(session, actor.tenant_id, ids, feedback_view(actor))


async def count_concerns(session: AsyncSession, actor: Actor, program_id: int) -> int:
    actor.require(Scope.ADMIN)
    return await repository.count_concerns(session, actor.tenant_id, program_id)


async def list_concerns(
    session: AsyncSession, actor: Actor, program_id: int, page: Window
) -> Sequence[Row[Any]]:
    actor.require(Scope.ADMIN)
    return await repository.list_concerns(session, actor.tenant_id, program_id, page)


def _summary(pair_id: int, row: Row[Any] | None) -> RatingSummary:
    responses = int(row.responses) if row is not None else 0
    averages: dict[str, float | None] = dict.fromkeys(RATING_COLUMNS)
    if row is not None and responses >= MIN_RESPONSES:
        for name in RATING_COLUMNS:
            average, count = getattr(row, f"{name}_average"), getattr(row, f"{name}_count")
            averages[name] = round(float(average), 2) if count >= MIN_RESPONSES else None
    withheld = None if responses >= MIN_RESPONSES else WITHHELD
    return RatingSummary(pair_id, responses, averages, withheld)


async def feedback_summaries_for_pairs(
    session: AsyncSession, actor: Actor, pair_ids: Sequence[int]
) -> list[RatingSummary | None]:
    """Summaries for many pairs in one query, in key order; None for callers without KPIs."""
    # Participants never see them: a pair has two authors, so the partner's ratings would show.
    if not actor.reads_kpis:
        return [None for _ in pair_ids]
    rows = await repository.rating_summaries(session, actor.tenant_id, pair_ids)
    by_pair = {row.pair_id: row for row in rows}
    return [_summary(pair_id, by_pair.get(pair_id)) for pair_id in pair_ids]


async def pair_feedback_summary(
    session: AsyncSession, actor: Actor, pair_id: int
) -> RatingSummary | None:
    if not actor.reads_kpis or await pair_context(session, actor.tenant_id, pair_id) is None:
        return None
    return (await feedback_summaries_for_pairs(session, actor, [pair_id]))[0]


async def flagged_participants(
    session: AsyncSession, actor: Actor, program_id: int
) -> list[FlagEvidence]:
    """Participants with repeated low ratings or any concern against them (HR admins only)."""
    actor.require(Scope.ADMIN)
    rows = await repository.rating_evidence(session, actor.tenant_id, program_id, LOW_RATING)
    evidence: dict[int, FlagEvidence] = {}
    for row in rows:
        item = evidence.setdefault(row.subject_id, FlagEvidence(row.subject_id))
        (item.concern_ids if row.is_concern else item.low_rated_feedback_ids).append(row.id)
    return [item for _, item in sorted(evidence.items()) if item.flagged]
