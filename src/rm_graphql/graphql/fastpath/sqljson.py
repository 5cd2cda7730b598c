"""SQL that builds GraphQL's JSON inside the database: PostgreSQL and SQLite spellings.

Every value is rendered exactly as graphql-core and Strawberry serialise it: global ids and
cursors in base64, floats as Python's `repr` (73.0, not 73), booleans as true/false.

PostgreSQL builds `json` values (json_build_object, json_agg). SQLite's parser allows only
about 18 nested function calls, so there every value is JSON *text* joined with `||`
(objects and arrays add no nesting; only lists and nullable objects do).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from enum import Enum
from typing import Any


class Kind(Enum):
    """How a column's value becomes a JSON value."""

    TEXT = "text"  # String, and enums (stored as their name)
    INT = "int"
    FLOAT = "float"
    FLOAT_TEXT = "float_text"  # a JSON number read as text (a member of a JSON column)
    BOOL = "bool"


def quote(text: str) -> str:
    """A SQL string literal (used only for names from the schema, never for input)."""
    return "'" + text.replace("'", "''") + "'"


def global_id(type_name: str, node_id: object) -> str:
    """Strawberry's relay id (a SQLite function)."""
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


def offset_cursor(offset: int) -> str:
    """Our connection cursor (a SQLite function); see graphql.relay.encode_cursor."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def float_json(value: float | str | None) -> str:
    """A float as Python's json module writes it, `null` for NULL (a SQLite function)."""
    return "null" if value is None else json.dumps(float(value))


class SqlJson:
    """The PostgreSQL spelling; SqliteJson overrides what differs."""

    is_postgres = True
    null = "NULL"

    def param(self, name: str) -> str:
        return f"%({name})s"

    def obj(self, members: Sequence[tuple[str, str]]) -> str:
        """A JSON object with the members in order (keys are response names)."""
        pairs = ", ".join(f"{quote(key)}, {value}" for key, value in members)
        return f"json_build_object({pairs})"

    def sub(self, select: str) -> str:
        """A scalar subquery whose JSON result is nested into another JSON value."""
        return f"({select})"

    def array(self, element: str, order: str) -> str:
        """The aggregate of one JSON element per row, in `order`."""
        return f"coalesce(json_agg({element} ORDER BY {order}), '[]'::json)"

    def text(self, value: str) -> str:
        """A string value (a parameter or a literal)."""
        return f"CAST({value} AS text)"

    def param_json(self, name: str) -> str:
        """A JSON document passed as a text parameter."""
        return f"CAST({self.param(name)} AS json)"

    def scalar(self, kind: Kind, column: str) -> str:
        if kind is Kind.FLOAT:
            return self.float(column)
        if kind is Kind.FLOAT_TEXT:
            return self.float(f"CAST({column} AS double precision)")
        return column

    def float(self, value: str) -> str:
        """Python's repr: PostgreSQL writes 73 for 73.0 and 1e+15 where Python writes digits."""
        return (
            f"CASE WHEN {value} = trunc({value}) AND abs({value}) < 1e16 "
            f"THEN CAST(CAST({value} AS numeric)::text || '.0' AS json) ELSE to_json({value}) END"
        )

    def global_id(self, type_name: str, column: str) -> str:
        source = f"convert_to({quote(type_name + ':')} || {column}::text, 'UTF8')"
        return f"translate(encode({source}, 'base64'), E'\\n', '')"

    def cursor(self, offset: str) -> str:
        source = f"convert_to('offset:' || ({offset})::text, 'UTF8')"
        return f"translate(encode({source}, 'base64'), E'+/\\n', '-_')"

    def least(self, *values: str) -> str:
        return f"least({', '.join(values)})"

    def greatest(self, *values: str) -> str:
        return f"greatest({', '.join(values)})"

    def boolean(self, condition: str) -> str:
        """A JSON boolean from a SQL condition."""
        return f"({condition})"

    def nullable(self, present: str, value: str) -> str:
        """`value` when the condition holds, else JSON null."""
        return f"CASE WHEN {present} THEN {value} END"

    def as_text(self, value: str) -> str:
        return f"CAST({value} AS text)"

    def json_members(self, column: str) -> str:
        """Rows (key, value) of a JSON object column, value as text."""
        return f"jsonb_each_text({column})"

    def key_order(self, column: str) -> str:
        """Order keys by code point, as Python's sorted() does."""
        return f'{column} COLLATE "C"'

    def with_actor(self, actor: str) -> str:
        """The CTE is evaluated once, not inlined where the employee id is read."""
        return f"WITH actor AS MATERIALIZED ({actor})"


class SqliteJson(SqlJson):
    """JSON text built with `||`; values are never SQL NULL (JSON null is the text `null`)."""

    is_postgres = False
    null = "'null'"

    def param(self, name: str) -> str:
        return f":{name}"

    def obj(self, members: Sequence[tuple[str, str]]) -> str:
        parts = [
            quote(("{" if index == 0 else ",") + json.dumps(key) + ":") + f" || {value}"
            for index, (key, value) in enumerate(members)
        ]
        return "(" + " || ".join(parts or ["'{'"]) + " || '}')"

    def array(self, element: str, order: str) -> str:
        return f"'[' || coalesce(group_concat({element}, ','), '') || ']'"

    def text(self, value: str) -> str:
        return f"json_quote({value})"

    def param_json(self, name: str) -> str:
        return self.param(name)

    def scalar(self, kind: Kind, column: str) -> str:
        if kind in (Kind.FLOAT, Kind.FLOAT_TEXT):
            return f"rm_float_json({column})"
        if kind is Kind.BOOL:
            return (
                f"CASE WHEN {column} IS NULL THEN 'null' WHEN {column} THEN 'true' ELSE 'false' END"
            )
        return f"json_quote({column})"

    def global_id(self, type_name: str, column: str) -> str:
        return f"('\"' || rm_global_id({quote(type_name)}, {column}) || '\"')"

    def cursor(self, offset: str) -> str:
        return f"('\"' || rm_offset_cursor({offset}) || '\"')"

    def least(self, *values: str) -> str:
        return f"min({', '.join(values)})"

    def greatest(self, *values: str) -> str:
        return f"max({', '.join(values)})"

    def boolean(self, condition: str) -> str:
        return f"CASE WHEN {condition} THEN 'true' ELSE 'false' END"

    def nullable(self, present: str, value: str) -> str:
        return f"CASE WHEN {present} THEN {value} ELSE 'null' END"

    def as_text(self, value: str) -> str:
        return value

    def json_members(self, column: str) -> str:
        return f"json_each({column})"

    def key_order(self, column: str) -> str:
        return column

    def with_actor(self, actor: str) -> str:
        return f"WITH actor AS ({actor})"


POSTGRES = SqlJson()
SQLITE = SqliteJson()

SQLITE_FUNCTIONS: tuple[tuple[str, int, Any], ...] = (
    ("rm_global_id", 2, global_id),
    ("rm_offset_cursor", 1, offset_cursor),
    ("rm_float_json", 1, float_json),
)


def for_dialect(name: str) -> SqlJson | None:
    return {"postgresql": POSTGRES, "sqlite": SQLITE}.get(name)
