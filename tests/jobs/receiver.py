"""A real webhook receiver on 127.0.0.1 (uvicorn in a thread) that answers from a script."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rm_graphql.webhooks import service as webhooks


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    signature_ok: bool
    answered: int
    at: float


@dataclass
class Receiver:
    """Answers `script` status codes in order, then `then`; verifies every signature."""

    secret: str
    script: list[int]
    then: int = 200
    url: str = ""
    received: list[Received] = field(default_factory=list)

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        headers = {key.lower(): value for key, value in request.headers.items()}
        signature_ok = webhooks.verify_signature(
            self.secret,
            headers.get("x-rm-timestamp", ""),
            body,
            headers.get("x-rm-signature", ""),
        )
        status = self.script.pop(0) if self.script else self.then
        self.received.append(Received(headers, body, signature_ok, status, time.time()))
        return Response(status_code=status)


@contextmanager
def running_receiver(secret: str, script: list[int], then: int = 200) -> Iterator[Receiver]:
    receiver = Receiver(secret=secret, script=list(script), then=then)
    app = Starlette(routes=[Route("/hook", receiver.hook, methods=["POST"])])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    receiver.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the webhook receiver did not start")
        time.sleep(0.01)
    try:
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"
