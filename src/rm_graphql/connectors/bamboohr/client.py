"""BambooHR connector: custom report for full runs, changed + filtered report for increments."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from rm_graphql.connectors.bamboohr.auth import BambooHRConfig, open_session
from rm_graphql.connectors.base import (
    FetchPage,
    FieldMismatchError,
    TokenStore,
    UnexpectedResponseError,
)
from rm_graphql.connectors.batches import latest_change, map_rows, to_pages
from rm_graphql.connectors.coercions import CoercionError, to_datetime
from rm_graphql.connectors.http import HttpOptions, json_body
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
            rows = await self._report(None)
            records, invalid = map_rows(self.profile, rows)
            watermark = latest_change(records, None)
            for page in to_pages(records, invalid, watermark=watermark, complete_snapshot=True):
                yield page
            return
        async for page in self._incremental(since):
            yield page

    async def _incremental(self, since: datetime) -> AsyncIterator[FetchPage]:
        """Ask what changed, then report on the changed employees only."""
        window_start = since - self.overlap
        latest, changed, removed = await self._changed(window_start)
        rows = await self._report(window_start) if changed else []
        records, invalid = map_rows(self.profile, rows)
        watermark = max(latest, since)
        for page in to_pages(
            records, invalid, watermark=watermark, complete_snapshot=False, removed=removed
        ):
            yield page

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

    async def _report(self, since: datetime | None) -> list[Any]:
        """POST a custom report and insist every requested field came back."""
        fields = self.report_fields()
        request: dict[str, Any] = {"title": "rm-graphql sync", "fields": fields}
        if since is not None:
            request["filters"] = {"lastChanged": {"includeNull": "no", "value": _iso(since)}}
        response = await self.session.request(
            "POST", "reports/custom", params={"format": "json"}, json=request
        )
        body = json_body(response)
        if not isinstance(body, dict) or not isinstance(body.get("employees"), list):
            raise UnexpectedResponseError("reports/custom: expected {fields, employees}")
        returned = {
            str(field.get(key))
            for field in body.get("fields", [])
            if isinstance(field, dict)
            for key in ("id", "alias")
        }
        missing = [name for name in fields if name not in returned and name != "id"]
        if missing:
            self._field_mismatch(missing)
        rows: list[Any] = body["employees"]
        return rows

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


def _action(entry: Any) -> str | None:
    """The action of one changed entry."""
    return entry.get("action") if isinstance(entry, dict) else None


def _iso(moment: datetime) -> str:
    """UTC ISO 8601 with a Z, as BambooHR examples show."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
