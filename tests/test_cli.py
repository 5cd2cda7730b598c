"""The rm-graphql command: version, migrate, and serve over real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rm_graphql import __version__


def _rm_graphql(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rm_graphql.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "RM_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_version(env: dict[str, str]) -> None:
    result = _rm_graphql("version", env=env)
    assert result.returncode == 0
    assert result.stdout.strip() == f"rm-graphql {__version__}"


def test_bad_configuration_is_one_line_and_exit_two(env: dict[str, str]) -> None:
    result = _rm_graphql("version", env={**env, "RM_PORT": "not-a-port"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "RM_PORT" in result.stderr


def test_migrate_up_down_up(env: dict[str, str]) -> None:
    assert _rm_graphql("migrate", env=env).returncode == 0
    assert _rm_graphql("migrate", "--downgrade", "base", env=env).returncode == 0
    assert _rm_graphql("migrate", env=env).returncode == 0


@pytest.fixture
def served(env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rm_graphql.cli", "serve", "--migrate", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_answers_health_readiness_and_graphql(served: str) -> None:
    assert httpx.get(f"{served}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{served}/readyz").json() == {"status": "ok"}
    response = httpx.post(f"{served}/graphql", json={"query": "{ apiVersion }"})
    assert response.json() == {"data": {"apiVersion": __version__}}
