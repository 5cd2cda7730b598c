"""Subscriptions that follow a run's row until it finishes, one short transaction per look."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.graphql.context import Context
from rm_graphql.models.enums import RunStatus
from rm_graphql.tenancy.service import Actor

T = TypeVar("T")
POLL_SECONDS = 0.5
FINISHED = {RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED}
Fetch = Callable[[AsyncSession, Actor, Sequence[int]], Awaitable[Sequence[Any]]]


async def watch_run(
    context: Context, fetch: Fetch, run_id: int, build: Callable[[Any], T]
) -> AsyncGenerator[T, None]:
    """Yield the run each time its status or progress changes; stop once it has finished.

    A run the caller may not see (or that does not exist) ends the stream at once.
    """
    last: tuple[object, ...] | None = None
    while True:
        rows = await context.poll(fetch, [run_id])
        if not rows:
            return
        row = rows[0]
        state = (row.status, getattr(row, "progress", None), row.finished_at)
        if state != last:
            last = state
            yield build(row)
        if row.status in FINISHED:
            return
        await asyncio.sleep(POLL_SECONDS)
