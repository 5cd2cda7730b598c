"""Helpers the fake HRIS servers share."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.responses import Response

from rm_graphql.testing.faults import Faults
from rm_graphql.testing.org import Organisation


class FakeHRIS(Protocol):
    """What every fake server exposes to tests, the demo and benchmarks."""

    kind: str
    org: Organisation
    faults: Faults
    app: Starlette
    requests: Counter[str]

    def credentials(self, base_url: str) -> dict[str, str]:
        """Everything a connector needs to reach this fake at `base_url`."""
        ...


def iso(moment: datetime) -> str:
    """ISO 8601 with an explicit offset and no microseconds."""
    return moment.replace(microsecond=0).isoformat()


def day(value: date | None) -> str | None:
    """An ISO date or None."""
    return value.isoformat() if value else None


def json_response(payload: Any, status_code: int = 200, **headers: str) -> Response:
    """Compact JSON."""
    return raw_json(json_bytes(payload), status_code, **headers)


def raw_json(body: bytes, status_code: int = 200, **headers: str) -> Response:
    """Serve already-serialised JSON."""
    return Response(body, status_code, headers=headers, media_type="application/json")


def json_bytes(payload: Any) -> bytes:
    """Serialise compactly, keeping non-ASCII names readable."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


class GenerationCache:
    """Per-generation memo of derived views, so 50,000 employees are built once per change."""

    def __init__(self, org: Organisation) -> None:
        self.org = org
        self._generation = -1
        self._values: dict[Any, Any] = {}

    def get(self, key: Any, build: Any) -> Any:
        """Return the cached value for `key`, building it when the org has changed."""
        if self._generation != self.org.generation:
            self._values.clear()
            self._generation = self.org.generation
        if key not in self._values:
            if len(self._values) > 32:
                self._values.clear()
            self._values[key] = build()
        return self._values[key]
