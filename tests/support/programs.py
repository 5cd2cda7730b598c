"""Create programs, participants and pairs for tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models import Employee, Pair, Participant, Program, Tenant
from rm_graphql.models.enums import PairStatus, ParticipantRole, ParticipantStatus


async def create_program(session: AsyncSession, tenant: Tenant, **fields: Any) -> Program:
    program = Program(tenant_id=tenant.id, name=fields.pop("name", "Reverse mentoring"), **fields)
    session.add(program)
    await session.flush()
    return program


async def enrol(
    session: AsyncSession,
    program: Program,
    employee: Employee,
    role: ParticipantRole,
    **fields: Any,
) -> Participant:
    participant = Participant(
        tenant_id=program.tenant_id,
        program_id=program.id,
        employee_id=employee.id,
        role=role,
        status=fields.pop("status", ParticipantStatus.ENROLLED),
        **fields,
    )
    session.add(participant)
    await session.flush()
    return participant


async def create_pair(
    session: AsyncSession,
    mentor: Participant,
    mentee: Participant,
    status: PairStatus = PairStatus.PROPOSED,
    **fields: Any,
) -> Pair:
    pair = Pair(
        tenant_id=mentor.tenant_id,
        program_id=mentor.program_id,
        mentor_id=mentor.id,
        mentee_id=mentee.id,
        status=status,
        **fields,
    )
    session.add(pair)
    await session.flush()
    return pair
