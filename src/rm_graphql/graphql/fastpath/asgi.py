"""The fast path at the ASGI boundary: a covered POST is answered before Strawberry's view.

Only plain JSON POSTs of one operation, asking for a JSON answer, are looked at; their body is
read once and replayed to the view when the fast path declines. The answer is what the view
would send: status 200, `{"data": ...}`, and `application/graphql-response+json` when the
client accepts it (else `application/json`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import Message, Receive, Scope, Send

from rm_graphql.auth.middleware import principal_from_scope
from rm_graphql.graphql.fastpath.executor import FastPath

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"

logger = logging.getLogger(__name__)


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _headers(scope: Scope) -> dict[str, str]:
    return {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}


def _wants_json(headers: dict[str, str]) -> bool:
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    accept = headers.get("accept", "").lower()
    streamed = "text/event-stream" in accept or "multipart/" in accept
    return "application/json" in media_type and not streamed


async def serve(fast_path: FastPath, scope: Scope, receive: Receive, send: Send) -> Receive | None:
    """None when the request was answered; else the `receive` to hand to the view."""
    headers = _headers(scope)
    if scope["method"] != "POST" or not _wants_json(headers):
        return receive
    body = await _body(receive)
    try:
        request: Any = json.loads(body)
    except ValueError:
        request = None
    if not isinstance(request, dict) or not isinstance(request.get("extensions"), dict | None):
        return _replay(body, receive)
    try:
        data = await fast_path.answer(
            principal_from_scope(scope),
            request.get("query"),
            request.get("operationName"),
            request.get("variables"),
        )
    except Exception:
        # The compiled path is an optimisation: whatever it trips on, normal execution answers.
        logger.exception("fast path failed; falling back to normal execution")
        data = None
    if data is None:
        return _replay(body, receive)
    await _respond(send, ('{"data":' + data + "}").encode(), headers.get("accept", ""))
    return None


async def _respond(send: Callable[[Message], Awaitable[None]], body: bytes, accept: str) -> None:
    media_type = GRAPHQL_RESPONSE_JSON if GRAPHQL_RESPONSE_JSON in accept else "application/json"
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-length", str(len(body)).encode()),
                (b"content-type", media_type.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
