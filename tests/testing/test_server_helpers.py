"""Serving apps on loopback and the fake-hris launcher."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from rm_graphql.testing import KINDS, build_fake, running_server, running_server_async


def hello_app() -> Starlette:
    return Starlette(routes=[Route("/", lambda _: PlainTextResponse("hello"))])


def test_threaded_server_serves_on_loopback_and_stops() -> None:
    with running_server(hello_app()) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert httpx.get(base_url).text == "hello"
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url)


async def test_async_server_runs_in_the_current_loop() -> None:
    async with running_server_async(hello_app()) as base_url, httpx.AsyncClient() as client:
        assert (await client.get(base_url)).text == "hello"


def test_build_fake_knows_every_kind() -> None:
    for kind in KINDS:
        fake = build_fake(kind, employees=20, seed=2)
        assert fake.kind == kind
        assert len(fake.org.current()) == 20
    with pytest.raises(ValueError, match="unknown fake HRIS"):
        build_fake("adp")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_fake_prints_credentials_and_serves_until_stopped() -> None:
    port = free_port()
    code = f"from rm_graphql.testing import serve_fake; serve_fake('scim', 30, {port}, 4)"
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        assert lines[0].startswith(
            f"fake scim with 30 employees (seed 4) at http://127.0.0.1:{port}"
        )
        token = lines[2].split(": ", 1)[1].strip()
        url = f"http://127.0.0.1:{port}/scim/v2/Users"
        deadline = time.monotonic() + 10
        while True:
            try:
                response = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert response.json()["totalResults"] == 30
    finally:
        process.terminate()
        process.wait(timeout=10)
