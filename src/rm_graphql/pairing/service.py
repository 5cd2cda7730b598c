"""The life of a pair: proposed by a run or an admin pin, published, accepted, ended."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.audit.service import record
from rm_graphql.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from rm_graphql.ids import global_id
from rm_graphql.models import Pair, PairRule, PairTransition, Participant
from rm_graphql.models.enums import PairRuleKind, PairStatus, ParticipantRole, ParticipantStatus
from rm_graphql.paging import Window
from rm_graphql.pairing import repository
from rm_graphql.tenancy.service import Actor
from rm_graphql.webhooks.service import enqueue_event

if TYPE_CHECKING:
    from rm_graphql.jobs.queue import JobQueue

TRANSITIONS: dict[PairStatus, set[PairStatus]] = {
    PairStatus.PROPOSED: {PairStatus.ACTIVE, PairStatus.DECLINED, PairStatus.CANCELLED},
    PairStatus.ACTIVE: {PairStatus.COMPLETED, PairStatus.CANCELLED, PairStatus.CONCLUDED_IDLE},
    PairStatus.DECLINED: set(),
    PairStatus.COMPLETED: set(),
    PairStatus.CANCELLED: set(),
    PairStatus.CONCLUDED_IDLE: set(),
}
ENDED = {PairStatus.DECLINED, PairStatus.COMPLETED, PairStatus.CANCELLED, PairStatus.CONCLUDED_IDLE}


def pair_event(pair: Pair, **extra: object) -> dict[str, object]:
    """An event's payload: ids a host can query, no personal data in the event itself."""
    return {
        "pairId": global_id("Pair", pair.id),
        "programId": global_id("Program", pair.program_id),
        "mentorId": global_id("Participant", pair.mentor_id),
        "menteeId": global_id("Participant", pair.mentee_id),
        **extra,
    }


def transition(
    session: AsyncSession, actor: Actor, pair: Pair, to: PairStatus, reason: str | None
) -> None:
    """Move a pair along its state machine, recording who, why and when."""
    if to not in TRANSITIONS[pair.status]:
        raise InvalidTransition(
            f"a {pair.status.value} pair cannot become {to.value}", pair.status.value, to.value
        )
    now = datetime.now(UTC)
    previous, pair.status = pair.status, to
    if to is PairStatus.ACTIVE:
        pair.activated_at = now
    if to in ENDED:
        pair.ended_at = now
    _history(session, actor, pair, previous, to, reason)
    record(session, actor, f"pair.{to.value.lower()}", "Pair", pair.id, reason=reason)


def _history(
    session: AsyncSession,
    actor: Actor,
    pair: Pair,
    previous: PairStatus | None,
    to: PairStatus,
    reason: str | None,
) -> None:
    session.add(
        PairTransition(
            tenant_id=pair.tenant_id,
            pair_id=pair.id,
            from_status=previous,
            to_status=to,
            actor=actor.name,
            reason=reason,
            request_id=actor.request_id,
        )
    )


async def end(
    session: AsyncSession, actor: Actor, pair: Pair, to: PairStatus, reason: str | None
) -> Pair:
    """End a live pair and give the mentor's slot back."""
    transition(session, actor, pair, to, reason)
    await repository.release_capacity(session, pair.mentor_id)
    await session.flush()
    return pair


async def _pairable(
    session: AsyncSession, actor: Actor, mentor_id: int, mentee_id: int
) -> tuple[Participant, Participant]:
    """Both enrolled in one program, in the right roles; or NotFound / ValidationFailed."""
    people = await repository.participants_for_update(
        session, actor.tenant_id, [mentor_id, mentee_id]
    )
    mentor, mentee = people.get(mentor_id), people.get(mentee_id)
    if mentor is None or mentee is None:
        raise NotFound("no such participant")
    if mentor.program_id != mentee.program_id:
        raise ValidationFailed.single("menteeId", "the two participants are in different programs")
    if mentor.role is not ParticipantRole.MENTOR or mentee.role is not ParticipantRole.MENTEE:
        raise ValidationFailed.single("mentorId", "needs a MENTOR and a MENTEE")
    if ParticipantStatus.ENROLLED not in {mentor.status} & {mentee.status}:
        raise ValidationFailed.single("menteeId", "both participants must be enrolled")
    return mentor, mentee


async def propose(
    session: AsyncSession,
    actor: Actor,
    mentor: Participant,
    mentee: Participant,
    *,
    reason: str | None = None,
    **fields: Any,
) -> Pair:
    """Create a PROPOSED pair, reserving the mentor's capacity in the database."""
    if await repository.live_pair_of_mentee(session, mentee.id) is not None:
        raise Conflict("the mentee already has a live pair")
    if not await repository.take_capacity(session, mentor.id):
        raise Conflict("the mentor has no capacity left")
    pair = Pair(
        tenant_id=actor.tenant_id,
        program_id=mentor.program_id,
        mentor_id=mentor.id,
        mentee_id=mentee.id,
        status=PairStatus.PROPOSED,
        **fields,
    )
    session.add(pair)
    await session.flush()
    _history(session, actor, pair, None, PairStatus.PROPOSED, reason)
    return pair


async def pin_pair(
    session: AsyncSession, actor: Actor, mentor_id: int, mentee_id: int, reason: str | None
) -> Pair:
    """An admin's match: proposed at once, and kept by later matching runs."""
    actor.require_manager()
    mentor, mentee = await _pairable(session, actor, mentor_id, mentee_id)
    rule = await repository.pair_rule(
        session, actor.tenant_id, mentor.program_id, mentor.id, mentee.id
    )
    if rule is not None and rule.kind is PairRuleKind.FORBID:
        raise Conflict("this pair is forbidden; remove the forbid first")
    if rule is None:
        session.add(_rule(actor, mentor, mentee, PairRuleKind.PIN, reason))
    pair = await propose(session, actor, mentor, mentee, reason=reason, pinned=True, score=0.0)
    record(session, actor, "pair.pinned", "Pair", pair.id, reason=reason)
    return pair


def _rule(
    actor: Actor, mentor: Participant, mentee: Participant, kind: PairRuleKind, reason: str | None
) -> PairRule:
    return PairRule(
        tenant_id=actor.tenant_id,
        program_id=mentor.program_id,
        mentor_id=mentor.id,
        mentee_id=mentee.id,
        kind=kind,
        created_by=actor.name,
        reason=reason,
    )


async def forbid_pair(
    session: AsyncSession, actor: Actor, mentor_id: int, mentee_id: int, reason: str | None
) -> PairRule:
    """Never pair these two in this program; an unpublished draft between them is cancelled."""
    mentor, mentee = await _pairable_for_forbid(session, actor, mentor_id, mentee_id)
    rule = await repository.pair_rule(
        session, actor.tenant_id, mentor.program_id, mentor.id, mentee.id
    )
    if rule is None:
        rule = _rule(actor, mentor, mentee, PairRuleKind.FORBID, reason)
        session.add(rule)
    rule.kind, rule.reason = PairRuleKind.FORBID, reason
    live = await repository.live_pair_of_mentee(session, mentee.id)
    if live is not None and live.mentor_id == mentor.id:
        if live.published_at is not None:
            raise Conflict("this pair is published; cancel it first")
        await end(session, actor, live, PairStatus.CANCELLED, reason or "forbidden by an admin")
    await session.flush()
    record(
        session, actor, "pair.forbidden", "Participant", mentee.id, mentor=mentor.id, reason=reason
    )
    return rule


async def _pairable_for_forbid(
    session: AsyncSession, actor: Actor, mentor_id: int, mentee_id: int
) -> tuple[Participant, Participant]:
    actor.require_manager()
    people = await repository.participants_for_update(
        session, actor.tenant_id, [mentor_id, mentee_id]
    )
    mentor, mentee = people.get(mentor_id), people.get(mentee_id)
    if mentor is None or mentee is None or mentor.program_id != mentee.program_id:
        raise NotFound("no such participant")
    return mentor, mentee


async def publish(
    session: AsyncSession,
    actor: Actor,
    queue: JobQueue | None,
    program_id: int,
    run_id: int | None,
) -> list[Pair]:
    """Make the draft pairs (of one run, plus pins) visible to the people in them."""
    actor.require_manager()
    if run_id is not None:
        run = await repository.get_run(session, actor.tenant_id, run_id)
        if run is None or run.program_id != program_id:
            raise NotFound("no such matching run")
    drafts = list(await repository.draft_pairs(session, actor.tenant_id, program_id, run_id))
    if not drafts:
        raise Conflict("there are no draft pairs to publish")
    now = datetime.now(UTC)
    for pair in drafts:
        pair.published_at = now
    await session.flush()
    record(
        session, actor, "matching.published", "Program", program_id, run=run_id, pairs=len(drafts)
    )
    for pair in drafts:
        await enqueue_event(session, queue, actor.tenant_id, "pair.published", pair_event(pair))
    return drafts


async def _pair_of_caller(
    session: AsyncSession, actor: Actor, pair_id: int
) -> tuple[Pair, Participant | None]:
    """The pair and the caller's side of it; NotFound unless a manager or one of the two."""
    pair = await repository.get_pair(session, actor.tenant_id, pair_id)
    if pair is None:
        raise NotFound("no such pair")
    people = await repository.participants_for_update(
        session, actor.tenant_id, [pair.mentor_id, pair.mentee_id]
    )
    mine = next((p for p in people.values() if p.employee_id == actor.employee_id), None)
    visible = pair.published_at is not None and mine is not None
    if not (actor.manages_programs or visible):
        raise NotFound("no such pair")
    return pair, mine


async def respond(
    session: AsyncSession, actor: Actor, pair_id: int, accept: bool, reason: str | None
) -> Pair:
    """Accept (both must, then the pair is ACTIVE) or decline with a reason."""
    pair, mine = await _pair_of_caller(session, actor, pair_id)
    if mine is None or pair.published_at is None:
        raise NotFound("no such pair")
    if pair.status is not PairStatus.PROPOSED:
        raise InvalidTransition("only a proposed pair takes answers", pair.status.value, "ACTIVE")
    if not accept:
        if not (reason and reason.strip()):
            raise ValidationFailed.single("reason", "say why you decline")
        return await end(session, actor, pair, PairStatus.DECLINED, reason)
    now = datetime.now(UTC)
    if mine.id == pair.mentor_id:
        pair.mentor_accepted_at = pair.mentor_accepted_at or now
    else:
        pair.mentee_accepted_at = pair.mentee_accepted_at or now
    record(session, actor, "pair.accepted", "Pair", pair.id)
    if pair.mentor_accepted_at and pair.mentee_accepted_at:
        transition(session, actor, pair, PairStatus.ACTIVE, "accepted by both")
    await session.flush()
    return pair


async def complete(session: AsyncSession, actor: Actor, pair_id: int, reason: str | None) -> Pair:
    pair, _mine = await _pair_of_caller(session, actor, pair_id)
    return await end(session, actor, pair, PairStatus.COMPLETED, reason)


async def cancel(session: AsyncSession, actor: Actor, pair_id: int, reason: str) -> Pair:
    if not reason.strip():
        raise ValidationFailed.single("reason", "say why the pair is cancelled")
    pair, _mine = await _pair_of_caller(session, actor, pair_id)
    return await end(session, actor, pair, PairStatus.CANCELLED, reason)


# Reads ---------------------------------------------------------------------------------------


def _scope(actor: Actor) -> int | None:
    """None for program managers (every pair); else the caller's employee (published, own)."""
    return None if actor.manages_programs else (actor.employee_id or -1)


async def count_pairs(
    session: AsyncSession, actor: Actor, program_id: int, status: PairStatus | None
) -> int:
    return await repository.count_pairs(session, actor.tenant_id, program_id, status, _scope(actor))


async def list_pairs(
    session: AsyncSession, actor: Actor, program_id: int, status: PairStatus | None, page: Window
) -> Sequence[Row[Any]]:
    return await repository.list_pairs(
        session, actor.tenant_id, program_id, status, _scope(actor), page=page
    )


async def visible_pairs(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    """Pairs by id for the node field: managers see all, participants their published pairs."""
    if actor.manages_programs:
        return await repository.pairs_by_ids(session, actor.tenant_id, ids)
    mine = {row.id for row in await my_pairs(session, actor)}
    return [
        row
        for row in await repository.pairs_by_ids(session, actor.tenant_id, ids)
        if row.id in mine
    ]


async def my_pairs(session: AsyncSession, actor: Actor) -> Sequence[Row[Any]]:
    if actor.employee_id is None:
        return []
    return await repository.pairs_of_employee(session, actor.tenant_id, actor.employee_id)


async def history(
    session: AsyncSession, actor: Actor, pair_ids: Sequence[int]
) -> Sequence[Row[Any]]:
    return await repository.transitions_of(session, actor.tenant_id, pair_ids)


async def runs_of_program(
    session: AsyncSession, actor: Actor, program_id: int
) -> Sequence[Row[Any]]:
    actor.require_manager()
    return await repository.runs_of_program(session, actor.tenant_id, program_id)


async def runs_by_ids(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    if not actor.manages_programs:
        return []
    return await repository.runs_by_ids(session, actor.tenant_id, ids)
