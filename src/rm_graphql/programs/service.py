"""Program lifecycle and enrolment rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.audit.service import record
from rm_graphql.errors import (
    Conflict,
    FieldProblem,
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from rm_graphql.models import Participant, ParticipantTopic, Program
from rm_graphql.models.enums import (
    EmployeeStatus,
    EnrolmentMode,
    ParticipantRole,
    ParticipantStatus,
    ProgramStatus,
    SessionCapPolicy,
    TopicDirection,
)
from rm_graphql.paging import Window
from rm_graphql.people.repository import topics_by_slug
from rm_graphql.programs import repository
from rm_graphql.tenancy.service import Actor

TRANSITIONS: dict[ProgramStatus, set[ProgramStatus]] = {
    ProgramStatus.DRAFT: {ProgramStatus.ENROLLING, ProgramStatus.ARCHIVED},
    ProgramStatus.ENROLLING: {ProgramStatus.MATCHING},
    ProgramStatus.MATCHING: {ProgramStatus.ENROLLING, ProgramStatus.ACTIVE},
    ProgramStatus.ACTIVE: {ProgramStatus.COMPLETED},
    ProgramStatus.COMPLETED: {ProgramStatus.ARCHIVED},
    ProgramStatus.ARCHIVED: set(),
}
ENROLMENT_OPEN = {
    ProgramStatus.DRAFT,
    ProgramStatus.ENROLLING,
    ProgramStatus.MATCHING,
    ProgramStatus.ACTIVE,
}


@dataclass
class ProgramSpec:
    """Fields of a program; None means "leave as is" on update."""

    name: str | None = None
    description: str | None = None
    objectives: list[str] | None = None
    kpi_targets: dict[str, float] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    enrolment_mode: EnrolmentMode | None = None
    session_cap_minutes: int | None = None
    session_cap_policy: SessionCapPolicy | None = None
    cadence_days: int | None = None


@dataclass
class Invitation:
    employee_id: int
    role: ParticipantRole
    capacity: int = 1


@dataclass
class ProfileChange:
    """A participant's stated profile; None leaves a part unchanged."""

    capacity: int | None = None
    teach_topics: dict[str, int] | None = None
    learn_topics: dict[str, int] | None = None
    interests: list[str] | None = None
    availability: list[str] | None = None
    wishes: list[int] | None = None
    blocks: list[int] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _validate_program(spec: ProgramSpec, current: Program | None) -> None:
    problems: list[FieldProblem] = []
    name = spec.name if spec.name is not None else (current.name if current else None)
    if not name or not name.strip():
        problems.append(FieldProblem(("name",), "must not be empty"))
    if spec.session_cap_minutes is not None and not 5 <= spec.session_cap_minutes <= 240:
        problems.append(FieldProblem(("sessionCapMinutes",), "must be between 5 and 240"))
    if spec.cadence_days is not None and not 1 <= spec.cadence_days <= 90:
        problems.append(FieldProblem(("cadenceDays",), "must be between 1 and 90"))
    starts = spec.starts_on or (current.starts_on if current else None)
    ends = spec.ends_on or (current.ends_on if current else None)
    if starts and ends and ends < starts:
        problems.append(FieldProblem(("endsOn",), "must not be before startsOn"))
    if problems:
        raise ValidationFailed(problems)


async def program_for_update(session: AsyncSession, actor: Actor, program_id: int) -> Program:
    actor.require_manager()
    program = await repository.get_program(session, actor.tenant_id, program_id)
    if program is None:
        raise NotFound("no such program")
    return program


async def create_program(session: AsyncSession, actor: Actor, spec: ProgramSpec) -> Program:
    actor.require_manager()
    _validate_program(spec, None)
    values = {
        f.name: getattr(spec, f.name) for f in fields(spec) if getattr(spec, f.name) is not None
    }
    program = Program(tenant_id=actor.tenant_id, **values)
    session.add(program)
    await session.flush()
    record(session, actor, "program.created", "Program", program.id, name=program.name)
    return program


async def update_program(
    session: AsyncSession, actor: Actor, program_id: int, spec: ProgramSpec
) -> Program:
    program = await program_for_update(session, actor, program_id)
    if program.status is ProgramStatus.ARCHIVED:
        raise Conflict("an archived program cannot change")
    _validate_program(spec, program)
    changed = {
        f.name: getattr(spec, f.name) for f in fields(spec) if getattr(spec, f.name) is not None
    }
    for name, value in changed.items():
        setattr(program, name, value)
    await session.flush()
    record(session, actor, "program.updated", "Program", program.id, fields=sorted(changed))
    return program


async def transition_program(
    session: AsyncSession, actor: Actor, program_id: int, to: ProgramStatus, reason: str | None
) -> Program:
    program = await program_for_update(session, actor, program_id)
    if to not in TRANSITIONS[program.status]:
        raise InvalidTransition(
            f"a {program.status.value} program cannot become {to.value}",
            program.status.value,
            to.value,
        )
    previous, program.status = program.status, to
    await session.flush()
    record(
        session,
        actor,
        "program.transitioned",
        "Program",
        program.id,
        to=to.value,
        reason=reason,
        **{"from": previous.value},
    )
    return program


async def invite(
    session: AsyncSession, actor: Actor, program_id: int, invitations: Sequence[Invitation]
) -> list[Participant]:
    """Invite employees; inviting someone already in the program returns their participation."""
    program = await program_for_update(session, actor, program_id)
    if program.status not in ENROLMENT_OPEN:
        raise Conflict(f"a {program.status.value} program takes no new participants")
    employees = await repository.employees_in_tenant(
        session, actor.tenant_id, [i.employee_id for i in invitations]
    )
    problems = [
        FieldProblem(("invitations", str(index), "employeeId"), "no such active employee")
        for index, invitation in enumerate(invitations)
        if (employee := employees.get(invitation.employee_id)) is None
        or employee.status is not EmployeeStatus.ACTIVE
    ]
    problems += [
        FieldProblem(("invitations", str(index), "capacity"), "must be between 1 and 10")
        for index, invitation in enumerate(invitations)
        if not 1 <= invitation.capacity <= 10
    ]
    if problems:
        raise ValidationFailed(problems)
    participants = [
        await _invite_one(session, actor, program, invitation) for invitation in invitations
    ]
    await session.flush()
    record(
        session,
        actor,
        "participants.invited",
        "Program",
        program.id,
        employees=[i.employee_id for i in invitations],
    )
    return participants


async def _invite_one(
    session: AsyncSession, actor: Actor, program: Program, invitation: Invitation
) -> Participant:
    existing = await repository.find_participant(
        session, actor.tenant_id, program.id, invitation.employee_id
    )
    if existing is not None:
        return existing
    participant = Participant(
        tenant_id=actor.tenant_id,
        program_id=program.id,
        employee_id=invitation.employee_id,
        role=invitation.role,
        capacity=invitation.capacity if invitation.role is ParticipantRole.MENTOR else 1,
        status=ParticipantStatus.INVITED,
        invited_at=datetime.now(UTC),
    )
    session.add(participant)
    return participant


async def enroll(
    session: AsyncSession, actor: Actor, program_id: int, role: ParticipantRole, consent: bool
) -> Participant:
    """Self-service: join an OPEN program, or accept an invitation; consent is required."""
    if actor.employee_id is None:
        raise NotAllowed("your account is not linked to an employee of this tenant")
    if not consent:
        raise ValidationFailed.single("consent", "taking part needs your consent")
    program = await repository.get_program(session, actor.tenant_id, program_id)
    participant = None
    if program is not None:
        participant = await repository.find_participant(
            session, actor.tenant_id, program.id, actor.employee_id
        )
    if program is None or (
        participant is None and program.enrolment_mode is EnrolmentMode.INVITE_ONLY
    ):
        raise NotFound("no such program open to you")
    if program.status not in ENROLMENT_OPEN - {ProgramStatus.DRAFT}:
        raise Conflict(f"a {program.status.value} program is not enrolling")
    if participant is None:
        participant = Participant(
            tenant_id=actor.tenant_id,
            program_id=program.id,
            employee_id=actor.employee_id,
            role=role,
        )
        session.add(participant)
    elif participant.status is ParticipantStatus.ENROLLED:
        raise Conflict("you are already enrolled")
    now = datetime.now(UTC)
    participant.status, participant.consent_at, participant.enrolled_at = (
        ParticipantStatus.ENROLLED,
        now,
        now,
    )
    participant.withdrawn_at = None
    await session.flush()
    record(
        session, actor, "participant.enrolled", "Participant", participant.id, program=program.id
    )
    return participant


async def participant_for_update(
    session: AsyncSession, actor: Actor, participant_id: int
) -> Participant:
    """A participation the caller may change: their own, or any for program managers."""
    participant = await repository.get_participant(session, actor.tenant_id, participant_id)
    if participant is None or not (
        actor.manages_programs or participant.employee_id == actor.employee_id
    ):
        raise NotFound("no such participant")
    return participant


async def withdraw(
    session: AsyncSession, actor: Actor, participant_id: int, reason: str | None
) -> Participant:
    participant = await participant_for_update(session, actor, participant_id)
    if participant.status is ParticipantStatus.WITHDRAWN:
        raise Conflict("already withdrawn")
    if await repository.has_live_pairs(session, participant.id):
        raise Conflict("end or cancel this participant's live pairs first")
    participant.status, participant.withdrawn_at = ParticipantStatus.WITHDRAWN, datetime.now(UTC)
    await session.flush()
    record(session, actor, "participant.withdrawn", "Participant", participant.id, reason=reason)
    return participant


def _validate_profile(participant: Participant, change: ProfileChange) -> None:
    problems: list[FieldProblem] = []
    if change.capacity is not None:
        if participant.role is not ParticipantRole.MENTOR and change.capacity != 1:
            problems.append(FieldProblem(("capacity",), "only mentors take more than one mentee"))
        if not max(1, participant.assigned_count) <= change.capacity <= 10:
            problems.append(
                FieldProblem(("capacity",), "must be between current assignments and 10")
            )
    for name in ("teach_topics", "learn_topics"):
        levels: dict[str, int] = getattr(change, name) or {}
        problems += [
            FieldProblem((name, slug), "level must be between 1 and 5")
            for slug, level in levels.items()
            if not 1 <= level <= 5
        ]
    for name in ("wishes", "blocks"):
        ids: list[int] = getattr(change, name) or []
        problems += [
            FieldProblem((name, str(index)), "not a participant id")
            for index, key in enumerate(ids)
            if key < 1
        ]
    if problems:
        raise ValidationFailed(problems)


async def update_profile(
    session: AsyncSession, actor: Actor, participant_id: int, change: ProfileChange
) -> Participant:
    participant = await participant_for_update(session, actor, participant_id)
    _validate_profile(participant, change)
    if change.capacity is not None:
        participant.capacity = change.capacity
    if change.availability is not None:
        participant.availability = sorted(set(change.availability))
    if change.wishes is not None or change.blocks is not None:
        preferences = dict(participant.preferences)
        preferences.update(
            {
                k: v
                for k, v in (("wishes", change.wishes), ("blocks", change.blocks))
                if v is not None
            }
        )
        participant.preferences = preferences
    await _replace_topic_levels(session, actor, participant, change)
    await session.flush()
    record(session, actor, "participant.profile_updated", "Participant", participant.id)
    return participant


async def _replace_topic_levels(
    session: AsyncSession, actor: Actor, participant: Participant, change: ProfileChange
) -> None:
    wanted = {
        TopicDirection.TEACH: change.teach_topics,
        TopicDirection.LEARN: change.learn_topics,
        TopicDirection.INTEREST: dict.fromkeys(change.interests, 3)
        if change.interests is not None
        else None,
    }
    given = {direction: levels for direction, levels in wanted.items() if levels is not None}
    if not given:
        return
    slugs = sorted({slug for levels in given.values() for slug in levels})
    topics = await topics_by_slug(session, actor.tenant_id, slugs)
    unknown = [slug for slug in slugs if slug not in topics]
    if unknown:
        raise ValidationFailed(
            [FieldProblem(("topics", slug), "no such topic") for slug in unknown]
        )
    rows = [
        ParticipantTopic(
            participant_id=participant.id,
            topic_id=topics[slug].id,
            direction=direction,
            tenant_id=actor.tenant_id,
            level=level,
        )
        for direction, levels in given.items()
        for slug, level in levels.items()
    ]
    await repository.replace_topics(session, participant, rows, {d.value for d in given})


# Reads ---------------------------------------------------------------------------------------


def _visible_to(actor: Actor) -> int | None:
    """None when the caller sees the whole tenant, else the employee whose data they may see."""
    if actor.manages_programs or actor.reads_kpis:
        return None
    return actor.employee_id if actor.employee_id is not None else -1


async def count_programs(session: AsyncSession, actor: Actor, status: ProgramStatus | None) -> int:
    return await repository.count_programs(session, actor.tenant_id, status, _visible_to(actor))


async def list_programs(
    session: AsyncSession, actor: Actor, status: ProgramStatus | None, page: Window
) -> Sequence[Row[Any]]:
    return await repository.list_programs(
        session, actor.tenant_id, status, _visible_to(actor), page
    )


async def programs_by_ids(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    rows = await repository.programs_by_ids(session, actor.tenant_id, ids)
    visible_to = _visible_to(actor)
    if visible_to is None:
        return rows
    mine = {
        row.program_id
        for row in await repository.participations_of(session, actor.tenant_id, visible_to)
    }
    return [row for row in rows if row.id in mine or row.enrolment_mode is EnrolmentMode.OPEN]


def _participant_scope(actor: Actor) -> int | None:
    return None if actor.manages_programs else (actor.employee_id or -1)


async def count_participants(
    session: AsyncSession,
    actor: Actor,
    program_id: int,
    role: ParticipantRole | None,
    status: ParticipantStatus | None,
) -> int:
    return await repository.count_participants(
        session, actor.tenant_id, program_id, role, status, _participant_scope(actor)
    )


async def list_participants(
    session: AsyncSession,
    actor: Actor,
    program_id: int,
    role: ParticipantRole | None,
    status: ParticipantStatus | None,
    page: Window,
) -> Sequence[Row[Any]]:
    return await repository.list_participants(
        session, actor.tenant_id, program_id, role, status, _participant_scope(actor), page=page
    )


async def participants_by_ids(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    """Participants as nested fields reach them (visibility decided at the entry point)."""
    return await repository.participants_by_ids(session, actor.tenant_id, ids)


async def my_participations(session: AsyncSession, actor: Actor) -> Sequence[Row[Any]]:
    if actor.employee_id is None:
        return []
    return await repository.participations_of(session, actor.tenant_id, actor.employee_id)


async def topic_levels(
    session: AsyncSession, actor: Actor, participant_ids: Sequence[int]
) -> Sequence[Row[Any]]:
    return await repository.topic_levels(session, actor.tenant_id, participant_ids)
