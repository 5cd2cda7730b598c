"""The streaming report parser: rows as they complete, the header in either order, bad bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rm_graphql.connectors.bamboohr.report import ReportParser
from rm_graphql.connectors.base import UnexpectedResponseError

FIELDS = [{"id": "id", "name": "Employee ID"}, {"id": "4047", "alias": "customLevel"}]
ROWS = [{"id": str(number), "customLevel": f"L{number}", "n": 1.5} for number in range(25)]


def feed(parser: ReportParser, body: bytes, size: int) -> tuple[list[Any], list[bool]]:
    """Every row, and whether the header was known after each chunk."""
    rows: list[Any] = []
    known: list[bool] = []
    for start in range(0, len(body), size):
        rows.extend(parser.feed(body[start : start + size]))
        known.append(parser.header_known)
    rows.extend(parser.close())
    return rows, known


@pytest.mark.parametrize("size", [1, 7, 4096])
def test_rows_come_out_whole_whatever_the_chunk_size(size: int) -> None:
    body = json.dumps({"title": "t", "fields": FIELDS, "employees": ROWS}).encode()
    parser = ReportParser()
    rows, known = feed(parser, body, size)
    assert rows == ROWS
    assert parser.returned == {"id", "4047", "customLevel"}
    assert known[-1]
    if size == 1:  # the header is known long before the last row
        assert known.index(True) < len(body) // 10


def test_fields_after_the_rows_are_known_only_at_the_end() -> None:
    body = json.dumps({"employees": ROWS, "fields": FIELDS}).encode()
    parser = ReportParser()
    rows, known = feed(parser, body, 64)
    assert rows == ROWS
    assert not any(known[:-1])
    assert parser.returned == {"id", "4047", "customLevel"}


def test_an_empty_report_is_a_report() -> None:
    parser = ReportParser()
    assert feed(parser, b'{"fields": [], "employees": []}', 5)[0] == []


@pytest.mark.parametrize(
    "body",
    [b'{"fields": [], "employees": {"1": {}}}', b'{"fields": []}', b"[1, 2]"],
)
def test_a_body_without_an_employee_list_is_unexpected(body: bytes) -> None:
    with pytest.raises(UnexpectedResponseError, match="expected \\{fields, employees\\}"):
        feed(ReportParser(), body, 8)


@pytest.mark.parametrize(
    "body", [b"<?xml version='1.0'?><error>XML only</error>", b'{"fields": [], "employees": [{']
)
def test_xml_or_a_cut_body_is_not_json(body: bytes) -> None:
    with pytest.raises(UnexpectedResponseError, match="expected JSON, got text/xml"):
        feed(ReportParser("text/xml"), body, 8)


def test_an_error_never_quotes_the_body() -> None:
    body = b'{"fields": [], "employees": [{"id": "1", "ssn": 123-45-6789}]}'
    with pytest.raises(UnexpectedResponseError) as raised:
        feed(ReportParser(), body, 8)
    assert "123" not in str(raised.value)
    assert "6789" not in str(raised.value)


def test_a_byte_order_mark_is_allowed() -> None:
    body = b'\xef\xbb\xbf{"fields": [{"id": "id"}], "employees": [{"id": "7"}]}'
    assert feed(ReportParser(), body, 4)[0] == [{"id": "7"}]
