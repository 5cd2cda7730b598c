"""SQL that builds GraphQL's JSON inside the database: PostgreSQL and SQLite spellings.

Every value is rendered exactly as graphql-core and Strawberry would serialise it: global ids
and cursors in base64, floats as Python's `repr` (73.0, not 73), booleans as true/false.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Kind(Enum):
    """How a column's value becomes a JSON value."""

    TEXT = "text"  # String, and enums (stored as their name)
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"


def quote(text: str) -> str:
    """A SQL string literal (used only for names from the schema, never for input)."""
    return "'" + text.replace("'", "''") + "'"


def global_id(type_name: str, node_id: object) -> str:
    """Strawberry's relay id (the SQLite function)."""
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


def offset_cursor(offset: int) -> str:
    """Our connection cursor (the SQLite function); see graphql.relay.encode_cursor."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def float_json(value: float | None) -> str | None:
    """A float as Python's json module writes it (the SQLite function)."""
    return None if value is None else json.dumps(float(value))


@dataclass(frozen=True)
class SqlJson:
    """The spellings that differ between the two dialects."""

    name: str

    @property
    def is_postgres(self) -> bool:
        return self.name == "postgresql"

    def param(self, name: str) -> str:
        return f"%({name})s" if self.is_postgres else f":{name}"

    def obj(self, members: Sequence[tuple[str, str]]) -> str:
        """A JSON object with the members in order (keys are response names)."""
        function = "json_build_object" if self.is_postgres else "json_object"
        return f"{function}({', '.join(f'{quote(key)}, {value}' for key, value in members)})"

    def sub(self, select: str) -> str:
        """A scalar subquery whose JSON result is nested into another JSON value."""
        return f"({select})" if self.is_postgres else f"json(({select}))"

    def array(self, element: str, order: str) -> str:
        """The aggregate of one JSON element per row, in `order` (SQLite: the FROM's order)."""
        if self.is_postgres:
            return f"coalesce(json_agg({element} ORDER BY {order}), '[]'::json)"
        return f"json_group_array(json({element}))"

    def literal_json(self, text: str) -> str:
        """A constant JSON value such as `[]` or `"Pair"`."""
        return f"CAST({quote(text)} AS json)" if self.is_postgres else f"json({quote(text)})"

    def param_json(self, name: str) -> str:
        """A JSON document passed as a text parameter."""
        placeholder = self.param(name)
        return f"CAST({placeholder} AS json)" if self.is_postgres else f"json({placeholder})"

    def scalar(self, kind: Kind, column: str) -> str:
        if kind is Kind.FLOAT:
            return self.float(column)
        if kind is Kind.BOOL and not self.is_postgres:
            return f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} THEN json('true') ELSE json('false') END"
        return column

    def float(self, value: str) -> str:
        """Python's repr: PostgreSQL writes 73 for 73.0 and 1e+15 where Python writes digits."""
        if not self.is_postgres:
            return f"json(rm_float_json({value}))"
        return (
            f"CASE WHEN {value} = trunc({value}) AND abs({value}) < 1e16 "
            f"THEN CAST(CAST({value} AS numeric)::text || '.0' AS json) ELSE to_json({value}) END"
        )

    def text_float(self, value: str) -> str:
        """A JSON number held as text (a JSON column's member) read as a float."""
        if self.is_postgres:
            return self.float(f"CAST({value} AS double precision)")
        return f"json(rm_float_json({value}))"

    def global_id(self, type_name: str, column: str) -> str:
        if not self.is_postgres:
            return f"rm_global_id({quote(type_name)}, {column})"
        source = f"convert_to({quote(type_name + ':')} || {column}::text, 'UTF8')"
        return f"translate(encode({source}, 'base64'), E'\\n', '')"

    def cursor(self, offset: str) -> str:
        if not self.is_postgres:
            return f"rm_offset_cursor({offset})"
        source = f"convert_to('offset:' || ({offset})::text, 'UTF8')"
        return f"translate(encode({source}, 'base64'), E'+/\\n', '-_')"

    def least(self, *values: str) -> str:
        return f"{'least' if self.is_postgres else 'min'}({', '.join(values)})"

    def greatest(self, *values: str) -> str:
        return f"{'greatest' if self.is_postgres else 'max'}({', '.join(values)})"

    def boolean(self, condition: str) -> str:
        """A JSON boolean from a SQL condition."""
        if self.is_postgres:
            return f"({condition})"
        return f"CASE WHEN {condition} THEN json('true') ELSE json('false') END"

    def as_text(self, value: str) -> str:
        return f"CAST({value} AS text)" if self.is_postgres else value

    def json_members(self, column: str) -> str:
        """Rows (key, value) of a JSON object column, value as text."""
        if self.is_postgres:
            return f"jsonb_each_text({column})"
        return f"json_each({column})"

    def key_order(self, column: str) -> str:
        """Order keys by code point, as Python's sorted() does."""
        return f'{column} COLLATE "C"' if self.is_postgres else column


POSTGRES = SqlJson("postgresql")
SQLITE = SqlJson("sqlite")

SQLITE_FUNCTIONS: tuple[tuple[str, int, Any], ...] = (
    ("rm_global_id", 2, global_id),
    ("rm_offset_cursor", 1, offset_cursor),
    ("rm_float_json", 1, float_json),
)


def for_dialect(name: str) -> SqlJson | None:
    return {"postgresql": POSTGRES, "sqlite": SQLITE}.get(name)
