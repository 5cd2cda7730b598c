"""Workday connector: REST workers (offset paging) or a RaaS JSON report."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from rm_graphql.connectors.base import (
    FetchPage,
    InMemoryTokenStore,
    TokenStore,
    UnexpectedResponseError,
)
from rm_graphql.connectors.batches import latest_change, map_rows, to_pages
from rm_graphql.connectors.http import HttpOptions, json_body
from rm_graphql.connectors.mapping import MappingProfile, load_profile
from rm_graphql.connectors.paging import OffsetPage, offset_paged
from rm_graphql.connectors.workday.auth import WorkdayConfig, open_session

logger = logging.getLogger(__name__)


class WorkdayConnector:
    """Reads workers from one Workday tenant. Every run is a full snapshot.

    The REST workers endpoint lists current workers only, so the sync treats workers
    missing from a run as leavers; a RaaS report can also carry terminated workers.
    """

    source = "workday"

    def __init__(
        self,
        config: WorkdayConfig,
        *,
        profile: MappingProfile | None = None,
        token_store: TokenStore | None = None,
        options: HttpOptions | None = None,
    ) -> None:
        self.config = config
        variant = "raas" if config.uses_report else None
        self.profile = profile or load_profile("workday", variant=variant)
        self.token_store = token_store or InMemoryTokenStore()
        self.session = open_session(config, options or HttpOptions(), self.token_store)

    async def check(self) -> None:
        """Redeem the refresh token and read one worker (or the report)."""
        if self.config.uses_report:
            await self._report_rows()
            return
        await self._workers_page(0, 1)

    async def fetch(self, since: datetime | None = None) -> AsyncIterator[FetchPage]:
        """A full snapshot; Workday's REST API has no changed-since filter, so `since` is unused."""
        if since is not None:
            logger.info("Workday runs are full snapshots; ignoring since=%s", since)
        if self.config.uses_report:
            records, invalid = map_rows(self.profile, await self._report_rows())
            watermark = latest_change(records, None)
            for page in to_pages(records, invalid, watermark=watermark, complete_snapshot=True):
                yield page
            return
        batches = offset_paged(self._workers_page, page_size=self.config.page_size, key=_worker_id)
        async for items in batches:
            records, invalid = map_rows(self.profile, items)
            yield FetchPage(tuple(records), tuple(invalid), complete_snapshot=True)

    async def _workers_page(self, offset: int, limit: int) -> OffsetPage:
        """One page of GET workers?limit&offset."""
        params: dict[str, str | int] = {"limit": limit, "offset": offset}
        if self.config.view:
            params["view"] = self.config.view
        response = await self.session.request("GET", self.config.workers_path, params=params)
        body = json_body(response)
        if not isinstance(body, dict) or not isinstance(body.get("total"), int):
            raise UnexpectedResponseError("workers: expected {total, data}")
        data = body.get("data") or []
        if not isinstance(data, list):
            raise UnexpectedResponseError("workers: 'data' is not a list")
        return OffsetPage(items=data, total=body["total"])

    async def _report_rows(self) -> list[Any]:
        """The whole RaaS report (RaaS does not page)."""
        response = await self.session.request(
            "GET", self.config.report_path, params={"format": "json"}
        )
        body = json_body(response)
        if not isinstance(body, dict) or not isinstance(body.get("Report_Entry", []), list):
            raise UnexpectedResponseError("RaaS: expected {Report_Entry: [...]}")
        rows: list[Any] = body.get("Report_Entry", [])
        return rows

    async def aclose(self) -> None:
        """Close HTTP connections."""
        await self.session.aclose()

    async def __aenter__(self) -> WorkdayConnector:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


def _worker_id(worker: dict[str, Any]) -> str:
    """The immutable Workday id (WID) of a worker."""
    return str(worker.get("id", ""))
