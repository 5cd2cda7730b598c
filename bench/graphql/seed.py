"""The benchmark's data, written through the service's own tables into a throwaway database.

5,000 employees; one program with 1,000 participants (500 mentors, 500 mentees) and 500
published ACTIVE pairs; a second tenant with its own program, so tenant scoping has rows to
exclude.
"""

from __future__ import annotations

import random
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, create_engine, insert
from sqlalchemy.engine import make_url

from rm_graphql import migrate
from rm_graphql.config import normalise_database_url
from rm_graphql.models import Employee, Pair, Participant, Program, Tenant
from rm_graphql.testing.databases import throwaway_postgres

EMPLOYEES = 5_000
PAIRS = 500
TENANT = "bench"
OTHER_TENANT = "bench-other"
DEPARTMENTS = ("Sales", "Finance", "Engineering", "People", "Legal", "Marketing", "Operations")
TITLES = ("Analyst", "Engineer", "Director", "Manager", "Associate", "Vice President")
CRITERIA = ("topic_coverage", "level_gap", "availability", "wishes")


@dataclass(frozen=True)
class Fixture:
    """What the queries need to know about the seeded data."""

    database_url: str
    program_id: int
    me_employee_id: int
    me_email: str
    pairs: int


def throwaway_database(server_url: str) -> AbstractContextManager[str]:
    """A fresh database on the server, dropped on exit; its URL keeps the server's spelling
    (PostGraphile reads it as a libpq URL)."""
    return throwaway_postgres(server_url, "rm_bench")


def sync_url(database_url: str) -> str:
    """The same database through a synchronous driver (psycopg, or the standard sqlite3)."""
    url = make_url(normalise_database_url(database_url))
    driver = "sqlite" if url.get_backend_name() == "sqlite" else "postgresql+psycopg"
    return url.set(drivername=driver).render_as_string(hide_password=False)


def seed(database_url: str) -> Fixture:
    """Migrate to head and insert the data set; returns what the queries refer to."""
    migrate.upgrade(normalise_database_url(database_url))
    engine = create_engine(sync_url(database_url))
    with engine.begin() as connection:
        program_id, employee_ids = _tenant(connection, TENANT, EMPLOYEES, PAIRS)
        _tenant(connection, OTHER_TENANT, 200, 50)
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return Fixture(database_url, program_id, employee_ids[0], _email(TENANT, 0), PAIRS)


def _tenant(connection: Connection, slug: str, people: int, pairs: int) -> tuple[int, list[int]]:
    tenant_id = _ids(connection, Tenant, [{"slug": slug, "name": slug.title()}])[0]
    program_id = _ids(connection, Program, [_program(tenant_id, slug)])[0]
    employees = _ids(connection, Employee, [_employee(tenant_id, slug, i) for i in range(people)])
    participants = _ids(
        connection,
        Participant,
        [_participant(tenant_id, program_id, employees[i], i < pairs) for i in range(2 * pairs)],
    )
    rows = [
        _pair(tenant_id, program_id, participants[i], participants[pairs + i], i)
        for i in range(pairs)
    ]
    _ids(connection, Pair, rows)
    return program_id, employees


def _ids(connection: Connection, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    result = connection.execute(
        insert(model).returning(model.id, sort_by_parameter_order=True), rows
    )
    return list(result.scalars())


def _email(slug: str, index: int) -> str:
    return f"person{index}@{slug}.example"


def _program(tenant_id: int, slug: str) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "name": f"Reverse mentoring {slug}",
        "description": "Juniors teach seniors digital tools.",
        "status": "ACTIVE",
        "enrolment_mode": "INVITE_ONLY",
    }


def _employee(tenant_id: int, slug: str, index: int) -> dict[str, Any]:
    rng = random.Random(index)
    return {
        "tenant_id": tenant_id,
        "source": "bench",
        "external_id": f"E{index:05d}",
        "display_name": f"Person {index:05d}",
        "email": _email(slug, index),
        "job_title": rng.choice(TITLES),
        "department": rng.choice(DEPARTMENTS),
        "job_level": rng.randint(1, 9),
        "status": "ACTIVE",
    }


def _participant(tenant_id: int, program_id: int, employee_id: int, mentor: bool) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "program_id": program_id,
        "employee_id": employee_id,
        "role": "MENTOR" if mentor else "MENTEE",
        "status": "ENROLLED",
        "capacity": 1,
        "assigned_count": 1 if mentor else 0,
    }


def _pair(tenant_id: int, program_id: int, mentor: int, mentee: int, index: int) -> dict[str, Any]:
    rng = random.Random(10_000 + index)
    breakdown = {name: round(rng.uniform(0, 30), 2) for name in rng.sample(CRITERIA, 2)}
    now = datetime.now(UTC)
    return {
        "tenant_id": tenant_id,
        "program_id": program_id,
        "mentor_id": mentor,
        "mentee_id": mentee,
        "status": "ACTIVE",
        "score": round(sum(breakdown.values()), 2),
        "score_breakdown": breakdown,
        "published_at": now,
        "activated_at": now,
    }
