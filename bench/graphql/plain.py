"""Plain graphql-core answering the same operations from the same database, in-process.

The baseline of the sustained-load benchmark: what a bare graphql-core service spends on one
request once HTTP and authentication are taken away. Per request it parses and validates the
operation, executes it with resolvers that read the rows with plain SQL through the synchronous
driver (psycopg or sqlite3), one statement per list (no N+1), and encodes the result as JSON.
The caller is the same as ours: the tenant by slug and, for `me`, the employee by email.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLSchema, build_schema, execute, parse, validate
from sqlalchemy import Connection, create_engine, text
from strawberry.relay import from_base64

from bench.graphql.seed import TENANT, sync_url

SDL = """
type Query { program(id: ID!): Program  me: Me }
type Program { name: String! status: String! pairs(first: Int, after: String): PairConnection! }
type PairConnection { nodes: [Pair!]! }
type Pair { score: Float! status: String! mentor: Participant! mentee: Participant! }
type Participant { employee: Employee! }
type Employee { displayName: String! email: String jobTitle: String department: String }
type Me { employee: Employee! participations: [Participation!]! }
type Participation { role: String! status: String! program: Program! }
"""

PROGRAM_SQL = text(
    "SELECT p.id, p.name, p.status FROM programs p JOIN tenants t ON t.id = p.tenant_id "
    "WHERE t.slug = :tenant AND p.id = :id"
)
PAIRS_SQL = text("""
SELECT p.score, p.status,
       me.display_name, me.email, me.job_title, me.department,
       ee.display_name, ee.email, ee.job_title, ee.department
FROM pairs p
JOIN participants mr ON mr.id = p.mentor_id JOIN employees me ON me.id = mr.employee_id
JOIN participants mt ON mt.id = p.mentee_id JOIN employees ee ON ee.id = mt.employee_id
WHERE p.program_id = :program ORDER BY p.score DESC, p.id LIMIT :limit
""")
ME_SQL = text(
    "SELECT e.id, e.display_name, e.email, e.job_title, e.department FROM employees e "
    "JOIN tenants t ON t.id = e.tenant_id WHERE t.slug = :tenant AND e.email = :email"
)
PARTICIPATIONS_SQL = text(
    "SELECT pa.role, pa.status, pr.name, pr.status FROM participants pa "
    "JOIN programs pr ON pr.id = pa.program_id WHERE pa.employee_id = :employee ORDER BY pa.id"
)


def _employee(row: Any, offset: int) -> dict[str, Any]:
    keys = ("displayName", "email", "jobTitle", "department")
    return {key: row[offset + index] for index, key in enumerate(keys)}


class Resolvers:
    """Root values whose fields read the rows on demand, through one open connection."""

    def __init__(self, connection: Connection, email: str) -> None:
        self.connection, self.email = connection, email

    def program(self, _info: Any, id: str) -> dict[str, Any] | None:
        _type, node_id = from_base64(id)
        row = self.connection.execute(PROGRAM_SQL, {"tenant": TENANT, "id": int(node_id)}).first()
        if row is None:
            return None
        return {"name": row[1], "status": row[2], "pairs": self._pairs(row[0])}

    def _pairs(self, program_id: int) -> Any:
        def pairs(_info: Any, first: int = 100, after: str | None = None) -> dict[str, Any]:
            rows = self.connection.execute(PAIRS_SQL, {"program": program_id, "limit": first})
            return {"nodes": [
                {"score": float(r[0]), "status": r[1],
                 "mentor": {"employee": _employee(r, 2)}, "mentee": {"employee": _employee(r, 6)}}
                for r in rows
            ]}  # fmt: skip

        return pairs

    def me(self, _info: Any) -> dict[str, Any] | None:
        row = self.connection.execute(ME_SQL, {"tenant": TENANT, "email": self.email}).first()
        if row is None:
            return None
        employee_id = row[0]

        def participations(_info: Any) -> list[dict[str, Any]]:
            rows = self.connection.execute(PARTICIPATIONS_SQL, {"employee": employee_id})
            return [
                {"role": r[0], "status": r[1], "program": {"name": r[2], "status": r[3]}}
                for r in rows
            ]

        return {"employee": _employee(row, 1), "participations": participations}


@dataclass(frozen=True)
class Baseline:
    requests: int
    cpu_ms: float  # process CPU per request (the database's too on SQLite, which runs inside)
    wall_ms: float


class Plain:
    """A bare graphql-core service over one database connection."""

    def __init__(self, database_url: str, email: str) -> None:
        self.schema: GraphQLSchema = build_schema(SDL)
        self.engine = create_engine(sync_url(database_url))
        self.email = email

    def document(self, query: str) -> DocumentNode:
        """Parse and validate (what graphql_sync does first on every request)."""
        document = parse(query)
        errors = validate(self.schema, document)
        if errors:
            raise AssertionError(errors)
        return document

    def answer(
        self, connection: Connection, query: str | DocumentNode, variables: dict[str, Any]
    ) -> bytes:
        """One request: parse and validate unless given a document, execute, encode as JSON."""
        document = self.document(query) if isinstance(query, str) else query
        root = Resolvers(connection, self.email)
        result = execute(self.schema, document, root_value=root, variable_values=variables)
        if result.errors:
            raise AssertionError(result.errors)
        return json.dumps({"data": result.data}).encode()

    def data(self, query: str, variables: dict[str, Any]) -> Any:
        with self.engine.connect() as connection:
            return json.loads(self.answer(connection, query, variables))["data"]

    def measure(
        self, query: str, variables: dict[str, Any], seconds: float, *, cached: bool
    ) -> Baseline:
        """Answer the operation back to back for `seconds` (after a short warm-up).

        `cached`: the document is parsed and validated once, as a server with a document
        cache does (ours has one); otherwise on every request, as graphql_sync does.
        """
        operation: str | DocumentNode = self.document(query) if cached else query
        with self.engine.connect() as connection:
            for _ in range(20):
                self.answer(connection, operation, variables)
            count, cpu, wall = 0, time.process_time(), time.perf_counter()
            deadline = wall + seconds
            while time.perf_counter() < deadline:
                self.answer(connection, operation, variables)
                count += 1
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        return Baseline(count, cpu * 1000 / count, wall * 1000 / count)

    def close(self) -> None:
        self.engine.dispose()
