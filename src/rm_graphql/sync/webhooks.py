"""Inbound HRIS webhooks: a BambooHR-style signed change event queues an incremental sync.

The route is `/webhooks/{connection}` (the connection's row id or global id). The event
only says *that* someone changed; the queued run reads what changed from the HRIS itself,
so a forged or stale payload can never write data, and bursts of events coalesce into
the one run still waiting in the queue.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from rm_graphql.config import Settings
from rm_graphql.crypto import DecryptionError
from rm_graphql.db import Database
from rm_graphql.ids import global_id
from rm_graphql.jobs.queue import JobQueue
from rm_graphql.security import secret_box
from rm_graphql.sync import repository, runs

logger = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-BambooHR-Timestamp"
SIGNATURE_HEADER = "X-BambooHR-Signature"
REPLAY_WINDOW_SECONDS = 300
MAX_BODY_BYTES = 1_000_000


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of the timestamp followed by the raw body."""
    return hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers a sender attaches (used by tests, the demo and anyone replaying an event)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(secret, stamp, body)}


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float) -> bool:
    """A fresh timestamp and a matching signature, compared in constant time.

    Sources disagree on the order (timestamp + body, or body + timestamp): both are accepted.
    """
    stamp, given = headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER)
    if not stamp or not given:
        return False
    sent = _epoch(stamp)
    if sent is None or abs(now - sent) > REPLAY_WINDOW_SECONDS:
        return False
    claimed = given.strip().removeprefix("sha256=").lower()
    key = secret.encode()
    matches = [
        hmac.compare_digest(signature(secret, stamp, body), claimed),
        hmac.compare_digest(
            hmac.new(key, body + stamp.encode(), hashlib.sha256).hexdigest(), claimed
        ),
    ]
    return any(matches)


def _epoch(stamp: str) -> float | None:
    """Unix seconds, or an ISO 8601 time with an offset."""
    try:
        return float(stamp)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo else None


def changed_employees(event: Any) -> list[str]:
    """Employee ids named by an event: {"data": {"employeeId"}} or {"employees": [{"id"}]}."""
    if not isinstance(event, dict):
        return []
    ids: list[Any] = []
    data = event.get("data")
    if isinstance(data, dict) and data.get("employeeId") is not None:
        ids.append(data["employeeId"])
    for item in event.get("employees") or []:
        if isinstance(item, dict) and item.get("id") is not None:
            ids.append(item["id"])
    return [str(value) for value in ids]


def connection_id(raw: str) -> int | None:
    """The row id from the path: a plain id, or an HrisConnection global id."""
    if raw.isdigit():
        return int(raw)
    try:
        kind, _, node = base64.b64decode(raw, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return int(node) if kind == "HrisConnection" and node.isdigit() else None


def _refused(status: int, message: str) -> JSONResponse:
    return JSONResponse({"accepted": False, "error": message}, status_code=status)


async def receive_webhook(request: Request) -> Response:
    """Verify the event against the connection's secret, then queue (or join) a sync run."""
    settings: Settings = request.app.state.settings
    database: Database = request.app.state.database
    queue = getattr(request.app.state, "jobs", None)
    target = connection_id(request.path_params.get("connection", ""))
    length = request.headers.get("content-length", "0")
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        return _refused(413, "event too large")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _refused(413, "event too large")
    if target is None:
        return _refused(404, "no such connection")
    async with database.transaction() as session:
        connection = await repository.connection_by_id(session, target, for_update=True)
        secret = _secret(settings, connection.webhook_secret_encrypted if connection else None)
        if connection is None or secret is None:
            return _refused(401, "invalid signature")
        if not verify(secret, request.headers, body, time.time()):
            logger.warning("webhook for connection %s refused: bad or stale signature", target)
            return _refused(401, "invalid signature")
        try:
            employees = changed_employees(json.loads(body))
        except ValueError:
            return _refused(400, "the body is not JSON")
        if not connection.enabled:
            return _refused(409, "the connection is disabled")
        defer = queue.defer_run_after_commit if isinstance(queue, JobQueue) else None
        run, created = await runs.webhook_run(session, connection, defer)
    logger.info("webhook for connection %s: %d employee(s) changed", target, len(employees))
    return JSONResponse(
        {
            "accepted": True,
            "run": global_id("SyncRun", run.id),
            "queued": created,
            "employees": employees,
        },
        status_code=202,
    )


def _secret(settings: Settings, sealed: str | None) -> str | None:
    """The connection's webhook secret, or None when it has none (or it cannot be opened)."""
    if not sealed:
        return None
    try:
        return secret_box(settings).decrypt_str(sealed)
    except DecryptionError:
        logger.error("a webhook secret cannot be decrypted with RM_ENCRYPTION_KEYS")
        return None
