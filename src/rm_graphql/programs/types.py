"""GraphQL types, queries and mutations for programs and participants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Self, cast

import strawberry
from sqlalchemy import Row
from strawberry import relay
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types import Info

from rm_graphql.graphql.context import Context
from rm_graphql.graphql.enums import (
    EnrolmentMode,
    PairStatus,
    ParticipantRole,
    ParticipantStatus,
    ProgramStatus,
    SessionCapPolicy,
    TopicDirection,
)
from rm_graphql.graphql.errors import ErrorType
from rm_graphql.graphql.loading import by_id_loader
from rm_graphql.graphql.mutations import mutate
from rm_graphql.graphql.relay import Connection, PageArgs, db_id, paginate
from rm_graphql.graphql.selection import Tree, node_tree
from rm_graphql.models import Participant, Program
from rm_graphql.paging import Window
from rm_graphql.people.types import EmployeeType, TopicType, employee_loader
from rm_graphql.programs import service
from rm_graphql.programs.service import Invitation, ProfileChange, ProgramSpec

if TYPE_CHECKING:
    from rm_graphql.kpis.types import ProgramKpisType
    from rm_graphql.pairing.types import MatchingRunType, PairType


@strawberry.type(name="Program", description="A reverse-mentoring program.")
class ProgramType(relay.Node):
    id: relay.NodeID[int]
    name: str
    description: str | None
    objectives: list[str]
    kpi_targets: JSON
    starts_on: date | None
    ends_on: date | None
    status: ProgramStatus
    enrolment_mode: EnrolmentMode
    session_cap_minutes: int
    session_cap_policy: SessionCapPolicy
    cadence_days: int | None
    matching_rules: JSON
    created_at: datetime

    @classmethod
    def from_row(cls, row: Row[Any] | Program) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            description=row.description,
            objectives=list(row.objectives or ()),
            kpi_targets=cast(JSON, dict(row.kpi_targets or {})),
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            status=row.status,
            enrolment_mode=row.enrolment_mode,
            session_cap_minutes=row.session_cap_minutes,
            session_cap_policy=row.session_cap_policy,
            cadence_days=row.cadence_days,
            matching_rules=cast(JSON, dict(row.matching_rules or {})),
            created_at=row.created_at,
        )

    @strawberry.field(description="Who takes part; participants see only themselves here.")
    async def participants(
        self,
        info: Info[Context, None],
        role: ParticipantRole | None = None,
        status: ParticipantStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ParticipantType]:
        context = info.context
        tree = node_tree(info)

        async def fetch(page: Window) -> list[ParticipantType]:
            rows = await context.run(service.list_participants, self.id, role, status, page)
            return await prefetch_participants(
                context, [ParticipantType.from_row(r) for r in rows], tree
            )

        return await paginate(
            lambda: context.run(service.count_participants, self.id, role, status),
            fetch,
            PageArgs(first, after, last, before),
        )

    @strawberry.field(description="The program's pairs; participants see only their own.")
    async def pairs(
        self,
        info: Info[Context, None],
        status: PairStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Annotated[PairType, strawberry.lazy("rm_graphql.pairing.types")]]:
        from rm_graphql.pairing.types import program_pairs

        return await program_pairs(info, self.id, status, PageArgs(first, after, last, before))

    @strawberry.field(description="Matching runs, newest first (program managers).")
    async def matching_runs(
        self, info: Info[Context, None]
    ) -> list[Annotated[MatchingRunType, strawberry.lazy("rm_graphql.pairing.types")]]:
        from rm_graphql.pairing.types import program_runs

        return await program_runs(info, self.id)

    @strawberry.field(
        description="The program's KPIs (HR admins, program managers and KPI readers only)."
    )
    async def kpis(
        self, info: Info[Context, None]
    ) -> Annotated[ProgramKpisType, strawberry.lazy("rm_graphql.kpis.types")] | None:
        from rm_graphql.kpis.types import program_kpis

        return await program_kpis(info, self.id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[ProgramType | None]:
        return list(await program_loader(info.context).load_many([int(i) for i in node_ids]))


def program_loader(context: Context) -> Any:
    return by_id_loader(context, "programs", service.programs_by_ids, ProgramType.from_row)


def participant_loader(context: Context) -> DataLoader[int, ParticipantType | None]:
    """Participants by id, as nested fields reach them (one loader per request, every room)."""
    return by_id_loader(
        context, "participants", service.participants_by_ids, ParticipantType.from_row
    )


@strawberry.type(description="A topic with the level a participant stated for it (1-5).")
class TopicLevel:
    topic: TopicType
    level: int


@strawberry.type(name="Participant", description="One employee's part in one program.")
class ParticipantType(relay.Node):
    id: relay.NodeID[int]
    role: ParticipantRole
    status: ParticipantStatus
    capacity: int
    assigned_count: int
    availability: list[str]
    consent_at: datetime | None
    invited_at: datetime | None
    enrolled_at: datetime | None
    withdrawn_at: datetime | None
    employee_id: strawberry.Private[int]
    program_id: strawberry.Private[int]
    prefetched_employee: strawberry.Private[EmployeeType | None] = None
    prefetched_topics: strawberry.Private[dict[str, list[TopicLevel]] | None] = None

    @classmethod
    def from_row(cls, row: Row[Any] | Participant) -> Self:
        return cls(
            id=row.id,
            role=row.role,
            status=row.status,
            capacity=row.capacity,
            assigned_count=row.assigned_count,
            availability=list(row.availability or ()),
            consent_at=row.consent_at,
            invited_at=row.invited_at,
            enrolled_at=row.enrolled_at,
            withdrawn_at=row.withdrawn_at,
            employee_id=row.employee_id,
            program_id=row.program_id,
        )

    @strawberry.field
    def employee(self, info: Info[Context, None]) -> EmployeeType:
        if self.prefetched_employee is not None:
            return self.prefetched_employee
        return employee_loader(info.context).load(self.employee_id)  # type: ignore[no-any-return]

    @strawberry.field
    def program(self, info: Info[Context, None]) -> ProgramType:
        return program_loader(info.context).load(self.program_id)  # type: ignore[no-any-return]

    @strawberry.field(description="Topics this person can teach, with levels.")
    async def teach_topics(self, info: Info[Context, None]) -> list[TopicLevel]:
        return (await self._topics(info.context)).get(TopicDirection.TEACH.value, [])

    @strawberry.field(description="Topics this person wants to learn, with levels.")
    async def learn_topics(self, info: Info[Context, None]) -> list[TopicLevel]:
        return (await self._topics(info.context)).get(TopicDirection.LEARN.value, [])

    @strawberry.field(description="Topics this person is interested in.")
    async def interests(self, info: Info[Context, None]) -> list[TopicType]:
        return [item.topic for item in (await self._topics(info.context)).get("INTEREST", [])]

    async def _topics(self, context: Context) -> dict[str, list[TopicLevel]]:
        if self.prefetched_topics is None:
            await prefetch_topics(context, [self])
        return self.prefetched_topics or {}

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[ParticipantType | None]:
        ids = [int(i) for i in node_ids]
        context = info.context
        mine = {p.id for p in await my_participations(context)}
        found = await participant_loader(context).load_many(ids)
        manager = (await context.actor()).manages_programs
        return [p if p is not None and (manager or p.id in mine) else None for p in found]


async def my_participations(context: Context) -> list[ParticipantType]:
    rows = await context.run(service.my_participations)
    return [ParticipantType.from_row(row) for row in rows]


async def prefetch_topics(context: Context, participants: list[ParticipantType]) -> None:
    """Load the topic levels of many participants in one query."""
    rows = await context.run(service.topic_levels, [p.id for p in participants])
    grouped: dict[int, dict[str, list[TopicLevel]]] = {p.id: {} for p in participants}
    for row in rows:
        grouped[row.participant_id].setdefault(str(row.direction), []).append(
            TopicLevel(topic=TopicType.from_row(row), level=row.level)
        )
    for participant in participants:
        participant.prefetched_topics = grouped[participant.id]


async def prefetch_participants(
    context: Context, participants: list[ParticipantType], tree: Tree
) -> list[ParticipantType]:
    """Attach the employees and topic levels a selection asks for, one query each."""
    if tree.has("employee") and participants:
        loader = employee_loader(context)
        employees = await loader.load_many([p.employee_id for p in participants])
        for participant, employee in zip(participants, employees, strict=True):
            participant.prefetched_employee = employee
    if participants and (
        tree.has("teachTopics") or tree.has("learnTopics") or tree.has("interests")
    ):
        await prefetch_topics(context, participants)
    return participants


# Inputs and payloads -------------------------------------------------------------------------


@strawberry.input
class ProgramFields:
    name: str | None = None
    description: str | None = None
    objectives: list[str] | None = None
    kpi_targets: JSON | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    enrolment_mode: EnrolmentMode | None = None
    session_cap_minutes: int | None = strawberry.field(default=None, description="Default 30.")
    session_cap_policy: SessionCapPolicy | None = None
    cadence_days: int | None = None

    def spec(self) -> ProgramSpec:
        return ProgramSpec(**vars(self))


@strawberry.input
class CreateProgramInput(ProgramFields):
    name: str | None = None


@strawberry.input
class UpdateProgramInput(ProgramFields):
    id: relay.GlobalID = strawberry.field(description="The program to change.")

    def spec(self) -> ProgramSpec:
        values = {k: v for k, v in vars(self).items() if k != "id"}
        return ProgramSpec(**values)


@strawberry.input
class TransitionProgramInput:
    id: relay.GlobalID
    to: ProgramStatus
    reason: str | None = None


@strawberry.input
class InvitationInput:
    employee_id: relay.GlobalID
    role: ParticipantRole
    capacity: int = 1


@strawberry.input
class InviteParticipantsInput:
    program_id: relay.GlobalID
    invitations: list[InvitationInput]


@strawberry.input
class EnrollInput:
    program_id: relay.GlobalID
    role: ParticipantRole
    consent: bool = strawberry.field(description="Explicit consent to take part and be matched.")


@strawberry.input
class WithdrawInput:
    participant_id: relay.GlobalID
    reason: str | None = None


@strawberry.input(description="A topic slug with a level from 1 to 5.")
class TopicLevelInput:
    topic: str
    level: int = 3


@strawberry.input
class UpdateParticipantProfileInput:
    participant_id: relay.GlobalID
    capacity: int | None = None
    teach_topics: list[TopicLevelInput] | None = None
    learn_topics: list[TopicLevelInput] | None = None
    interests: list[str] | None = None
    availability: list[str] | None = strawberry.field(
        default=None, description='Weekly UTC slots such as "MON-09".'
    )
    wishes: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Participants you would like to be paired with, best first."
    )
    blocks: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Participants you do not want to be paired with."
    )

    def change(self) -> ProfileChange:
        def levels(items: list[TopicLevelInput] | None) -> dict[str, int] | None:
            return None if items is None else {item.topic: item.level for item in items}

        def ids(items: list[relay.GlobalID] | None) -> list[int] | None:
            return None if items is None else [db_id(item, "Participant") for item in items]

        return ProfileChange(
            capacity=self.capacity,
            teach_topics=levels(self.teach_topics),
            learn_topics=levels(self.learn_topics),
            interests=self.interests,
            availability=self.availability,
            wishes=ids(self.wishes),
            blocks=ids(self.blocks),
        )


@strawberry.type
class ParticipantList:
    participants: list[ParticipantType]


ProgramResult = Annotated[
    ProgramType | ErrorType,
    strawberry.union("ProgramResult"),
]
ParticipantResult = Annotated[
    ParticipantType | ErrorType,
    strawberry.union("ParticipantResult"),
]
ParticipantListResult = Annotated[
    ParticipantList | ErrorType,
    strawberry.union("ParticipantListResult"),
]


def _participant_list(participants: list[Participant]) -> ParticipantList:
    return ParticipantList(participants=[ParticipantType.from_row(p) for p in participants])


@strawberry.type
class ProgramQueries:
    @strawberry.field(description="Programs visible to the caller, newest first.")
    async def programs(
        self,
        info: Info[Context, None],
        status: ProgramStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ProgramType]:
        context = info.context

        async def fetch(page: Window) -> list[ProgramType]:
            rows = await context.run(service.list_programs, status, page)
            return [ProgramType.from_row(row) for row in rows]

        return await paginate(
            lambda: context.run(service.count_programs, status),
            fetch,
            PageArgs(first, after, last, before),
        )

    @strawberry.field(description="One program, or null if it does not exist for the caller.")
    async def program(self, info: Info[Context, None], id: relay.GlobalID) -> ProgramType | None:
        key = db_id(id, "Program")
        if key < 0:
            return None
        loaded: ProgramType | None = await program_loader(info.context).load(key)
        return loaded


@strawberry.type
class ProgramMutations:
    @strawberry.mutation
    async def create_program(
        self, info: Info[Context, None], input: CreateProgramInput
    ) -> ProgramResult:
        return await mutate(
            info.context, service.create_program, ProgramType.from_row, input.spec()
        )

    @strawberry.mutation
    async def update_program(
        self, info: Info[Context, None], input: UpdateProgramInput
    ) -> ProgramResult:
        program_id = db_id(input.id, "Program")
        return await mutate(
            info.context, service.update_program, ProgramType.from_row, program_id, input.spec()
        )

    @strawberry.mutation(
        description="DRAFT → ENROLLING → MATCHING → ACTIVE → COMPLETED → ARCHIVED."
    )
    async def transition_program(
        self, info: Info[Context, None], input: TransitionProgramInput
    ) -> ProgramResult:
        program_id = db_id(input.id, "Program")
        return await mutate(
            info.context,
            service.transition_program,
            ProgramType.from_row,
            program_id,
            input.to,
            input.reason,
        )

    @strawberry.mutation
    async def invite_participants(
        self, info: Info[Context, None], input: InviteParticipantsInput
    ) -> ParticipantListResult:
        invitations = [
            Invitation(db_id(item.employee_id, "Employee"), item.role, item.capacity)
            for item in input.invitations
        ]
        program_id = db_id(input.program_id, "Program")
        return await mutate(
            info.context, service.invite, _participant_list, program_id, invitations
        )

    @strawberry.mutation(description="Join an OPEN program, or accept an invitation.")
    async def enroll(self, info: Info[Context, None], input: EnrollInput) -> ParticipantResult:
        program_id = db_id(input.program_id, "Program")
        return await mutate(
            info.context,
            service.enroll,
            ParticipantType.from_row,
            program_id,
            input.role,
            input.consent,
        )

    @strawberry.mutation
    async def withdraw(self, info: Info[Context, None], input: WithdrawInput) -> ParticipantResult:
        participant_id = db_id(input.participant_id, "Participant")
        return await mutate(
            info.context, service.withdraw, ParticipantType.from_row, participant_id, input.reason
        )

    @strawberry.mutation
    async def update_participant_profile(
        self, info: Info[Context, None], input: UpdateParticipantProfileInput
    ) -> ParticipantResult:
        participant_id = db_id(input.participant_id, "Participant")
        return await mutate(
            info.context,
            service.update_profile,
            ParticipantType.from_row,
            participant_id,
            input.change(),
        )
