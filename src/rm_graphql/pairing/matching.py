"""Matching runs: requested by an admin, executed by a job, drafts written with their reasons."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.audit.service import record
from rm_graphql.errors import Conflict, NotFound, ValidationFailed
from rm_graphql.models import MatchingRun, Pair, PairRule, Program
from rm_graphql.models.enums import (
    EmployeeStatus,
    PairRuleKind,
    PairStatus,
    ParticipantRole,
    ProgramStatus,
    RunStatus,
    TopicDirection,
)
from rm_graphql.pairing import repository, service
from rm_graphql.pairing.inputs import MatchingInputError, MatchRequest, PairRef, Person, Rules
from rm_graphql.pairing.offline import (
    OfflineInputError,
    reporting_chain,
    rules_from_mapping,
    utc_offset,
)
from rm_graphql.pairing.results import MatchResult, Unmatched
from rm_graphql.pairing.solver import match
from rm_graphql.programs import repository as programs
from rm_graphql.tenancy.service import Actor, system_actor

if TYPE_CHECKING:
    from rm_graphql.jobs.queue import JobQueue

MATCHABLE = {ProgramStatus.ENROLLING, ProgramStatus.MATCHING, ProgramStatus.ACTIVE}


def program_rules(program: Program) -> tuple[Rules, int]:
    """The program's stored rules, or a ValidationFailed naming what is wrong."""
    try:
        return rules_from_mapping("matchingRules", program.matching_rules or {})
    except (OfflineInputError, MatchingInputError, TypeError) as error:
        raise ValidationFailed.single("matchingRules", str(error)) from error


async def request_run(
    session: AsyncSession, actor: Actor, queue: JobQueue | None, program_id: int, seed: int | None
) -> MatchingRun:
    """Queue a matching run; a second one while one is queued or running is a Conflict."""
    actor.require_manager()
    await repository.lock_program(session, program_id)
    program = await programs.get_program(session, actor.tenant_id, program_id)
    if program is None:
        raise NotFound("no such program")
    if program.status not in MATCHABLE:
        raise Conflict(f"a {program.status.value} program cannot be matched")
    rules, default_seed = program_rules(program)
    if await repository.live_run(session, actor.tenant_id, program.id) is not None:
        raise Conflict("a matching run for this program is already queued or running")
    run = MatchingRun(
        tenant_id=actor.tenant_id,
        program_id=program.id,
        status=RunStatus.QUEUED,
        requested_by=actor.name,
        seed=default_seed if seed is None else seed,
        objective_mode=rules.objective,
        config_snapshot=dict(program.matching_rules or {}),
    )
    session.add(run)
    await session.flush()
    record(session, actor, "matching.requested", "MatchingRun", run.id, program=program.id)
    if queue is not None:
        await queue.defer_run_after_commit(session, run)
    return run


def _topic_levels(rows: Sequence[Any]) -> dict[int, dict[str, dict[str, int]]]:
    levels: dict[int, dict[str, dict[str, int]]] = {}
    for row in rows:
        levels.setdefault(row.participant_id, {}).setdefault(str(row.direction), {})[row.slug] = (
            row.level
        )
    return levels


def _offset(timezone: str | None) -> float | None:
    try:
        return utc_offset(timezone or "")
    except ValueError:
        return None  # an unknown zone never excludes anyone


def _person(
    row: Any, topics: Mapping[str, Mapping[str, int]], chains: Mapping[int, frozenset[str]]
) -> Person:
    preferences = row.preferences or {}
    return Person(
        id=str(row.id),
        role="mentor" if row.role is ParticipantRole.MENTOR else "mentee",
        job_level=row.job_level,
        ancestors=chains[row.employee_id],
        department=row.department,
        birth_year=row.birth_year,
        languages=frozenset(row.languages or ()),
        utc_offset_hours=_offset(row.timezone),
        teach_topics=dict(topics.get(TopicDirection.TEACH.value, {})),
        learn_topics=dict(topics.get(TopicDirection.LEARN.value, {})),
        interests=frozenset(topics.get(TopicDirection.INTEREST.value, {})),
        capacity=row.capacity,
        availability=frozenset(row.availability or ()),
        wishes=tuple(str(i) for i in preferences.get("wishes", ())),
        blocks=frozenset(str(i) for i in preferences.get("blocks", ())),
        active=row.employee_status is EmployeeStatus.ACTIVE,
        consented=row.consent_at is not None,
    )


def _chains(people: Sequence[Any], managers: Mapping[int, int]) -> dict[int, frozenset[str]]:
    """Reporting chains in participant ids' employee space (ancestors as employee ids)."""
    links = {str(employee): str(manager) for employee, manager in managers.items()}
    return {row.employee_id: reporting_chain(str(row.employee_id), links) for row in people}


def _by_employee(
    people: Sequence[Any], chains: dict[int, frozenset[str]]
) -> dict[int, frozenset[str]]:
    """Turn employee-id chains into participant-id chains so the solver compares like with like."""
    participant_of = {str(row.employee_id): str(row.id) for row in people}
    return {
        employee: frozenset(participant_of.get(ancestor, f"e{ancestor}") for ancestor in chain)
        for employee, chain in chains.items()
    }


def _refs(pairs: Sequence[Pair], keep: bool) -> tuple[PairRef, ...]:
    return tuple(
        PairRef(str(pair.mentor_id), str(pair.mentee_id))
        for pair in pairs
        if (pair.status in repository.LIVE and pair.published_at is not None) == keep
        and (keep or pair.status not in repository.LIVE)
    )


def build_request(
    people: Sequence[Any],
    topic_rows: Sequence[Any],
    managers: Mapping[int, int],
    rules: Rules,
    seed: int,
    pairs: Sequence[Pair],
    pair_rules: Sequence[PairRule],
) -> MatchRequest:
    """The solver's plain input for one program: people, rules, pins, forbids, history."""
    topics = _topic_levels(topic_rows)
    chains = _by_employee(people, _chains(people, managers))
    persons = tuple(_person(row, topics.get(row.id, {}), chains) for row in people)
    enrolled = {person.id for person in persons}
    pins = tuple(
        PairRef(str(rule.mentor_id), str(rule.mentee_id))
        for rule in pair_rules
        if rule.kind is PairRuleKind.PIN and {str(rule.mentor_id), str(rule.mentee_id)} <= enrolled
    )
    forbids = tuple(
        PairRef(str(rule.mentor_id), str(rule.mentee_id))
        for rule in pair_rules
        if rule.kind is PairRuleKind.FORBID
    )
    kept = tuple(
        ref for ref in _refs(pairs, keep=True) if {ref.mentor_id, ref.mentee_id} <= enrolled
    )
    return MatchRequest(
        people=persons,
        rules=rules,
        pins=tuple(ref for ref in pins if ref not in kept),
        forbids=forbids,
        previous_pairs=_refs(pairs, keep=False),
        kept_pairs=kept,
        seed=seed,
    )


async def execute(session: AsyncSession, run_id: int) -> None:
    """The job: solve the program's matching and write its drafts; published pairs stay."""
    run = await session.get_one(MatchingRun, run_id)
    program = await session.get_one(Program, run.program_id)
    started = time.perf_counter()
    pairs = await repository.program_pairs_for_matching(session, run.tenant_id, program.id)
    people = await repository.enrolled_people(session, run.tenant_id, program.id)
    request = build_request(
        people,
        await programs.topic_levels(session, run.tenant_id, [row.id for row in people]),
        await repository.manager_links(session, run.tenant_id),
        program_rules(program)[0],
        run.seed,
        pairs,
        await repository.pair_rules(session, run.tenant_id, program.id),
    )
    loaded = time.perf_counter()
    result = await asyncio.to_thread(match, request)  # CPU-bound: keep the event loop free
    solved = time.perf_counter()
    actor = system_actor(run.tenant_id, run.requested_by or "system:matching")
    await _supersede_drafts(session, actor, pairs, run.id)
    await _write_drafts(session, actor, run, result)
    _report(
        run,
        result,
        {"load": loaded - started, "solve": solved - loaded, "write": time.perf_counter() - solved},
    )


async def _supersede_drafts(
    session: AsyncSession, actor: Actor, pairs: Sequence[Pair], run_id: int
) -> None:
    """Unpublished, unpinned drafts of earlier runs give way to this run's."""
    for pair in pairs:
        if pair.status is PairStatus.PROPOSED and pair.published_at is None and not pair.pinned:
            await service.end(
                session, actor, pair, PairStatus.CANCELLED, f"superseded by run {run_id}"
            )


async def _write_drafts(
    session: AsyncSession, actor: Actor, run: MatchingRun, result: MatchResult
) -> None:
    """One PROPOSED pair per new match (kept and pinned ones exist already)."""
    people = await repository.participants_for_update(
        session,
        run.tenant_id,
        sorted({int(p.mentor_id) for p in result.pairs} | {int(p.mentee_id) for p in result.pairs}),
    )
    for matched in result.pairs:
        if matched.origin != "solver":
            continue
        mentor, mentee = people[int(matched.mentor_id)], people[int(matched.mentee_id)]
        await service.propose(
            session,
            actor,
            mentor,
            mentee,
            reason=f"matching run {run.id}",
            run_id=run.id,
            score=matched.score,
            score_breakdown=matched.breakdown,
        )


def _report(run: MatchingRun, result: MatchResult, timings: dict[str, float]) -> None:
    report = result.report
    run.solver, run.objective_value, run.bound, run.gap = (
        report.solver,
        report.objective,
        report.bound,
        report.gap,
    )
    run.timings = {name: round(seconds, 4) for name, seconds in timings.items()}
    run.progress = 1.0
    run.diagnostics = {
        "status": report.status,
        "matched": len(result.pairs),
        "unmatched": [_unmatched(item) for item in result.unmatched],
        "warnings": list(report.warnings),
        "circles": [
            {"mentorId": c.mentor_id, "topic": c.topic, "menteeIds": list(c.mentee_ids)}
            for c in result.circles
        ],
    }


def _unmatched(item: Unmatched) -> dict[str, Any]:
    return {
        "participantId": item.person_id,
        "role": item.role,
        "reason": item.reason,
        "message": item.detail,
        "eligibleCandidates": item.eligible_candidates,
        "excludedBy": dict(item.excluded_by),
        "nearMisses": [
            {
                "participantId": miss.candidate_id,
                "score": miss.score_milli / 1000,
                "blockedBy": list(miss.blockers),
            }
            for miss in item.near_misses
        ],
    }
