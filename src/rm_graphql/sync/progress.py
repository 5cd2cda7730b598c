"""How far a running sync has got: one object the engine updates and anyone may watch."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace


class SyncPhase(enum.StrEnum):
    """The steps of a run, in order."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"  # started, in another process: no live detail here
    FETCHING = "FETCHING"
    PLANNING = "PLANNING"
    WRITING = "WRITING"
    DONE = "DONE"
    FAILED = "FAILED"


@dataclass
class SyncProgress:
    """Pages and records read, rows to write and written; `notify` is called on each step."""

    phase: SyncPhase = SyncPhase.QUEUED
    pages: int = 0
    records: int = 0
    to_write: int = 0
    written: int = 0
    listeners: list[Callable[[SyncProgress], None]] = field(default_factory=list, repr=False)

    def step(self, **changes: object) -> None:
        """Apply changes (phase, counters) and tell every listener."""
        for name, value in changes.items():
            setattr(self, name, value)
        for listener in self.listeners:
            listener(self)

    def snapshot(self) -> SyncProgress:
        """A copy without listeners, safe to hand to readers."""
        return replace(self, listeners=[])


# Live progress of the runs this process is executing, by run id (the GraphQL field reads it).
_LIVE: dict[int, SyncProgress] = {}


@contextmanager
def tracked(run_id: int | None, progress: SyncProgress) -> Iterator[SyncProgress]:
    """Publish a run's progress while the block runs."""
    if run_id is None:
        yield progress
        return
    _LIVE[run_id] = progress
    try:
        yield progress
    finally:
        _LIVE.pop(run_id, None)


def live(run_id: int) -> SyncProgress | None:
    """The progress of a run executing in this process, if it is."""
    found = _LIVE.get(run_id)
    return found.snapshot() if found is not None else None
