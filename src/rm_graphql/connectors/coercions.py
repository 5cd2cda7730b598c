"""Coercions for the type quirks real HRIS payloads carry (strings for numbers, zero dates)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

ZERO_DATES = frozenset({"0000-00-00", "0000-00-00 00:00:00", "0000-00-00T00:00:00"})
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "off"})
DEFAULT_SEPARATORS = (",", ";", "|", "\n")
# Keys whose value names a multi-valued item when a source sends objects (Workday, SCIM).
ITEM_KEYS = ("descriptor", "value", "display", "name", "Descriptor", "ID")
_GRADE = re.compile(r"^[^\d]*?(\d{1,3})(?:\.0+)?[^\d]*$")


class CoercionError(ValueError):
    """A value cannot be read as the type a profile asks for."""


def is_plain(text: str) -> bool:
    """True when a string needs no stripping and cannot be blank, a zero date or 'null'.

    Any Unicode space counts (str.strip removes them all: NBSP from spreadsheets, em spaces).
    """
    return bool(text) and text[0] not in "0nN" and not text[0].isspace() and not text[-1].isspace()


def is_blank(value: Any) -> bool:
    """True for the many ways sources say 'no value': None, '', zero dates, empty lists."""
    if value is None:
        return True
    if type(value) is str:
        if is_plain(value):
            return False  # fast path: cannot be empty, a zero date or 'null'
        stripped = value.strip()
        return not stripped or stripped in ZERO_DATES or stripped.lower() == "null"
    if isinstance(value, list | tuple | dict):
        return len(value) == 0
    return False


def to_text(value: Any) -> str | None:
    """Read a scalar as stripped text; integral floats lose their '.0'."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value).strip()
    if isinstance(value, dict):
        return _item_text(value)
    raise CoercionError(f"expected text, got {type(value).__name__}")


def to_int(value: Any) -> int | None:
    """Read an integer sent as a number or a string ('7', '7.0')."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CoercionError(f"expected a number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            raise CoercionError(f"cannot read {value!r} as a number") from None
        if number.is_integer():
            return int(number)
    raise CoercionError(f"cannot read {value!r} as a whole number")


def to_grade(value: Any) -> int | None:
    """Read a level or grade such as 5, '5', 'L5', 'Grade 7' or 'Level 05' as an int."""
    if is_blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return to_int(value)
    if isinstance(value, dict):
        value = _item_text(value)
    if isinstance(value, str):
        match = _GRADE.match(value.strip())
        if match:
            return int(match.group(1))
    raise CoercionError(f"cannot read {value!r} as a grade")


def to_bool(value: Any) -> bool | None:
    """Read a boolean sent as a bool, a 0/1 number or a word ('true', 'No')."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise CoercionError(f"cannot read {value!r} as true or false")


def to_date(value: Any) -> date | None:
    """Read an ISO date or date-time; '0000-00-00' and empty strings are no date."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            if text[10] in "+-Z":  # Workday: "2020-03-01-08:00", a date with a zone offset
                return date.fromisoformat(text[:10])
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    raise CoercionError(f"cannot read {value!r} as a date")


def to_datetime(value: Any) -> datetime | None:
    """Read an ISO date-time as an aware UTC datetime (naive values are taken as UTC)."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise CoercionError(f"cannot read {value!r} as a date-time") from None
    else:
        raise CoercionError(f"cannot read {value!r} as a date-time")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def to_birth_year(value: Any) -> int | None:
    """Reduce a birth date (or a bare year) to the year: full dates are not kept."""
    if is_blank(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) == 4:
        year = int(value.strip())
    else:
        birth_date = to_date(value)
        assert birth_date is not None
        year = birth_date.year
    if not 1900 <= year <= datetime.now(UTC).year:
        raise CoercionError(f"{year} is not a plausible birth year")
    return year


def to_list(value: Any, separators: Iterable[str] = DEFAULT_SEPARATORS) -> tuple[str, ...]:
    """Read a multi-valued field sent as a list, a list of objects, or one 'a, b; c' string."""
    if is_blank(value):
        return ()
    if isinstance(value, str):
        pattern = "|".join(re.escape(separator) for separator in separators)
        parts: list[str] = re.split(pattern, value) if pattern else [value]
    elif isinstance(value, list | tuple):
        parts = [_list_item_text(item) for item in value]
    elif isinstance(value, dict):
        parts = [_item_text(value)]
    else:
        raise CoercionError(f"cannot read {value!r} as a list")
    unique: dict[str, None] = {}
    for part in parts:
        cleaned = part.strip()
        if cleaned:
            unique.setdefault(cleaned, None)
    return tuple(unique)


def _list_item_text(item: Any) -> str:
    """Text of one list element: a scalar or an object with a descriptor-like key."""
    if isinstance(item, dict):
        return _item_text(item)
    text = to_text(item)
    return text or ""


def _item_text(item: dict[str, Any]) -> str:
    """Pick the human-readable value of an object such as {'descriptor': 'English'}."""
    for key in ITEM_KEYS:
        candidate = item.get(key)
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    strings = [value for value in item.values() if isinstance(value, str) and value.strip()]
    if len(strings) == 1:
        return strings[0].strip()
    raise CoercionError(f"cannot pick one value from object {item!r}")
