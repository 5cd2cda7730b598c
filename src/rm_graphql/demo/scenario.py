"""The demo's steps, each through the same services the API and the jobs use."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import Progress
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.auth.principal import Principal, Scope
from rm_graphql.config import Settings
from rm_graphql.db import Database
from rm_graphql.demo.cohort import Volunteer, topic_specs, volunteers
from rm_graphql.jobs.worker import embedded_worker
from rm_graphql.models import MatchingRun
from rm_graphql.models.enums import (
    ConnectionKind,
    EnrolmentMode,
    ProgramStatus,
    RunStatus,
    SessionCapPolicy,
)
from rm_graphql.pairing import matching
from rm_graphql.pairing import service as pairing
from rm_graphql.people import service as people
from rm_graphql.programs import service as programs
from rm_graphql.programs.service import Invitation, ProfileChange, ProgramSpec
from rm_graphql.sync.runs import RunReport, run_direct
from rm_graphql.sync.sources import SourceConfig
from rm_graphql.tenancy.service import Actor, resolve_actor
from rm_graphql.testing.bamboohr import FakeBambooHR
from rm_graphql.testing.org import Organisation
from rm_graphql.testing.server import running_server_async

TENANT = "acme"
ADMIN = "hr.admin@acme.example"
R = TypeVar("R")
RULES = {
    "version": 1,
    "objective": "participation",
    "min_level_gap": 2,
    "default_capacity": 2,
    "exclude_reporting_line": True,
    "require_shared_language": True,
    "weights": {"topic_coverage": 40, "reverse_learning": 20, "cross_department": 10},
}


@dataclass
class Demo:
    """What the steps share: where the data lives, who acts, what was made."""

    settings: Settings
    database: Database
    console: Console
    seed: int
    program_id: int = 0
    run_id: int = 0

    async def as_actor(
        self, principal: Principal, work: Callable[..., Awaitable[R]], *args: Any
    ) -> R:
        """One unit of work as `principal`, like one GraphQL request."""
        async with self.database.transaction() as session:
            actor = await resolve_actor(session, principal)
            return await work(session, actor, *args)

    async def as_admin(self, work: Callable[..., Awaitable[R]], *args: Any) -> R:
        admin = Principal(
            tenant=TENANT, subject=ADMIN, email=ADMIN, scopes=frozenset({Scope.ADMIN})
        )
        return await self.as_actor(admin, work, *args)


def participant(email: str) -> Principal:
    return Principal(
        tenant=TENANT, subject=email, email=email, scopes=frozenset({Scope.PARTICIPANT})
    )


async def sync_hris(demo: Demo, employees: int) -> RunReport:
    """Serve a fake BambooHR on loopback and sync it over real HTTP with its API key."""
    fake = FakeBambooHR(Organisation(seed=demo.seed, size=employees), company=TENANT)
    async with running_server_async(fake.app) as base_url:
        credentials = fake.credentials(base_url)
        config = SourceConfig(
            kind=ConnectionKind.BAMBOOHR,
            base_url=credentials["api_base"],
            credentials={"api_key": credentials["api_key"]},
        )
        return await run_direct(demo.database, demo.settings, TENANT, config, requested_by="demo")


async def create_program(demo: Demo) -> list[Volunteer]:
    """Topics, the program, open enrolment, and who volunteers."""
    await demo.as_admin(people.upsert_topics, topic_specs())
    spec = ProgramSpec(
        name="Reverse mentoring 2027: digital fluency for leaders",
        description="Juniors mentor leaders on AI, data and social media; "
        "leaders teach business back.",
        objectives=["Leaders use AI tools weekly", "Keep young talent", "Cross-department trust"],
        kpi_targets={"participation": 0.6, "satisfaction": 4.2, "retention_12m": 0.9},
        enrolment_mode=EnrolmentMode.INVITE_ONLY,
        session_cap_minutes=30,
        session_cap_policy=SessionCapPolicy.FLAG,
        cadence_days=7,
    )
    program = await demo.as_admin(programs.create_program, spec)
    demo.program_id = program.id
    await demo.as_admin(_set_rules, program.id)
    await demo.as_admin(programs.transition_program, program.id, ProgramStatus.ENROLLING, "launch")
    async with demo.database.transaction() as session:
        tenant_id = (await resolve_actor(session, participant(ADMIN))).tenant_id
        return await volunteers(session, tenant_id, demo.seed)


async def _set_rules(session: AsyncSession, actor: Actor, program_id: int) -> None:
    program = await programs.program_for_update(session, actor, program_id)
    program.matching_rules = dict(RULES)


async def enrol(demo: Demo, cohort: list[Volunteer], progress: Progress) -> dict[int, str]:
    """The admin invites; each person consents and states what they teach and want to learn.

    Returns each participant's email (by participant id), to act as them later.
    """
    invitations = [Invitation(v.employee_id, v.role, capacity=2) for v in cohort]
    invited = await demo.as_admin(programs.invite, demo.program_id, invitations)
    task = progress.add_task("Enrolling volunteers", total=len(cohort))
    for volunteer, row in zip(cohort, invited, strict=True):
        who = participant(volunteer.email)
        await demo.as_actor(who, programs.enroll, demo.program_id, volunteer.role, True)
        change = ProfileChange(teach_topics=volunteer.teach, learn_topics=volunteer.learn)
        await demo.as_actor(who, programs.update_profile, row.id, change)
        progress.advance(task)
    return {row.id: volunteer.email for volunteer, row in zip(cohort, invited, strict=True)}


async def run_matching(demo: Demo) -> MatchingRun:
    """Queue the run through the job layer, as runMatching does, and wait for the worker."""
    await demo.as_admin(programs.transition_program, demo.program_id, ProgramStatus.MATCHING, None)
    async with embedded_worker(demo.settings, demo.database, run_worker=True) as queue:
        run = await demo.as_admin(matching.request_run, queue, demo.program_id, demo.seed)
        demo.run_id = run.id
        while True:
            async with demo.database.transaction(readonly=True) as session:
                current = await session.get_one(MatchingRun, run.id)
            if current.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
                return current
            await asyncio.sleep(0.2)


async def publish_and_accept(demo: Demo, email_of: dict[int, str]) -> list[int]:
    """Publish the drafts; both people accept each pair; the program goes live."""
    pairs = await demo.as_admin(pairing.publish, None, demo.program_id, demo.run_id)
    for pair in pairs:
        for side in (pair.mentor_id, pair.mentee_id):
            await demo.as_actor(participant(email_of[side]), pairing.respond, pair.id, True, None)
    await demo.as_admin(
        programs.transition_program, demo.program_id, ProgramStatus.ACTIVE, "pairs published"
    )
    return [pair.id for pair in pairs]
