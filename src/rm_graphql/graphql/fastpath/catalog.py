"""The fields the compiler covers, and where each one's value lives in our tables.

Anything not listed here (or listed but changed in the schema since) runs through normal
execution. Each listed field is checked against the live schema when the fast path starts:
same return type, and no permission classes or field extensions that the SQL would skip.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from graphql import GraphQLObjectType, get_named_type
from strawberry.schema import Schema
from strawberry.types.base import StrawberryObjectDefinition

from rm_graphql.graphql.fastpath.sqljson import Kind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Column:
    """A scalar read from a column of the parent's row."""

    column: str
    kind: Kind
    returns: str


@dataclass(frozen=True)
class NodeId:
    """The relay global id of the parent's row."""

    returns: str = "ID"


@dataclass(frozen=True)
class Relation:
    """One row of `returns` (a table type) whose id is in the parent's `column`.

    rule: "tenant" (the loader's tenant scope), "program" (tenant plus who may see the program)
    or "directory" (tenant, and only for HR admins and program managers; else null).
    """

    returns: str
    column: str
    rule: str = "tenant"


@dataclass(frozen=True)
class Special:
    """A field with a compiler of its own (roots, lists, connections, JSON members)."""

    returns: str


Spec = Column | NodeId | Relation | Special

TABLES = {
    "Program": "programs",
    "Pair": "pairs",
    "Participant": "participants",
    "Employee": "employees",
}

TEXT, INT, FLOAT, BOOL = Kind.TEXT, Kind.INT, Kind.FLOAT, Kind.BOOL

SPECS: dict[str, dict[str, Spec]] = {
    "Query": {
        "program": Special("Program"),
        "me": Special("Me"),
        "myPairs": Special("Pair"),
    },
    "Me": {
        "subject": Special("String"),
        "scopes": Special("String"),
        "employee": Relation("Employee", "employee_id"),
        "participations": Special("Participant"),
    },
    "Program": {
        "id": NodeId(),
        "name": Column("name", TEXT, "String"),
        "description": Column("description", TEXT, "String"),
        "status": Column("status", TEXT, "ProgramStatus"),
        "enrolmentMode": Column("enrolment_mode", TEXT, "EnrolmentMode"),
        "sessionCapMinutes": Column("session_cap_minutes", INT, "Int"),
        "sessionCapPolicy": Column("session_cap_policy", TEXT, "SessionCapPolicy"),
        "cadenceDays": Column("cadence_days", INT, "Int"),
        "pairs": Special("PairConnection"),
    },
    "PairConnection": {
        "totalCount": Special("Int"),
        "pageInfo": Special("PageInfo"),
        "nodes": Special("Pair"),
        "edges": Special("PairEdge"),
    },
    "PageInfo": {
        "hasNextPage": Special("Boolean"),
        "hasPreviousPage": Special("Boolean"),
        "startCursor": Special("String"),
        "endCursor": Special("String"),
    },
    "PairEdge": {"cursor": Special("String"), "node": Special("Pair")},
    "Pair": {
        "id": NodeId(),
        "status": Column("status", TEXT, "PairStatus"),
        "score": Column("score", FLOAT, "Float"),
        "pinned": Column("pinned", BOOL, "Boolean"),
        "scoreBreakdown": Special("ScoreItem"),
        "mentor": Relation("Participant", "mentor_id"),
        "mentee": Relation("Participant", "mentee_id"),
        "program": Relation("Program", "program_id", "program"),
    },
    "ScoreItem": {
        "criterion": Column("key", TEXT, "String"),
        "points": Column("value", Kind.FLOAT_TEXT, "Float"),
    },
    "Participant": {
        "id": NodeId(),
        "role": Column("role", TEXT, "ParticipantRole"),
        "status": Column("status", TEXT, "ParticipantStatus"),
        "capacity": Column("capacity", INT, "Int"),
        "assignedCount": Column("assigned_count", INT, "Int"),
        "employee": Relation("Employee", "employee_id"),
        "program": Relation("Program", "program_id", "program"),
    },
    "Employee": {
        "id": NodeId(),
        "externalId": Column("external_id", TEXT, "String"),
        "source": Column("source", TEXT, "String"),
        "employeeNumber": Column("employee_number", TEXT, "String"),
        "email": Column("email", TEXT, "String"),
        "displayName": Column("display_name", TEXT, "String"),
        "jobTitle": Column("job_title", TEXT, "String"),
        "department": Column("department", TEXT, "String"),
        "division": Column("division", TEXT, "String"),
        "location": Column("location", TEXT, "String"),
        "timezone": Column("timezone", TEXT, "String"),
        "jobLevel": Column("job_level", INT, "Int"),
        "status": Column("status", TEXT, "EmployeeStatus"),
        "manager": Relation("Employee", "manager_id", "directory"),
    },
}


def _strawberry_field_is_plain(definition: StrawberryObjectDefinition | None, name: str) -> bool:
    """No permission classes or extensions on the field (the SQL would not run them)."""
    if definition is None:
        return False
    for field in definition.fields:
        if (field.graphql_name or _camel(field.python_name)) == name:
            return not field.permission_classes and not field.extensions
    return False


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def covered_fields(schema: Schema) -> dict[str, dict[str, Spec]]:
    """SPECS less any field the live schema no longer serves the same way."""
    covered: dict[str, dict[str, Spec]] = {}
    for type_name, fields in SPECS.items():
        graphql_type = schema._schema.get_type(type_name)
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        strawberry_type = schema.get_type_by_name(type_name)
        definition = (
            strawberry_type if isinstance(strawberry_type, StrawberryObjectDefinition) else None
        )
        kept: dict[str, Spec] = {}
        for name, spec in fields.items():
            field = graphql_type.fields.get(name)
            same_type = field is not None and get_named_type(field.type).name == spec.returns
            if same_type and _strawberry_field_is_plain(definition, name):
                kept[name] = spec
            else:
                logger.warning("fast path: %s.%s changed; it runs normally", type_name, name)
        covered[type_name] = kept
    return covered
