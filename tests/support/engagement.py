"""Committed ACTIVE pairs for engagement API tests, and rows added in bulk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from strawberry.relay import to_base64

from rm_graphql.db import Database
from rm_graphql.models import Feedback, Goal, MentoringSession, Pair, Program, Tenant, Topic
from rm_graphql.models.enums import PairStatus, ParticipantRole, ProgramStatus, SessionStatus, Side
from tests.support.api import Api, new_tenant
from tests.support.people import create_employee
from tests.support.programs import create_pair, create_program, enrol
from tests.support.seed import seed_org

ACTIVATED_DAYS_AGO = 30


@dataclass
class PairWorld:
    """One tenant with a program, a pair, its two people and a stranger in the same program."""

    slug: str
    tenant: Tenant
    program_id: int
    pair_id: int
    mentor_id: int
    mentee_id: int
    mentor_email: str
    mentee_email: str
    stranger_email: str
    activated_at: datetime | None

    @property
    def pair(self) -> str:
        return to_base64("Pair", self.pair_id)

    @property
    def program(self) -> str:
        return to_base64("Program", self.program_id)

    def tokens(self, api: Api) -> tuple[str, str, str]:
        """Tokens of the mentor, the mentee and the stranger (participants)."""
        mentor, mentee, stranger = (
            api.token(self.slug, email, "rm:participant")
            for email in (self.mentor_email, self.mentee_email, self.stranger_email)
        )
        return mentor, mentee, stranger

    def admin(self, api: Api) -> str:
        return api.token(self.slug, "hr@example.com", "rm:admin")

    def manager(self, api: Api) -> str:
        return api.token(self.slug, "pm@example.com", "rm:program")


async def seed_pair(
    database: Database, status: PairStatus = PairStatus.ACTIVE, **program_fields: Any
) -> PairWorld:
    """A fresh tenant with one pair; the stranger is enrolled in the program, but not paired."""
    slug = new_tenant()
    tenant, people = await seed_org(database, slug, people=3)
    activated_at = None
    if status is not PairStatus.PROPOSED and status is not PairStatus.DECLINED:
        activated_at = datetime.now(UTC) - timedelta(days=ACTIVATED_DAYS_AGO)
    async with database.transaction() as session:
        program_fields.setdefault("status", ProgramStatus.ACTIVE)
        program = await create_program(session, tenant, **program_fields)
        mentor = await enrol(session, program, people[0], ParticipantRole.MENTOR)
        mentee = await enrol(session, program, people[1], ParticipantRole.MENTEE)
        await enrol(session, program, people[2], ParticipantRole.MENTEE)
        pair = await create_pair(session, mentor, mentee, status, activated_at=activated_at)
    return PairWorld(
        slug=slug,
        tenant=tenant,
        program_id=program.id,
        pair_id=pair.id,
        mentor_id=mentor.id,
        mentee_id=mentee.id,
        mentor_email=people[0].email or "",
        mentee_email=people[1].email or "",
        stranger_email=people[2].email or "",
        activated_at=activated_at,
    )


async def add_pair(database: Database, world: PairWorld) -> tuple[int, str, str]:
    """Another ACTIVE pair in the world's program: its id and its mentor's and mentee's emails."""
    async with database.transaction() as session:
        people = [await create_employee(session, world.tenant) for _ in range(2)]
        program = await session.get_one(Program, world.program_id)
        mentor = await enrol(session, program, people[0], ParticipantRole.MENTOR)
        mentee = await enrol(session, program, people[1], ParticipantRole.MENTEE)
        pair = await create_pair(
            session, mentor, mentee, PairStatus.ACTIVE, activated_at=world.activated_at
        )
    return pair.id, people[0].email or "", people[1].email or ""


async def add_sessions(database: Database, pair_id: int, count: int) -> list[int]:
    """`count` held sessions of a pair, covering both seeded topics."""
    async with database.transaction() as session:
        pair = await session.get_one(Pair, pair_id)
        topics = list(
            await session.scalars(select(Topic.id).where(Topic.tenant_id == pair.tenant_id))
        )
        rows = [
            MentoringSession(
                tenant_id=pair.tenant_id,
                pair_id=pair.id,
                starts_at=datetime.now(UTC) - timedelta(days=index + 1),
                duration_minutes=30,
                status=SessionStatus.COMPLETED,
                topics_covered=topics,
            )
            for index in range(count)
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]


async def add_feedback(
    database: Database,
    pair_id: int,
    author_id: int,
    count: int,
    rating: int = 4,
    session_id: int | None = None,
) -> None:
    """`count` rated, non-anonymous pieces of feedback by one author.

    One goes on the pair (or the given session); as the database allows one per author and
    target, each further one goes on a held session of its own.
    """
    async with database.transaction() as session:
        pair = await session.get_one(Pair, pair_id)
        targets: list[int | None] = [session_id]
        for _ in range(count - 1):
            held = MentoringSession(
                tenant_id=pair.tenant_id,
                pair_id=pair.id,
                starts_at=datetime.now(UTC),
                duration_minutes=30,
                status=SessionStatus.COMPLETED,
            )
            session.add(held)
            await session.flush()
            targets.append(held.id)
        session.add_all(
            Feedback(
                tenant_id=pair.tenant_id,
                pair_id=pair.id,
                author_id=author_id,
                session_id=target,
                usefulness=rating,
                comfort=rating,
                respect=rating,
                would_recommend=rating,
            )
            for target in targets[:count]
        )


async def pair_row(database: Database, pair_id: int) -> Pair:
    async with database.transaction(readonly=True) as session:
        return await session.get_one(Pair, pair_id)


async def add_goals(database: Database, world: PairWorld, count: int) -> None:
    """`count` mentee goals on the world's pair, about the first seeded topic."""
    async with database.transaction() as session:
        topic = await session.scalar(select(Topic.id).where(Topic.tenant_id == world.tenant.id))
        session.add_all(
            Goal(
                tenant_id=world.tenant.id,
                pair_id=world.pair_id,
                owner_id=world.mentee_id,
                owner_side=Side.MENTEE,
                topic_id=topic,
                description=f"Goal {index}",
            )
            for index in range(count)
        )
