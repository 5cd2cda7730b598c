"""BambooHR connector: custom report for full runs, changed + filtered report for increments.

The report is streamed: rows are parsed, mapped and handed on a page at a time, so a
50,000-person report is never held whole, neither as JSON objects nor as records.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from rm_graphql.connectors.bamboohr.auth import BambooHRConfig, open_session
from rm_graphql.connectors.bamboohr.report import ReportParser
from rm_graphql.connectors.base import (
    FetchPage,
    FieldMismatchError,
    SourceUnavailableError,
    TokenStore,
    UnexpectedResponseError,
)
from rm_graphql.connectors.batches import PAGE_SIZE, latest_change, map_rows
from rm_graphql.connectors.coercions import CoercionError, to_datetime
from rm_graphql.connectors.http import HttpOptions, check_response, json_body
from rm_graphql.connectors.mapping import MappingProfile, load_profile
from rm_graphql.connectors.oauth import OAuthSession

logger = logging.getLogger(__name__)
ALWAYS_REQUESTED = ("id", "lastChanged")


class BambooHRConnector:
    """Reads employees (active and terminated) from BambooHR."""

    source = "bamboohr"

    def __init__(
        self,
        config: BambooHRConfig,
        *,
        profile: MappingProfile | None = None,
        token_store: TokenStore | None = None,
        options: HttpOptions | None = None,
        overlap: timedelta = timedelta(minutes=5),
    ) -> None:
        self.config = config
        self.profile = profile or load_profile("bamboohr")
        self.session = open_session(config, options or HttpOptions(), token_store)
        self.overlap = overlap

    @property
    def oauth(self) -> OAuthSession | None:
        """The OAuth session (for the authorization code flow), when OAuth is configured."""
        return self.session if isinstance(self.session, OAuthSession) else None

    def report_fields(self) -> list[str]:
        """Fields the custom report requests: the profile's plus id and lastChanged."""
        return list(dict.fromkeys([*ALWAYS_REQUESTED, *self.profile.source_fields()]))

    async def check(self) -> None:
        """Read the field catalogue: proves the URL, credentials and JSON negotiation."""
        catalogue = json_body(await self.session.request("GET", "meta/fields"))
        if not isinstance(catalogue, list):
            raise UnexpectedResponseError("meta/fields: expected a list of fields")
        known = {str(field.get(key)) for field in catalogue for key in ("alias", "id")}
        unknown = [name for name in self.report_fields() if name not in known]
        if unknown:
            self._field_mismatch(unknown)

    async def fetch(self, since: datetime | None = None) -> AsyncIterator[FetchPage]:
        """A full run (every employee ever, with status) or an incremental one."""
        if since is None:
            async for page in self._pages(None, watermark=None):
                yield page
            return
        window_start = since - self.overlap
        latest, changed, removed = await self._changed(window_start)
        if not changed:
            yield FetchPage((), removed=removed, watermark=max(latest, since))
            return
        async for page in self._pages(window_start, watermark=max(latest, since), removed=removed):
            yield page

    async def _pages(
        self, since: datetime | None, *, watermark: datetime | None, removed: tuple[str, ...] = ()
    ) -> AsyncIterator[FetchPage]:
        """Map the report batch by batch as it streams in; a full run's watermark grows."""
        complete = since is None
        pages = 0
        async for rows in self._report(since):
            records, invalid = map_rows(self.profile, rows)
            if complete:
                watermark = latest_change(records, watermark)
            yield FetchPage(
                tuple(records), tuple(invalid), removed if pages == 0 else (), watermark, complete
            )
            pages += 1
        if pages == 0:
            yield FetchPage((), removed=removed, watermark=watermark, complete_snapshot=complete)

    async def _changed(self, since: datetime) -> tuple[datetime, list[str], tuple[str, ...]]:
        """Ids inserted or updated, and ids deleted, since a moment; plus the server's 'latest'."""
        params = {"since": _iso(since)}
        body = json_body(await self.session.request("GET", "employees/changed", params=params))
        if not isinstance(body, dict):
            raise UnexpectedResponseError("employees/changed: expected an object")
        entries = body.get("employees") or {}  # PHP serialises an empty map as []
        if not isinstance(entries, dict):
            raise UnexpectedResponseError("employees/changed: 'employees' is not a map")
        removed = tuple(key for key, entry in entries.items() if _action(entry) == "Deleted")
        changed = [key for key, entry in entries.items() if _action(entry) != "Deleted"]
        try:
            latest = to_datetime(body.get("latest")) or since
        except CoercionError as error:
            raise UnexpectedResponseError(f"employees/changed: bad 'latest': {error}") from error
        return latest, changed, removed

    async def _report(self, since: datetime | None) -> AsyncIterator[list[Any]]:
        """POST a custom report and stream its rows in pages, once every field came back."""
        fields = self.report_fields()
        request: dict[str, Any] = {"title": "rm-graphql sync", "fields": fields}
        if since is not None:
            request["filters"] = {"lastChanged": {"includeNull": "no", "value": _iso(since)}}
        held: list[Any] = []
        checked = False
        stream = self.session.stream(
            "POST", "reports/custom", params={"format": "json"}, json=request
        )
        async with stream as response:
            if not response.is_success:
                await response.aread()
                check_response(response)
            parser = ReportParser(response.headers.get("Content-Type", "unknown"))
            async for chunk in _body(response):
                held.extend(parser.feed(chunk))
                if not checked and parser.header_known:
                    checked = self._check_returned(fields, parser.returned)
                while checked and len(held) >= PAGE_SIZE:
                    yield held[:PAGE_SIZE]
                    del held[:PAGE_SIZE]
            held.extend(parser.close())
        if not checked:
            self._check_returned(fields, parser.returned)
        for start in range(0, len(held), PAGE_SIZE):
            yield held[start : start + PAGE_SIZE]

    def _check_returned(self, requested: list[str], returned: set[str]) -> bool:
        """Insist every requested field came back (BambooHR drops unknown ones with a 200)."""
        missing = [name for name in requested if name not in returned and name != "id"]
        if missing:
            self._field_mismatch(missing)
        return True

    def _field_mismatch(self, missing: list[str]) -> None:
        """Fail loudly unless the profile opted out (field_mismatch = 'warn')."""
        if self.profile.options.field_mismatch == "fail":
            raise FieldMismatchError(missing)
        logger.warning("BambooHR did not return fields %s; values will be empty", missing)

    async def aclose(self) -> None:
        """Close HTTP connections."""
        await self.session.aclose()

    async def __aenter__(self) -> BambooHRConnector:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


async def _body(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body's chunks; a connection lost half-way is the source being unavailable."""
    try:
        async for chunk in response.aiter_bytes():
            yield chunk
    except httpx.TransportError as error:
        where = f"{response.request.method} {response.request.url.path}"
        raise SourceUnavailableError(f"{where}: {type(error).__name__} while reading") from error


def _action(entry: Any) -> str | None:
    """The action of one changed entry."""
    return entry.get("action") if isinstance(entry, dict) else None


def _iso(moment: datetime) -> str:
    """UTC ISO 8601 with a Z, as BambooHR examples show."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
