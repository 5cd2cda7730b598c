"""Employee values in each database's own form, so 50,000 rows compare without decoding.

A sync loads stored rows raw (JSON as text, SQLite dates as text) and encodes the desired
values the same way: equal tuples mean "unchanged" at C speed. When the forms differ
(a row written by other code, say), `same` decodes and compares the values themselves,
so a formatting difference never causes a write, and a real difference is never missed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

# The columns a sync owns, in the order stored and desired value tuples use.
SYNCED_FIELDS = (
    "employee_number", "email", "display_name", "job_title", "department", "division",
    "location", "timezone", "languages", "job_level", "hire_date", "birth_year", "status",
    "terminated_at", "interests", "skills", "custom_attributes",
)  # fmt: skip
Values = tuple[Any, ...]
JSON_FIELDS = frozenset({"languages", "interests", "skills", "custom_attributes"})
DATE_FIELDS = frozenset({"hire_date"})
TIME_FIELDS = frozenset({"terminated_at"})
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime on SQLite (UTC)


_AT = {name: index for index, name in enumerate(SYNCED_FIELDS)}
JSON_AT = tuple(_AT[name] for name in ("languages", "interests", "skills", "custom_attributes"))
HIRE_AT, STATUS_AT, TERMINATED_AT = _AT["hire_date"], _AT["status"], _AT["terminated_at"]
MEMO_LIMIT = 50_000


class Codec:
    """Base form: PostgreSQL through psycopg (dates and times as objects, JSON as jsonb text)."""

    dialect = "postgresql"

    def __init__(self) -> None:
        self._texts: dict[Any, str] = {}

    quote: Callable[[str], str] = staticmethod(encode_basestring)  # a JSON string literal

    def json(self, value: Any) -> str:
        return jsonb_text(value)

    def date(self, value: date) -> Any:
        return value

    def time(self, moment: datetime) -> Any:
        """A timestamp column's stored form."""
        return moment

    def _json_text(self, value: Any) -> str:
        """JSON text, memoised: the same lists of languages and skills recur by the thousand."""
        key = (dict, tuple(value.items())) if isinstance(value, dict) else value
        try:
            return self._texts[key]
        except KeyError:
            if len(self._texts) > MEMO_LIMIT:
                self._texts.clear()
            if type(value) is tuple and all(type(item) is str for item in value):
                text = "[" + ", ".join(map(self.quote, value)) + "]"  # what json() writes, faster
            else:
                text = self.json(value)
            self._texts[key] = text
            return text
        except TypeError:  # unhashable (lists inside): no memo
            return self.json(value)

    def encode(self, name: str, value: Any) -> Any:
        """One desired value in stored form."""
        if value is None:
            return None
        if name in JSON_FIELDS:
            return self._json_text(value)
        if name in DATE_FIELDS:
            return self.date(value)
        if name in TIME_FIELDS:
            return self.time(value)
        return str(value) if name == "status" else value

    def encode_all(self, values: Values) -> Values:
        """Every synced value in stored form (the hot path: positional, no name lookups)."""
        encoded = list(values)
        for index in JSON_AT:
            encoded[index] = self._json_text(values[index])
        hired, left = values[HIRE_AT], values[TERMINATED_AT]
        encoded[HIRE_AT] = None if hired is None else self.date(hired)
        encoded[TERMINATED_AT] = None if left is None else self.time(left)
        encoded[STATUS_AT] = str(values[STATUS_AT])
        return tuple(encoded)

    def decode(self, name: str, stored: Any) -> Any:
        """One stored value as Python (for semantic comparison and diffs)."""
        if stored is None:
            return None
        if name in JSON_FIELDS and isinstance(stored, str):
            return json.loads(stored)
        return stored

    def same(self, name: str, stored: Any, wanted: Any) -> bool:
        """Equal once both are Python values (`wanted` is already in stored form)."""
        return bool(self.decode(name, stored) == self.decode(name, wanted))


class SQLiteCodec(Codec):
    """SQLite through aiosqlite: JSON, dates and times are text, as SQLAlchemy writes them."""

    dialect = "sqlite"
    quote = staticmethod(encode_basestring_ascii)

    def json(self, value: Any) -> str:
        return json.dumps(value)

    def date(self, value: date) -> Any:
        return value.isoformat()

    def time(self, moment: datetime) -> Any:
        return moment.astimezone(UTC).strftime(SQLITE_TIME)

    def decode(self, name: str, stored: Any) -> Any:
        if isinstance(stored, str) and name in DATE_FIELDS:
            return date.fromisoformat(stored)
        if isinstance(stored, str) and name in TIME_FIELDS:
            return datetime.fromisoformat(stored).replace(tzinfo=UTC)
        return super().decode(name, stored)


def codec_for(dialect: str) -> Codec:
    """The codec of a SQLAlchemy dialect name."""
    return SQLiteCodec() if dialect == "sqlite" else Codec()


def jsonb_text(value: Any) -> str:
    """JSON as PostgreSQL prints jsonb: keys by length then bytes, ", " and ": " separators."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        pairs = (f"{json.dumps(key, ensure_ascii=False)}: {jsonb_text(value[key])}" for key in keys)
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(jsonb_text(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)
