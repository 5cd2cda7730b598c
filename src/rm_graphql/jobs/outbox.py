"""Run work only once the session's transaction has committed: never defer a job for an
uncommitted row, and never lose the defer when the commit succeeds (the sweep is the backstop).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[object]]
_PENDING_KEY = "rm.after_commit"
_running: set[asyncio.Task[None]] = set()


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Call `callback()` after this session's transaction commits; drop it on rollback."""
    sync_session = session.sync_session
    pending: list[AfterCommit] | None = sync_session.info.get(_PENDING_KEY)
    if pending is None:
        pending = sync_session.info[_PENDING_KEY] = []
        if not event.contains(sync_session, "after_commit", _on_commit):
            event.listen(sync_session, "after_commit", _on_commit)
            event.listen(sync_session, "after_rollback", _on_rollback)
    pending.append(callback)


def _on_commit(sync_session: Session) -> None:
    if sync_session.in_nested_transaction():
        return  # a SAVEPOINT released: the outer transaction may still roll back
    callbacks: list[AfterCommit] = sync_session.info.pop(_PENDING_KEY, [])
    if callbacks:
        task = asyncio.get_running_loop().create_task(_run_in_order(callbacks))
        _running.add(task)
        task.add_done_callback(_running.discard)


def _on_rollback(sync_session: Session) -> None:
    if sync_session.in_nested_transaction():
        return  # the row a callback names may be gone; the task then finds nothing to do
    sync_session.info.pop(_PENDING_KEY, None)


async def _run_in_order(callbacks: list[AfterCommit]) -> None:
    for callback in callbacks:
        try:
            await callback()
        except Exception:
            # The row is committed; the orphan sweep defers its job later.
            logger.exception("after-commit callback failed; the orphan sweep will retry it")


async def drain(within_seconds: float | None = None) -> None:
    """Wait for after-commit work already started (tests, graceful shutdown)."""
    while _running:
        done, _pending = await asyncio.wait(set(_running), timeout=within_seconds)
        if not done:
            return


def pending_count(session: AsyncSession) -> int:
    """How many callbacks wait for this session's commit."""
    callbacks: list[Any] = session.sync_session.info.get(_PENDING_KEY, [])
    return len(callbacks)
