"""The plug points rooms fill: a handler per run task, and periodic checks with their cron."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from rm_graphql.jobs.queue import JobQueue

RUN_MATCHING = "run_matching"
RUN_SYNC = "run_sync"
RUN_TASKS = (RUN_MATCHING, RUN_SYNC)

# Does one run's work inside the job's one transaction; the row is already RUNNING.
RunHandler = Callable[[AsyncSession, int], Awaitable[None]]
# A periodic check: the job transaction, the queue (to defer follow-up work) and the tick.
CheckHandler = Callable[[AsyncSession, "JobQueue", datetime], Awaitable[None]]

# Modules that register their handlers into `default_registry` when imported, e.g.
# "rm_graphql.pairing.jobs"; each worker imports them before it starts.
HANDLER_MODULES: tuple[str, ...] = (
    "rm_graphql.engagement.jobs",
    "rm_graphql.pairing.jobs",
    "rm_graphql.sync.jobs",
)


class RegistryError(Exception):
    """A handler registered twice, for an unknown task, or a bad registry path."""


@dataclass(frozen=True)
class PeriodicCheck:
    name: str
    cron: str
    handler: CheckHandler


class TaskRegistry:
    """Run handlers by task name and periodic checks by name."""

    def __init__(self) -> None:
        self._runs: dict[str, RunHandler] = {}
        self._checks: dict[str, PeriodicCheck] = {}

    def run_handler(self, task: str) -> Callable[[RunHandler], RunHandler]:
        """Decorator: `@registry.run_handler("run_matching")` on `async def f(session, run_id)`."""

        def register(handler: RunHandler) -> RunHandler:
            if task not in RUN_TASKS:
                raise RegistryError(f"unknown run task {task!r}; expected one of {RUN_TASKS}")
            if task in self._runs:
                raise RegistryError(f"a handler for {task!r} is already registered")
            self._runs[task] = handler
            return handler

        return register

    def handler_for(self, task: str) -> RunHandler | None:
        return self._runs.get(task)

    def periodic_check(self, name: str, cron: str) -> Callable[[CheckHandler], CheckHandler]:
        """Decorator: run `async def f(session, queue, at)` on a cron, once across all workers."""

        def register(handler: CheckHandler) -> CheckHandler:
            if name in self._checks:
                raise RegistryError(f"a periodic check named {name!r} is already registered")
            self._checks[name] = PeriodicCheck(name=name, cron=cron, handler=handler)
            return handler

        return register

    def check(self, name: str) -> PeriodicCheck | None:
        return self._checks.get(name)

    @property
    def checks(self) -> list[PeriodicCheck]:
        return list(self._checks.values())


default_registry = TaskRegistry()


def load_registry(path: str | None = None) -> TaskRegistry:
    """The registry at "module:attribute", or the default one with HANDLER_MODULES imported."""
    if path is None:
        for module in HANDLER_MODULES:
            importlib.import_module(module)
        return default_registry
    module_name, _, attribute = path.partition(":")
    registry = getattr(importlib.import_module(module_name), attribute or "registry", None)
    if not isinstance(registry, TaskRegistry):
        raise RegistryError(f"{path!r} is not a TaskRegistry")
    return registry
