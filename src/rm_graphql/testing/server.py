"""Serve an ASGI app on loopback: in a background thread, or as a task in the running loop."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import uvicorn
from starlette.types import ASGIApp

LOOPBACK = "127.0.0.1"


def _bind(host: str, port: int) -> socket.socket:
    """A bound socket; port 0 asks the OS for a free one."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def _server(app: ASGIApp) -> uvicorn.Server:
    """A quiet uvicorn server that does not wait long for slow requests on shutdown."""
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="auto",
        timeout_graceful_shutdown=1,
    )
    return uvicorn.Server(config)


def _base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


@contextmanager
def running_server(app: ASGIApp, *, host: str = LOOPBACK, port: int = 0) -> Iterator[str]:
    """Run `app` in a background thread and yield its base URL; stop it on exit."""
    sock = _bind(host, port)
    server = _server(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("fake server failed to start")
            time.sleep(0.01)
        yield _base_url(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@asynccontextmanager
async def running_server_async(
    app: ASGIApp, *, host: str = LOOPBACK, port: int = 0
) -> AsyncIterator[str]:
    """Run `app` as a task in the current event loop and yield its base URL."""
    sock = _bind(host, port)
    server = _server(app)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("fake server failed to start")
            await asyncio.sleep(0.01)
        yield _base_url(sock)
    finally:
        server.should_exit = True
        await task
        sock.close()
