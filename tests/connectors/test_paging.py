"""Offset paging over listings that move between page requests."""

from __future__ import annotations

from typing import Any

import pytest

from rm_graphql.connectors import PagingInconsistencyError
from rm_graphql.connectors.paging import OffsetPage, offset_paged


class MovingListing:
    """A listing whose contents can change between page requests, like Workday's."""

    def __init__(self, size: int) -> None:
        self.items = [{"id": str(number)} for number in range(size)]
        self.calls = 0
        self.on_call: dict[int, Any] = {}

    async def page(self, offset: int, limit: int) -> OffsetPage:
        self.calls += 1
        if self.calls in self.on_call:
            self.on_call[self.calls](self.items)
        return OffsetPage(items=list(self.items[offset : offset + limit]), total=len(self.items))


async def drain(listing: MovingListing, page_size: int = 10) -> list[str]:
    ids: list[str] = []
    async for batch in offset_paged(listing.page, page_size=page_size, key=lambda i: i["id"]):
        ids.extend(item["id"] for item in batch)
    return ids


async def test_stable_listing_is_read_in_one_pass() -> None:
    listing = MovingListing(35)
    assert await drain(listing) == [str(n) for n in range(35)]
    assert listing.calls == 4


async def test_insert_before_the_cursor_triggers_a_second_pass_without_duplicates() -> None:
    listing = MovingListing(35)
    listing.on_call[2] = lambda items: items.insert(0, {"id": "new"})
    ids = await drain(listing)
    assert sorted(ids) == sorted([*map(str, range(35)), "new"])
    assert len(ids) == len(set(ids))


async def test_removal_before_the_cursor_does_not_skip_anyone() -> None:
    listing = MovingListing(35)
    listing.on_call[3] = lambda items: items.pop(0)
    ids = await drain(listing)
    assert set(map(str, range(35))) == set(ids)


async def test_swap_that_keeps_the_total_is_detected() -> None:
    listing = MovingListing(35)

    def swap(items: list[dict[str, str]]) -> None:
        items.pop(0)
        items.append({"id": "late"})

    listing.on_call[2] = swap
    ids = await drain(listing)
    assert set(map(str, range(35))) | {"late"} == set(ids)


async def test_a_listing_that_never_settles_raises() -> None:
    listing = MovingListing(35)
    listing.on_call = {
        call: (lambda items: items.insert(0, {"id": f"x{len(items)}"})) for call in range(2, 40)
    }
    with pytest.raises(PagingInconsistencyError):
        await drain(listing)
