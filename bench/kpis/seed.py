"""The KPI benchmark's data: one program with 2,000 pairs and 20,000 sessions, in bulk.

10,000 employees (mentors, mentees and a comparison population with leavers), 4,500
participants, 2,000 published pairs in every state, 20,000 sessions over 18 months, feedback
from both sides, goals for both sides, and before/after self-assessments on five topics. A
second tenant holds a small program, so tenant scoping has rows to skip. Seeded: the same every
run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, create_engine, insert
from sqlalchemy.engine import make_url

from rm_graphql import migrate
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

TENANT, OTHER_TENANT = "bench-kpis", "bench-kpis-other"
DEPARTMENTS = ("Sales", "Finance", "Engineering", "People", "Legal", "Marketing", "Operations")
TOPICS = ("generative-ai", "data-literacy", "social-media", "strategy", "leadership")
STATUSES = ["ACTIVE"] * 15 + ["COMPLETED"] * 3 + ["CONCLUDED_IDLE", "DECLINED"]


@dataclass(frozen=True)
class Size:
    pairs: int
    sessions: int

    @property
    def bystanders(self) -> int:
        return 3 * self.pairs


FULL, QUICK = Size(2_000, 20_000), Size(200, 2_000)


@dataclass(frozen=True)
class Seeded:
    program_id: int
    pairs: int
    sessions: int


def seed(database_url: str, size: Size) -> Seeded:
    """Migrate to head and insert the data set (sync driver, multi-row inserts)."""
    migrate.upgrade(database_url)
    url = make_url(database_url)
    driver = "postgresql+psycopg" if url.get_backend_name() == "postgresql" else "sqlite"
    engine = create_engine(url.set(drivername=driver))
    now = datetime.now(UTC)
    with engine.begin() as connection:
        program_id = _tenant(connection, TENANT, size, now)
        _tenant(connection, OTHER_TENANT, Size(20, 200), now)
    with engine.begin() as connection:  # committed: a rolled-back ANALYZE keeps no statistics
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return Seeded(program_id, size.pairs, size.sessions)


def _ids(connection: Connection, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    result = connection.execute(
        insert(model).returning(model.id, sort_by_parameter_order=True), rows
    )
    return list(result.scalars())


def _tenant(connection: Connection, slug: str, size: Size, now: datetime) -> int:
    rng = random.Random(slug)
    tenant = _ids(connection, Tenant, [{"slug": slug, "name": slug.title()}])[0]
    program = _ids(connection, Program, [_program(tenant, now)])[0]
    topics = _ids(connection, Topic, [_topic(tenant, slug) for slug in TOPICS])
    people = [_employee(tenant, i, size, rng, now) for i in range(2 * size.pairs + size.bystanders)]
    employees = _ids(connection, Employee, people)
    who = _participants(tenant, program, employees, size, rng, now)
    members = _ids(connection, Participant, who)
    pairs = _pairs(tenant, program, members, who, size, rng, now)
    pair_ids = _ids(connection, Pair, pairs)
    live = [(pid, row) for pid, row in zip(pair_ids, pairs, strict=True) if row["activated_at"]]
    connection.execute(insert(MentoringSession), _sessions(tenant, live, size, rng, now))
    connection.execute(insert(Feedback), _feedback(tenant, live, rng))
    connection.execute(insert(Goal), _goals(tenant, live, rng))
    connection.execute(insert(SkillAssessment), _assessments(tenant, members, topics, rng, now))
    return program


def _program(tenant: int, now: datetime) -> dict[str, Any]:
    return {
        "tenant_id": tenant,
        "name": "Digital reverse mentoring 2025-26",
        "status": "ACTIVE",
        "enrolment_mode": "OPEN",
        "session_cap_policy": "FLAG",
        "starts_on": (now - timedelta(days=560)).date(),
    }


def _topic(tenant: int, slug: str) -> dict[str, Any]:
    category = "BUSINESS" if slug in ("strategy", "leadership") else "DIGITAL_TOOLS"
    name = slug.replace("-", " ").capitalize().replace("ai", "AI")
    return {"tenant_id": tenant, "slug": slug, "name": name, "category": category}


def _employee(
    tenant: int, index: int, size: Size, rng: random.Random, now: datetime
) -> dict[str, Any]:
    """Mentors (juniors), mentees (seniors), then bystanders like the mentors (comparators)."""
    senior = size.pairs <= index < 2 * size.pairs
    hired = date(
        rng.randint(2004, 2015) if senior else rng.randint(2018, 2023), rng.randint(1, 12), 1
    )
    left = None
    if not senior and rng.random() < (0.08 if index < size.pairs else 0.2):
        left = now - timedelta(days=rng.randint(5, 500))
    return {
        "tenant_id": tenant,
        "source": "bench",
        "external_id": f"E{index:06d}",
        "display_name": f"Person {index:06d}",
        "email": f"p{index}@{tenant}.example",
        "department": rng.choice(DEPARTMENTS),
        "job_level": rng.randint(6, 10) if senior else rng.randint(1, 4),
        "hire_date": hired,
        "birth_year": rng.randint(1962, 1985) if senior else rng.randint(1993, 2003),
        "status": "ACTIVE" if left is None else "TERMINATED",
        "terminated_at": left,
    }


def _participants(
    tenant: int, program: int, employees: list[int], size: Size, rng: random.Random, now: datetime
) -> list[dict[str, Any]]:
    rows = []
    for index, employee in enumerate(employees[: 2 * size.pairs + size.pairs // 4]):
        mentor = index < size.pairs
        extra = index >= 2 * size.pairs  # invited (or withdrawn), never paired
        invited = (
            now - timedelta(days=rng.randint(520, 560)) if rng.random() < 0.6 or extra else None
        )
        status = ("WITHDRAWN" if rng.random() < 0.2 else "INVITED") if extra else "ENROLLED"
        enrolled = now - timedelta(days=rng.randint(380, 520) if mentor else rng.randint(100, 500))
        rows.append({
            "tenant_id": tenant, "program_id": program, "employee_id": employee,
            "role": "MENTOR" if mentor else "MENTEE", "status": status,
            "invited_at": invited, "enrolled_at": None if status == "INVITED" else enrolled,
            "capacity": 1, "assigned_count": 0,
        })  # fmt: skip
    return rows


def _pairs(
    tenant: int, program: int, members: list[int], who: list[dict[str, Any]], size: Size,
    rng: random.Random, now: datetime,
) -> list[dict[str, Any]]:  # fmt: skip
    """Pairs activate 5 to 60 days after the later enrolment of their two people."""
    rows = []
    for index in range(size.pairs):
        mentor, mentee = who[index], who[size.pairs + index]
        status = rng.choice(STATUSES)
        ready = max(mentor["enrolled_at"], mentee["enrolled_at"]) + timedelta(
            days=rng.randint(5, 60)
        )
        ready = min(ready, now - timedelta(days=2))
        activated = None if status == "DECLINED" else ready
        ended = None
        if status == "DECLINED":
            ended = ready + timedelta(days=2)
        elif status != "ACTIVE":
            ended = min(ready + timedelta(days=rng.randint(60, 300)), now - timedelta(days=1))
        rows.append({
            "tenant_id": tenant, "program_id": program, "mentor_id": members[index],
            "mentee_id": members[size.pairs + index], "status": status, "score": rng.random(),
            "published_at": ready - timedelta(days=rng.randint(1, 9)),
            "mentor_accepted_at": activated, "mentee_accepted_at": activated,
            "activated_at": activated, "ended_at": ended,
        })  # fmt: skip
    return rows


def _sessions(
    tenant: int,
    live: list[tuple[int, dict[str, Any]]],
    size: Size,
    rng: random.Random,
    now: datetime,
) -> list[dict[str, Any]]:
    rows = []
    for index in range(size.sessions):
        pair_id, pair = live[index % len(live)]
        start, end = pair["activated_at"], pair["ended_at"] or now
        moment = start + (end - start) * rng.random()
        rows.append({
            "tenant_id": tenant, "pair_id": pair_id, "starts_at": moment,
            "duration_minutes": rng.choice((20, 25, 30, 30, 30, 30, 30, 40, 45)),
            "status": "CANCELLED" if rng.random() < 0.05 else "COMPLETED",
            "topics_covered": [],
        })  # fmt: skip
    return rows


def _feedback(
    tenant: int, live: list[tuple[int, dict[str, Any]]], rng: random.Random
) -> list[dict[str, Any]]:
    rows = []
    for pair_id, pair in live:
        for author in (pair["mentor_id"], pair["mentee_id"]):
            if rng.random() < 0.8:
                mood = rng.choice((3, 4, 4, 5, 5))
                rows.append({
                    "tenant_id": tenant, "pair_id": pair_id, "author_id": author,
                    "usefulness": mood, "comfort": min(5, mood + rng.choice((0, 1))),
                    "respect": min(5, mood + 1), "would_recommend": rng.choice((2, 3, 4, 5, 5)),
                    "created_at": pair["activated_at"] + timedelta(days=rng.randint(14, 60)),
                    "anonymous": rng.random() < 0.3,
                })  # fmt: skip
    return rows


def _goals(
    tenant: int, live: list[tuple[int, dict[str, Any]]], rng: random.Random
) -> list[dict[str, Any]]:
    statuses = ("OPEN", "IN_PROGRESS", "ACHIEVED", "ACHIEVED", "ABANDONED")
    return [
        {
            "tenant_id": tenant, "pair_id": pair_id, "owner_id": pair[f"{side}_id"],
            "owner_side": side.upper(), "description": f"A {side} goal",
            "status": rng.choice(statuses), "progress": rng.randint(0, 100),
        }
        for pair_id, pair in live
        for side in ("mentor", "mentee")
    ]  # fmt: skip


def _assessments(
    tenant: int, members: list[int], topics: list[int], rng: random.Random, now: datetime
) -> list[dict[str, Any]]:
    rows = []
    for participant in members[: int(len(members) * 0.7)]:
        topic = topics[participant % len(topics)]
        before = rng.randint(1, 3)
        for phase, level in (("PRE", before), ("POST", min(5, before + rng.choice((0, 1, 1, 2))))):
            if phase == "PRE" or rng.random() < 0.75:
                rows.append({
                    "tenant_id": tenant, "participant_id": participant, "topic_id": topic,
                    "phase": phase, "level": level, "assessed_at": now,
                })  # fmt: skip
    return rows
