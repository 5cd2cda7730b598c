"""Offset paging that neither truncates nor duplicates when the listing shifts mid-run."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rm_graphql.connectors.base import PagingInconsistencyError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OffsetPage:
    """One page of an offset-paged listing with the total the server reported."""

    items: list[dict[str, Any]]
    total: int


FetchOffsetPage = Callable[[int, int], Awaitable[OffsetPage]]


async def offset_paged(
    fetch_page: FetchOffsetPage,
    *,
    page_size: int,
    key: Callable[[dict[str, Any]], str],
    max_passes: int = 3,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Yield every item once, re-reading the listing when it moved during a pass.

    Each page after the first starts one item early: that item must be the last one
    of the previous page, or the listing shifted under the cursor (an insert or a
    delete before it, even one that left `total` unchanged). A pass is trusted only
    when no page shifted, every page reported the same total and the pass saw that
    many distinct items; otherwise another pass fills the gaps without repeating
    what was already yielded. Persisting inconsistency is an error, never a silent
    truncation.
    """
    if page_size < 2:
        raise ValueError("offset paging with overlap needs a page size of at least 2")
    seen: set[str] = set()
    for pass_number in range(1, max_passes + 1):
        scan = _Scan()
        async for fresh in scan.run(fetch_page, page_size, key, seen):
            yield fresh
        if scan.consistent():
            return
        logger.warning(
            "listing moved during pass %d (totals %s, %d distinct, shifted=%s); reading again",
            pass_number,
            sorted(scan.totals),
            len(scan.ids),
            scan.shifted,
        )
    raise PagingInconsistencyError(
        f"the listing kept changing over {max_passes} passes; refusing to truncate silently"
    )


class _Scan:
    """One pass over an offset-paged listing, recording what makes it trustworthy."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.totals: set[int] = set()
        self.shifted = False
        self.last_total = 0

    def consistent(self) -> bool:
        """True when nothing moved and the pass saw exactly `total` distinct items."""
        return not self.shifted and len(self.totals) == 1 and len(self.ids) == self.last_total

    async def run(
        self,
        fetch_page: FetchOffsetPage,
        page_size: int,
        key: Callable[[dict[str, Any]], str],
        seen: set[str],
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Read pages until the reported total is reached; yield items not seen before."""
        offset, anchor = 0, None
        while True:
            start = offset - 1 if anchor is not None else offset
            page = await fetch_page(start, page_size)
            self.totals.add(page.total)
            self.last_total = page.total
            items = page.items
            if anchor is not None:
                if items and key(items[0]) == anchor:
                    items = items[1:]
                else:
                    self.shifted = True
            fresh = [item for item in items if key(item) not in seen]
            self.ids.update(key(item) for item in items)
            seen.update(key(item) for item in fresh)
            if fresh:
                yield fresh
            next_offset = start + len(page.items)
            if not items or next_offset <= offset or next_offset >= page.total:
                return
            offset, anchor = next_offset, key(page.items[-1])
