"""Coercions for real payload quirks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rm_graphql.connectors.coercions import (
    CoercionError,
    is_blank,
    to_birth_year,
    to_bool,
    to_date,
    to_datetime,
    to_grade,
    to_int,
    to_list,
    to_text,
)
from rm_graphql.connectors.http import parse_retry_after


@pytest.mark.parametrize("value", [None, "", "  ", "0000-00-00", "0000-00-00 00:00:00", "null", []])
def test_blank_values(value: object) -> None:
    assert is_blank(value)
    assert to_date(value) is None
    assert to_text(value) is None
    assert to_list(value) == ()


@pytest.mark.parametrize("value", ["0", "no", "x", 0, False, "2024-01-01"])
def test_non_blank_values(value: object) -> None:
    assert not is_blank(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, 5),
        ("5", 5),
        ("L5", 5),
        ("Grade 7", 7),
        ("Level 05", 5),
        ("M-4", 4),
        (7.0, 7),
        ("3.0", 3),
    ],
)
def test_grades(value: object, expected: int) -> None:
    assert to_grade(value) == expected


@pytest.mark.parametrize("value", ["Senior", "5-7", "L5 and L6", True])
def test_unreadable_grades(value: object) -> None:
    with pytest.raises(CoercionError):
        to_grade(value)


def test_numbers_and_booleans_sent_as_strings() -> None:
    assert to_int(" 42 ") == 42
    assert to_int("7.0") == 7
    with pytest.raises(CoercionError):
        to_int("7.5")
    with pytest.raises(CoercionError):
        to_int(True)
    assert to_bool("true") is True
    assert to_bool("False") is False
    assert to_bool(1) is True
    assert to_bool("yes") is True
    assert to_bool("0") is False
    with pytest.raises(CoercionError):
        to_bool("maybe")
    assert to_text(12345.0) == "12345"
    assert to_text(False) == "false"


def test_dates_in_vendor_shapes() -> None:
    assert to_date("2020-03-01") == date(2020, 3, 1)
    assert to_date("2020-03-01-08:00") == date(2020, 3, 1)  # Workday
    assert to_date("2020-03-01T23:00:00Z") == date(2020, 3, 1)
    with pytest.raises(CoercionError):
        to_date("03/01/2020")
    moment = to_datetime("2026-01-05T10:00:00+01:00")
    assert moment == datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert moment.tzinfo is UTC
    assert to_datetime("2026-01-05T09:00:00") == datetime(2026, 1, 5, 9, tzinfo=UTC)
    offset = timezone(timedelta(hours=-5))
    assert to_datetime(datetime(2026, 1, 5, 4, tzinfo=offset)) == datetime(
        2026, 1, 5, 9, tzinfo=UTC
    )


def test_birth_year_keeps_only_the_year() -> None:
    assert to_birth_year("1985-06-15") == 1985
    assert to_birth_year("1985") == 1985
    assert to_birth_year(1985) == 1985
    assert to_birth_year("0000-00-00") is None
    with pytest.raises(CoercionError, match="plausible"):
        to_birth_year("1850-01-01")


def test_multi_valued_fields() -> None:
    assert to_list("a, b; c") == ("a", "b", "c")
    assert to_list("English") == ("English",)
    assert to_list(["x", " y ", "x", ""]) == ("x", "y")
    assert to_list([{"Language": "English"}, {"Language": "German"}]) == ("English", "German")
    assert to_list([{"descriptor": "Python", "id": "abc"}]) == ("Python",)
    assert to_list("a, b", separators=[";"]) == ("a, b",)
    with pytest.raises(CoercionError):
        to_list([{"a": "x", "b": "y"}])


@given(st.lists(st.text(alphabet="abcdefghij XYZ", min_size=1, max_size=8), max_size=6))
def test_joined_lists_split_back(values: list[str]) -> None:
    cleaned = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    assert to_list("; ".join(values)) == tuple(cleaned)


@given(st.integers(min_value=1, max_value=999), st.sampled_from(["L", "Grade ", "Level ", "P", ""]))
def test_any_prefixed_grade_reads_back(number: int, prefix: str) -> None:
    assert to_grade(f"{prefix}{number}") == number


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Mon, 05 Jan 2026 09:00:30 GMT", now) == 30.0
    assert parse_retry_after("Mon, 05 Jan 2026 08:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
