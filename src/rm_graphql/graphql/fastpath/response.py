"""Responses whose `data` arrives as JSON text from the database, and their metrics."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rm_graphql.observability import GRAPHQL_LATENCY, GRAPHQL_REQUESTS


class RawJSON(str):
    """JSON text to be written into a response as it is, not encoded again."""

    __slots__ = ()


def encode(body: Any, fallback: Callable[[Any], str | bytes]) -> str | bytes:
    """The HTTP body of a result; `fallback` encodes any body whose data is not raw."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, RawJSON):
        return fallback(body)
    rest = {key: value for key, value in body.items() if key != "data"}
    if not rest:
        return '{"data":' + data + "}"
    return '{"data":' + data + "," + json.dumps(rest, separators=(",", ":"))[1:]


def record_metrics(operation_name: str | None, seconds: float) -> None:
    """Count and time a fast answer as OperationMetrics does for normal execution."""
    name = operation_name or "anonymous"
    GRAPHQL_REQUESTS.labels(name, "query", "ok").inc()
    GRAPHQL_LATENCY.labels(name).observe(seconds)
