"""SCIM 2.0 connector: bearer token, 1-based startIndex/count, lastModified filter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from rm_graphql.connectors.base import ConfigurationError, FetchPage, UnexpectedResponseError
from rm_graphql.connectors.batches import latest_change, map_rows
from rm_graphql.connectors.http import HttpOptions, build_client, json_body
from rm_graphql.connectors.mapping import MappingProfile, load_profile
from rm_graphql.connectors.oauth import StaticSession
from rm_graphql.connectors.paging import OffsetPage, offset_paged


@dataclass(frozen=True, slots=True)
class SCIMConfig:
    """A SCIM service provider: base URL (ending before /Users) and a bearer token."""

    base_url: str
    token: str
    page_size: int = 100

    def __post_init__(self) -> None:
        if self.page_size < 1:
            raise ConfigurationError("SCIM page_size must be positive")


class SCIMConnector:
    """Reads /Users; `active: false` users come back as TERMINATED via the profile."""

    source = "scim"

    def __init__(
        self,
        config: SCIMConfig,
        *,
        profile: MappingProfile | None = None,
        options: HttpOptions | None = None,
        overlap: timedelta = timedelta(minutes=5),
    ) -> None:
        self.config = config
        self.profile = profile or load_profile("scim")
        self.overlap = overlap
        client = build_client(
            options or HttpOptions(),
            base_url=config.base_url,
            auth=_Bearer(config.token),
        )
        client.headers["Accept"] = "application/scim+json, application/json"
        self.session = StaticSession(client)

    async def check(self) -> None:
        """Read one user: proves the URL and token."""
        await self._page(0, 1, None)

    async def fetch(self, since: datetime | None = None) -> AsyncIterator[FetchPage]:
        """All users, or users modified since `since` (minus an overlap for clock skew).

        Every page carries the newest lastModified seen so far: keep the last page's.
        """
        expression = None
        if since is not None:
            expression = f'meta.lastModified gt "{_iso(since - self.overlap)}"'
        watermark = since
        batches = offset_paged(
            lambda offset, size: self._page(offset, size, expression),
            page_size=self.config.page_size,
            key=lambda user: str(user.get("id", "")),
        )
        yielded = False
        async for users in batches:
            records, invalid = map_rows(self.profile, users)
            watermark = latest_change(records, watermark)
            yielded = True
            yield FetchPage(
                tuple(records), tuple(invalid), watermark=watermark, complete_snapshot=since is None
            )
        if not yielded:
            yield FetchPage((), watermark=watermark, complete_snapshot=since is None)

    async def _page(self, offset: int, size: int, expression: str | None) -> OffsetPage:
        """GET Users?startIndex=offset+1&count=size."""
        params: dict[str, Any] = {"startIndex": offset + 1, "count": size}
        if expression:
            params["filter"] = expression
        body = json_body(await self.session.request("GET", "Users", params=params))
        if not isinstance(body, dict) or not isinstance(body.get("totalResults"), int):
            raise UnexpectedResponseError("Users: expected a SCIM ListResponse")
        resources = body.get("Resources") or []
        if not isinstance(resources, list):
            raise UnexpectedResponseError("Users: 'Resources' is not a list")
        return OffsetPage(items=resources, total=body["totalResults"])

    async def aclose(self) -> None:
        """Close HTTP connections."""
        await self.session.aclose()

    async def __aenter__(self) -> SCIMConnector:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


class _Bearer(httpx.Auth):
    """A static bearer token."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = self._header
        yield request


def _iso(moment: datetime) -> str:
    """UTC ISO 8601 with a Z."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
