"""A custom report read as it arrives: rows in batches, never the whole parsed report.

A 50,000-person report is about 37 MB of JSON; parsed at once it held ~190 MB of dicts.
ijson (its C backend) parses the bytes incrementally, so only one batch of rows lives at
a time. The small header (`fields`, and where `employees` starts) is watched with a
second, event-level parser that stops being fed once the header is known.
"""

from __future__ import annotations

from typing import Any

import ijson

from rm_graphql.connectors.base import UnexpectedResponseError

ROWS = "employees.item"
FIELD_NAMES = frozenset({"fields.item.id", "fields.item.alias"})
BOM = b"\xef\xbb\xbf"


class ReportParser:
    """Feed it byte chunks; it returns the employee rows completed by each chunk."""

    def __init__(self, content_type: str = "application/json") -> None:
        self.content_type = content_type
        self._rows = ijson.sendable_list()
        self._row_parser = ijson.items_coro(self._rows, ROWS, use_float=True)
        self._events = ijson.sendable_list()
        self._header_parser = ijson.parse_coro(self._events, use_float=True)
        self.returned: set[str] = set()
        self.fields_seen = False
        self._employees: str | None = None  # the JSON event that opened "employees"
        self._first = True

    @property
    def header_known(self) -> bool:
        """True once the returned fields are complete (the usual order: before the rows)."""
        return self.fields_seen

    def feed(self, chunk: bytes) -> list[Any]:
        """Parse one chunk; the rows it completed, in order."""
        if self._first:
            self._first = False
            chunk = chunk.removeprefix(BOM)  # as httpx's .json() accepts one
        try:
            self._row_parser.send(chunk)
            if not (self.fields_seen and self._employees is not None):
                self._header_parser.send(chunk)
                self._watch_header()
        except ijson.JSONError as error:
            raise self._invalid(error) from error
        return self._take()

    def close(self) -> list[Any]:
        """End of the body: the last rows; a body without an employee list is an error."""
        try:
            self._row_parser.close()
            if not (self.fields_seen and self._employees is not None):
                self._header_parser.close()
                self._watch_header()
        except ijson.JSONError as error:
            raise self._invalid(error) from error
        if self._employees != "start_array":
            raise UnexpectedResponseError("reports/custom: expected {fields, employees}")
        return self._take()

    def _invalid(self, error: Exception) -> UnexpectedResponseError:
        """XML when Accept was ignored, or JSON cut short.

        The parser's own message quotes the body (personal data): it is not passed on.
        """
        return UnexpectedResponseError(
            f"reports/custom: expected JSON, got {self.content_type} that is not valid JSON "
            f"or was cut short ({type(error).__name__})"
        )

    def _watch_header(self) -> None:
        for prefix, event, value in self._events:
            if prefix in FIELD_NAMES and value is not None:
                self.returned.add(str(value))
            elif prefix == "fields" and event == "end_array":
                self.fields_seen = True
            elif prefix == "employees" and self._employees is None and event != "map_key":
                self._employees = event
        del self._events[:]

    def _take(self) -> list[Any]:
        rows = list(self._rows)
        del self._rows[:]
        return rows
