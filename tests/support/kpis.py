"""A committed program whose every KPI is known in advance.

The known world (each figure is asserted in tests/graphql/test_kpis.py):
- mentors M1-M4 (Gen Z, level 2-3, enrolled 400 days ago; M3 left 180 days later), mentees
  S1-S4 (Gen X, one Millennial), I1 invited only, W1 withdrawn;
- non-participants P1-P8: P1-P3 compare with M1 and M2, P4-P6 with M3, P7 and P8 with nobody;
- pairs: M1-S1 and M2-S2 active, M3-S3 completed, M4-S4 declined, plus an unpublished draft;
- sessions in three of the last four whole months, feedback from five people, goals, skill
  self-assessments, and a second program of one pair for the tenant roll-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import to_base64

from rm_graphql.db import Database
from rm_graphql.models import (
    Employee,
    Feedback,
    Goal,
    MentoringSession,
    Pair,
    Participant,
    Program,
    SkillAssessment,
    Tenant,
    Topic,
)
from rm_graphql.models.enums import (
    AssessmentPhase,
    EmployeeStatus,
    EnrolmentMode,
    GoalStatus,
    PairStatus,
    ParticipantRole,
    ParticipantStatus,
    SessionCapPolicy,
    SessionStatus,
    Side,
)
from tests.support.api import Api, new_tenant
from tests.support.people import create_employee, create_tenant, create_topic
from tests.support.programs import create_pair, create_program, enrol

MENTOR, MENTEE = ParticipantRole.MENTOR, ParticipantRole.MENTEE


@dataclass
class KpiWorld:
    slug: str
    program_id: int
    other_program_id: int
    month_starts: list[date]
    emails: dict[str, str]

    @property
    def program(self) -> str:
        return to_base64("Program", self.program_id)

    def reader(self, api: Api, scope: str = "rm:kpi") -> str:
        return api.token(self.slug, f"{scope.replace(':', '-')}@example.com", scope)

    def participant(self, api: Api, name: str = "M1") -> str:
        return api.token(self.slug, self.emails[name], "rm:participant")


def month_starts(now: datetime, back: int = 6, count: int = 4) -> list[date]:
    """The first days of `count` consecutive months, starting `back` months before now's."""
    index = now.year * 12 + now.month - 1 - back
    return [date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(count)]


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


PEOPLE: dict[str, dict[str, Any]] = {
    "M1": {"department": "Engineering", "job_level": 2, "hired": 2020, "born": 1999},
    "M2": {"department": "Engineering", "job_level": 3, "hired": 2020, "born": 1998},
    "M3": {"department": "Sales", "job_level": 2, "hired": 2020, "born": 2000, "left": 180},
    "M4": {"department": "Sales", "job_level": 2, "hired": 2021, "born": 1997},
    "S1": {"department": "Finance", "job_level": 8, "hired": 2010, "born": 1968},
    "S2": {"department": "Finance", "job_level": 8, "hired": 2010, "born": 1970},
    "S3": {"department": "Sales", "job_level": 8, "hired": 2010, "born": 1975},
    "S4": {"department": "Engineering", "job_level": 8, "hired": 2010, "born": 1985},
    "I1": {"department": "Finance", "job_level": 7, "hired": 2012, "born": 1972},
    "W1": {"department": "Finance", "job_level": 7, "hired": 2012, "born": 1971},
    "P1": {"department": "Engineering", "job_level": 2, "hired": 2020, "born": 1999},
    "P2": {"department": "Engineering", "job_level": 3, "hired": 2020, "born": 1999},
    "P3": {"department": "Engineering", "job_level": 2, "hired": 2020, "born": 1999, "left": 90},
    "P4": {"department": "Sales", "job_level": 3, "hired": 2020, "born": 1999},
    "P5": {"department": "Sales", "job_level": 2, "hired": 2020, "born": 1999, "left": 60},
    "P6": {"department": "Sales", "job_level": 2, "hired": 2020, "born": 1999, "left": 150},
    "P7": {"department": "Sales", "job_level": 2, "hired": 2019, "born": 1999},
    "P8": {"department": "Engineering", "job_level": 2, "hired": 2020, "born": 1999, "left": -60},
    "X1": {"department": "Legal", "job_level": 2, "hired": 2022, "born": 2001},
    "X2": {"department": "Legal", "job_level": 9, "hired": 2005, "born": 1960},
}
ANCHOR_DAYS_AGO = 400


async def _people(
    session: AsyncSession, tenant: Tenant, slug: str, now: datetime
) -> dict[str, Employee]:
    anchor = now - timedelta(days=ANCHOR_DAYS_AGO)
    people = {}
    for name, spec in PEOPLE.items():
        left = spec.get("left")
        people[name] = await create_employee(
            session,
            tenant,
            email=f"{name.lower()}@{slug}.example",
            department=spec["department"],
            job_level=spec["job_level"],
            hire_date=date(spec["hired"], 3, 1),
            birth_year=spec["born"],
            status=EmployeeStatus.ACTIVE if left is None else EmployeeStatus.TERMINATED,
            terminated_at=None if left is None else anchor + timedelta(days=left),
        )
    return people


async def _participants(
    session: AsyncSession, program: Program, people: dict[str, Employee], now: datetime
) -> dict[str, Participant]:
    def days_ago(days: int) -> datetime:
        return now - timedelta(days=days)

    invited = days_ago(420)
    plan: dict[str, dict[str, Any]] = {
        "M1": {"role": MENTOR, "invited_at": invited, "enrolled_at": days_ago(400)},
        "M2": {"role": MENTOR, "invited_at": invited, "enrolled_at": days_ago(400)},
        "M3": {"role": MENTOR, "enrolled_at": days_ago(400)},
        "M4": {"role": MENTOR, "enrolled_at": days_ago(400)},
        "S1": {"role": MENTEE, "invited_at": invited, "enrolled_at": days_ago(100)},
        "S2": {"role": MENTEE, "invited_at": invited, "enrolled_at": days_ago(80)},
        "S3": {"role": MENTEE, "enrolled_at": days_ago(230)},
        "S4": {"role": MENTEE, "enrolled_at": days_ago(50)},
        "I1": {"role": MENTEE, "invited_at": invited, "status": ParticipantStatus.INVITED},
        "W1": {
            "role": MENTEE,
            "invited_at": invited,
            "enrolled_at": days_ago(300),
            "status": ParticipantStatus.WITHDRAWN,
        },
    }
    return {
        name: await enrol(session, program, people[name], fields.pop("role"), **fields)
        for name, fields in plan.items()
    }


async def _pairs(
    session: AsyncSession, who: dict[str, Participant], now: datetime
) -> dict[str, Pair]:
    def days_ago(days: int) -> datetime:
        return now - timedelta(days=days)

    published = days_ago(210)
    return {
        "a": await create_pair(
            session, who["M1"], who["S1"], PairStatus.ACTIVE,
            published_at=published, activated_at=days_ago(90),
        ),
        "b": await create_pair(
            session, who["M2"], who["S2"], PairStatus.ACTIVE,
            published_at=published, activated_at=days_ago(60),
        ),
        "c": await create_pair(
            session, who["M3"], who["S3"], PairStatus.COMPLETED,
            published_at=published, activated_at=days_ago(200), ended_at=days_ago(20),
        ),
        "d": await create_pair(
            session, who["M4"], who["S4"], PairStatus.DECLINED,
            published_at=published, ended_at=days_ago(5),
        ),
        "draft": await create_pair(session, who["M4"], who["S4"], PairStatus.PROPOSED),
    }  # fmt: skip


# (pair, month index, minutes) of the nine held sessions: month 0 from three pairs, month 1
# from two, month 2 none, month 3 from one.
SESSION_PLAN = [
    ("a", 0, 30), ("a", 0, 30), ("b", 0, 30), ("c", 0, 20),
    ("a", 1, 30), ("a", 1, 30), ("c", 1, 20), ("c", 1, 20),
    ("b", 3, 45),
]  # fmt: skip


def session_starts(months: list[date]) -> list[tuple[str, datetime]]:
    """When each planned session was held, with its pair."""
    return [
        (key, at(months[month] + timedelta(days=index % 5 + 2), 9 + index))
        for index, (key, month, _minutes) in enumerate(SESSION_PLAN)
    ]


def _sessions(pairs: dict[str, Pair], months: list[date]) -> list[MentoringSession]:
    rows = [
        MentoringSession(
            tenant_id=pairs[key].tenant_id,
            pair_id=pairs[key].id,
            starts_at=starts_at,
            duration_minutes=minutes,
            status=SessionStatus.COMPLETED,
            over_cap=minutes > 30,
        )
        for (key, starts_at), (_key, _month, minutes) in zip(
            session_starts(months), SESSION_PLAN, strict=True
        )
    ]
    for key, status in (("a", SessionStatus.CANCELLED), ("b", SessionStatus.SCHEDULED)):
        rows.append(
            MentoringSession(
                tenant_id=pairs[key].tenant_id,
                pair_id=pairs[key].id,
                starts_at=at(months[2]),
                duration_minutes=90,
                status=status,
            )
        )
    return rows


def _feedback(pairs: dict[str, Pair], who: dict[str, Participant]) -> list[Feedback]:
    ratings = [
        ("a", "M1", (5, 5, 5, 5)),
        ("a", "S1", (4, 4, 5, 5)),
        ("b", "M2", (3, 4, 4, 3)),
        ("b", "S2", (4, 3, 4, 2)),
        ("c", "S3", (5, 5, 5, 5)),
    ]
    rows = [
        Feedback(
            tenant_id=pairs[key].tenant_id,
            pair_id=pairs[key].id,
            author_id=who[author].id,
            usefulness=u,
            comfort=c,
            respect=r,
            would_recommend=w,
            anonymous=author == "S2",
        )
        for key, author, (u, c, r, w) in ratings
    ]
    concern = Feedback(
        tenant_id=pairs["c"].tenant_id,
        pair_id=pairs["c"].id,
        author_id=who["M3"].id,
        comment="Raised voice",
        is_concern=True,
        usefulness=1,
    )
    return [*rows, concern]


def _goals(pairs: dict[str, Pair], who: dict[str, Participant]) -> list[Goal]:
    plan = [
        ("a", "S1", Side.MENTEE, GoalStatus.ACHIEVED),
        ("a", "S1", Side.MENTEE, GoalStatus.IN_PROGRESS),
        ("a", "M1", Side.MENTOR, GoalStatus.ACHIEVED),
        ("b", "S2", Side.MENTEE, GoalStatus.ACHIEVED),
        ("b", "M2", Side.MENTOR, GoalStatus.OPEN),
        ("c", "S3", Side.MENTEE, GoalStatus.ABANDONED),
    ]
    return [
        Goal(
            tenant_id=pairs[key].tenant_id,
            pair_id=pairs[key].id,
            owner_id=who[owner].id,
            owner_side=side,
            description=f"{owner} goal {index}",
            status=status,
            progress=100 if status is GoalStatus.ACHIEVED else 40,
        )
        for index, (key, owner, side, status) in enumerate(plan)
    ]


def _assessments(
    topics: dict[str, Topic], who: dict[str, Participant], now: datetime
) -> list[SkillAssessment]:
    plan = [
        ("S1", "ai", 2, 4), ("S2", "ai", 1, 3), ("S3", "ai", 2, 3),
        ("M1", "strategy", 2, 3), ("M2", "strategy", 3, 4),
        ("S4", "data", 2, None),
    ]  # fmt: skip
    rows = []
    for name, slug, before, after in plan:
        for phase, level in ((AssessmentPhase.PRE, before), (AssessmentPhase.POST, after)):
            if level is not None:
                rows.append(
                    SkillAssessment(
                        tenant_id=who[name].tenant_id,
                        participant_id=who[name].id,
                        topic_id=topics[slug].id,
                        phase=phase,
                        level=level,
                        assessed_at=now,
                    )
                )
    return rows


async def _second_program(
    session: AsyncSession, tenant: Tenant, people: dict[str, Employee], months: list[date]
) -> Program:
    """One more program in the tenant: one active pair that met once."""
    program = await create_program(session, tenant, name="Second wave")
    mentor = await enrol(session, program, people["X1"], MENTOR)
    mentee = await enrol(session, program, people["X2"], MENTEE)
    now = datetime.now(UTC)
    pair = await create_pair(
        session, mentor, mentee, PairStatus.ACTIVE, published_at=now, activated_at=now
    )
    session.add(
        MentoringSession(
            tenant_id=tenant.id,
            pair_id=pair.id,
            starts_at=at(months[0] + timedelta(days=3)),
            duration_minutes=25,
            status=SessionStatus.COMPLETED,
        )
    )
    return program


async def seed_kpi_world(database: Database) -> KpiWorld:
    slug, now = new_tenant(), datetime.now(UTC)
    months = month_starts(now)
    async with database.transaction() as session:
        tenant = await create_tenant(session, slug)
        people = await _people(session, tenant, slug, now)
        topics = {s: await create_topic(session, tenant, s) for s in ("ai", "strategy", "data")}
        program = await create_program(
            session,
            tenant,
            enrolment_mode=EnrolmentMode.OPEN,
            session_cap_policy=SessionCapPolicy.FLAG,
        )
        who = await _participants(session, program, people, now)
        pairs = await _pairs(session, who, now)
        session.add_all(_sessions(pairs, months))
        session.add_all(_feedback(pairs, who))
        session.add_all(_goals(pairs, who))
        session.add_all(_assessments(topics, who, now))
        other = await _second_program(session, tenant, people, months)
    emails = {name: person.email or "" for name, person in people.items()}
    return KpiWorld(slug, program.id, other.id, months, emails)
