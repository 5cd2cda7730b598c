"""Employee values in each database's own form, so 50,000 rows compare without decoding.

A sync loads stored rows raw (JSON as text, SQLite dates as text) and encodes the desired
values the same way: equal tuples mean "unchanged" at C speed. When the forms differ
(a row written by other code, say), `same` decodes and compares the values themselves,
so a formatting difference never causes a write, and a real difference is never missed.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from rm_graphql.sync.plan import SYNCED_FIELDS, Values

JSON_FIELDS = frozenset({"languages", "interests", "skills", "custom_attributes"})
DATE_FIELDS = frozenset({"hire_date"})
TIME_FIELDS = frozenset({"terminated_at"})
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime on SQLite (UTC)


class Codec:
    """Base form: PostgreSQL through psycopg (dates and times as objects, JSON as jsonb text)."""

    dialect = "postgresql"

    def encode(self, name: str, value: Any) -> Any:
        """One desired value in stored form."""
        if value is None:
            return None
        if name in JSON_FIELDS:
            return jsonb_text(value)
        if name == "status":
            return str(value)
        return value

    def decode(self, name: str, stored: Any) -> Any:
        """One stored value as Python (for semantic comparison and diffs)."""
        if stored is None:
            return None
        if name in JSON_FIELDS and isinstance(stored, str):
            return json.loads(stored)
        return stored

    def time(self, moment: datetime) -> Any:
        """A timestamp column's stored form."""
        return moment

    def encode_all(self, values: Values) -> Values:
        return tuple(
            self.encode(name, value) for name, value in zip(SYNCED_FIELDS, values, strict=True)
        )

    def decode_all(self, stored: Values) -> Values:
        return tuple(
            self.decode(name, value) for name, value in zip(SYNCED_FIELDS, stored, strict=True)
        )

    def same(self, name: str, stored: Any, wanted: Any) -> bool:
        """Equal once both are Python values (`wanted` is already in stored form)."""
        return bool(self.decode(name, stored) == self.decode(name, wanted))


class SQLiteCodec(Codec):
    """SQLite through aiosqlite: JSON, dates and times are text, as SQLAlchemy writes them."""

    dialect = "sqlite"

    def encode(self, name: str, value: Any) -> Any:
        if value is None:
            return None
        if name in JSON_FIELDS:
            return json.dumps(value)
        if name in DATE_FIELDS:
            return value.isoformat()
        if name in TIME_FIELDS:
            return self.time(value)
        if name == "status":
            return str(value)
        return value

    def decode(self, name: str, stored: Any) -> Any:
        if isinstance(stored, str) and name in DATE_FIELDS:
            return date.fromisoformat(stored)
        if isinstance(stored, str) and name in TIME_FIELDS:
            return datetime.fromisoformat(stored).replace(tzinfo=UTC)
        return super().decode(name, stored)

    def time(self, moment: datetime) -> Any:
        return moment.astimezone(UTC).strftime(SQLITE_TIME)


def codec_for(dialect: str) -> Codec:
    """The codec of a SQLAlchemy dialect name."""
    return SQLiteCodec() if dialect == "sqlite" else Codec()


def jsonb_text(value: Any) -> str:
    """JSON as PostgreSQL prints jsonb: keys by length then bytes, ", " and ": " separators."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        inner = ", ".join(f"{json.dumps(key, ensure_ascii=False)}: {jsonb_text(value[key])}" for key in keys)
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(jsonb_text(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)
