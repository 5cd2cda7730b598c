"""The in-process floor: graphql-core executing the same operation on the same data in memory.

No HTTP, no database, no authorisation: plain dicts under default resolvers. What any server
that resolves each field in Python pays at least per request.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from graphql import build_schema, execute, parse
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.graphql.queries import PAGE

SDL = """
type Query { program(id: ID!): Program }
type Program { name: String! pairs(first: Int, after: String): PairConnection! }
type PairConnection { nodes: [Pair!]! }
type Pair { score: Float! status: PairStatus! mentor: Participant! mentee: Participant! }
enum PairStatus { PROPOSED ACTIVE DECLINED COMPLETED CANCELLED CONCLUDED_IDLE }
type Participant { employee: Employee! }
type Employee { displayName: String! email: String jobTitle: String department: String }
"""

PAIRS_SQL = """
SELECT p.score, p.status,
       me.display_name, me.email, me.job_title, me.department,
       ee.display_name, ee.email, ee.job_title, ee.department
FROM pairs p
JOIN participants mr ON mr.id = p.mentor_id JOIN employees me ON me.id = mr.employee_id
JOIN participants mt ON mt.id = p.mentee_id JOIN employees ee ON ee.id = mt.employee_id
WHERE p.program_id = :program ORDER BY p.score DESC, p.id LIMIT :limit
"""


@dataclass(frozen=True)
class Floor:
    execute_ms: float
    encode_ms: float
    leaf_fields: int


def _employee(row: Any, offset: int) -> dict[str, Any]:
    keys = ("displayName", "email", "jobTitle", "department")
    return {"employee": {key: row[offset + i] for i, key in enumerate(keys)}}


def load_root(database_url: str, program_id: int) -> dict[str, Any]:
    """The program's first page of pairs with both people, as plain dicts."""
    engine = create_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    with engine.connect() as connection:
        name = connection.execute(
            text("SELECT name FROM programs WHERE id = :id"), {"id": program_id}
        ).scalar_one()
        rows = connection.execute(text(PAIRS_SQL), {"program": program_id, "limit": PAGE}).all()
    engine.dispose()
    nodes = [
        {"score": r[0], "status": r[1], "mentor": _employee(r, 2), "mentee": _employee(r, 6)}
        for r in rows
    ]
    return {"program": {"name": name, "pairs": {"nodes": nodes}}}


def _leaves(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_leaves(item) for item in value.values())
    if isinstance(value, list):
        return sum(_leaves(item) for item in value)
    return 1


def measure(query: str, variables: dict[str, Any], root: dict[str, Any], runs: int) -> Floor:
    """Best of `runs`: graphql-core execution, and json encoding of its result."""
    schema, document = build_schema(SDL), parse(query)
    best_execute = best_encode = float("inf")
    data: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        result = execute(schema, document, root_value=root, variable_values=variables)
        middle = time.perf_counter()
        json.dumps({"data": result.data})
        finished = time.perf_counter()
        assert not result.errors, result.errors
        data = result.data
        best_execute = min(best_execute, middle - started)
        best_encode = min(best_encode, finished - middle)
    return Floor(best_execute * 1000, best_encode * 1000, _leaves(data))
