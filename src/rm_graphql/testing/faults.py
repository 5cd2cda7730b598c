"""Faults a fake HRIS injects on request, configured per server instance."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import Response

ErrorResponder = Callable[[int, str, dict[str, str]], Response]


@dataclass(slots=True)
class _Planned:
    """One queued fault: skip `after` API requests, then fire `times` times."""

    kind: str
    times: int
    after: int
    retry_after: int | None = None
    seconds: float = 0.0


class Faults:
    """A FIFO of faults for the API endpoints, plus listing and report faults.

    Every injection is counted in `injected` so tests can prove a fault really fired.
    """

    def __init__(self, respond: ErrorResponder) -> None:
        self._respond = respond
        self._queue: list[_Planned] = []
        self._shift: list[int] = [0, 0]
        self._lock = threading.Lock()
        self.dropped_fields: set[str] = set()
        self.injected: Counter[str] = Counter()

    def rate_limit(self, times: int = 1, *, retry_after: int | None = 1, after: int = 0) -> Faults:
        """Answer 429, with or without a Retry-After header (seconds)."""
        return self._plan(_Planned("rate_limit", times, after, retry_after=retry_after))

    def unavailable(
        self, times: int = 3, *, retry_after: int | None = None, after: int = 0
    ) -> Faults:
        """Answer a burst of 503s (BambooHR's legacy throttle)."""
        return self._plan(_Planned("unavailable", times, after, retry_after=retry_after))

    def slow(self, times: int = 1, *, seconds: float = 2.0, after: int = 0) -> Faults:
        """Delay responses so a client with a shorter timeout gives up."""
        return self._plan(_Planned("slow", times, after, seconds=seconds))

    def expire_tokens(self, *, after: int = 0) -> Faults:
        """Expire every issued access token server-side, so the next call gets 401."""
        return self._plan(_Planned("expire_tokens", 1, after))

    def shift_total(self, *, after_pages: int = 1, pages: int = 2) -> Faults:
        """Hide one early item from `pages` page requests: the total changes mid-listing."""
        with self._lock:
            self._shift = [after_pages, pages]
        return self

    def drop_fields(self, *names: str) -> Faults:
        """Silently leave fields out of reports (like a permission the API user lacks)."""
        self.dropped_fields.update(names)
        return self

    def clear(self) -> None:
        """Remove every pending fault."""
        with self._lock:
            self._queue.clear()
            self._shift = [0, 0]
        self.dropped_fields.clear()

    @property
    def pending(self) -> int:
        """How many queued faults have not finished firing."""
        return len(self._queue)

    def _plan(self, planned: _Planned) -> Faults:
        with self._lock:
            self._queue.append(planned)
        return self

    def _next(self) -> _Planned | None:
        """Consume one request's worth of the head fault; return it if it fires now."""
        with self._lock:
            if not self._queue:
                return None
            head = self._queue[0]
            if head.after > 0:
                head.after -= 1
                return None
            head.times -= 1
            if head.times <= 0:
                self._queue.pop(0)
            self.injected[head.kind] += 1
            return head

    async def before_api_request(self, expire_tokens: Callable[[], None]) -> Response | None:
        """Apply the next fault to an API request; a Response means answer with it."""
        fault = self._next()
        if fault is None:
            return None
        if fault.kind == "slow":
            await asyncio.sleep(fault.seconds)
            return None
        if fault.kind == "expire_tokens":
            expire_tokens()
            return None
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        if fault.kind == "rate_limit":
            return self._respond(429, "Rate limit exceeded", headers)
        return self._respond(503, "Service temporarily unavailable", headers)

    def hidden_for_page(self) -> int:
        """How many leading items a paged listing should hide for this page request."""
        with self._lock:
            if self._shift[0] > 0:
                self._shift[0] -= 1
                return 0
            if self._shift[1] > 0:
                self._shift[1] -= 1
                self.injected["shift_total"] += 1
                return 1
            return 0
