"""Relay: global ids of table rows, and cursor connections over offset windows."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.relay import GlobalID, GlobalIDValueError

from rm_graphql.paging import Window

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
_CURSOR_PREFIX = "offset:"

MAX_ROW_ID = 2**63 - 1  # the largest BIGINT: a longer number names no row, on any database

NodeT = TypeVar("NodeT")

# What a malformed global id from a client becomes: an id of no type, so it names no row.
NOWHERE = GlobalID(type_name="", node_id="")


def parse_global_id(value: str) -> GlobalID:
    """The global id a client sent, or NOWHERE when the value is not one."""
    try:
        return GlobalID.from_id(value)
    except GlobalIDValueError:
        return NOWHERE


def row_id(node_id: str) -> int | None:
    """The row id inside a node id: ASCII digits within BIGINT range, else None."""
    if not (node_id.isascii() and node_id.isdigit()):
        return None
    value = int(node_id)
    return value if value <= MAX_ROW_ID else None


def db_id(value: GlobalID, type_name: str) -> int:
    """The row id inside a global id of the expected type; anything else matches no row."""
    found = row_id(value.node_id) if value.type_name == type_name else None
    return -1 if found is None else found


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith(_CURSOR_PREFIX):
            raise ValueError(cursor)
        offset = int(text.removeprefix(_CURSOR_PREFIX))
    except (ValueError, UnicodeDecodeError) as error:
        raise GraphQLError("Invalid cursor.", extensions={"code": "BAD_USER_INPUT"}) from error
    if offset < 0:
        raise GraphQLError("Invalid cursor.", extensions={"code": "BAD_USER_INPUT"})
    return offset


@dataclass(frozen=True)
class PageArgs:
    """Relay pagination arguments as a field received them."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


def _check_size(name: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
        raise GraphQLError(
            f"`{name}` must be between 0 and {MAX_PAGE_SIZE}.",
            extensions={"code": "BAD_USER_INPUT"},
        )


def window(
    total: int,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Window:
    """The rows to fetch for Relay arguments over a list of `total` rows."""
    _check_size("first", first)
    _check_size("last", last)
    start = decode_cursor(after) + 1 if after else 0
    end = min(decode_cursor(before), total) if before else total
    if first is None and last is None:
        first = DEFAULT_PAGE_SIZE
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    return Window(offset=start, limit=max(0, end - start))


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    """A page of a list, with cursors and the total size of the list."""

    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int

    @strawberry.field(description="The nodes of this page, without their edges.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def connection(nodes: Sequence[NodeT], page: Window, total: int) -> Connection[NodeT]:
    """Wrap the fetched rows of one window into a Relay connection."""
    edges = [Edge(cursor=encode_cursor(page.offset + i), node=node) for i, node in enumerate(nodes)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.offset + len(nodes) < total,
            has_previous_page=page.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )


async def paginate(
    count: Callable[[], Awaitable[int]],
    fetch: Callable[[Window], Awaitable[Sequence[NodeT]]],
    args: PageArgs | None,
) -> Connection[NodeT]:
    """Count, pick the window, fetch it, and build the connection."""
    args = args or PageArgs()
    total = await count()
    page = window(total, args.first, args.after, args.last, args.before)
    nodes = await fetch(page) if page.limit else []
    return connection(nodes, page, total)
