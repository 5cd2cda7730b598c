"""Per-request DataLoaders over repository batch queries, returning rows in key order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from rm_graphql.graphql.context import Context
from rm_graphql.tenancy.service import Actor

T = TypeVar("T")
BatchQuery = Callable[[AsyncSession, Actor, Sequence[int]], Awaitable[Sequence[Row[Any]]]]


def by_id_loader(
    context: Context, name: str, query: BatchQuery, build: Callable[[Row[Any]], T]
) -> DataLoader[int, T | None]:
    """A loader of objects by primary key; missing or invisible ids load as None."""

    async def load(ids: list[int]) -> list[T | None]:
        rows = await context.run(query, ids)
        found = {row.id: build(row) for row in rows}
        return [found.get(key) for key in ids]

    return context.loader(name, lambda: DataLoader(load_fn=load))
