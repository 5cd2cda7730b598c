"""The rm-graphql command: version, migrate, and serve over real HTTP."""

from __future__ import annotations

import asyncio
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
    return {
        **os.environ,
        "RM_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "RM_VAR_DIR": str(tmp_path / "var"),
    }


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


def test_serve_answers_health_readiness_and_graphql(served: str, env: dict[str, str]) -> None:
    assert httpx.get(f"{served}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{served}/readyz").json() == {"status": "ok"}
    query = {"query": "{ apiVersion }"}
    assert httpx.post(f"{served}/graphql", json=query).status_code == 401
    token = _rm_graphql("token", "--tenant", "acme", "--subject", "a@example.com", env=env)
    headers = {"Authorization": f"Bearer {token.stdout.strip()}"}
    response = httpx.post(f"{served}/graphql", json=query, headers=headers)
    assert response.json() == {"data": {"apiVersion": __version__}}


def test_token_prints_a_development_token_the_server_accepts(
    env: dict[str, str], tmp_path: Path
) -> None:
    env = {**env, "RM_VAR_DIR": str(tmp_path / "var")}
    result = _rm_graphql(
        "token",
        "--tenant",
        "acme",
        "--subject",
        "alice@example.com",
        "--scopes",
        "rm:admin",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    from rm_graphql.auth.devtokens import dev_token_validator

    principal = asyncio.run(dev_token_validator(tmp_path / "var").validate(result.stdout.strip()))
    assert (principal.tenant, principal.subject) == ("acme", "alice@example.com")


def test_token_is_refused_in_production(env: dict[str, str]) -> None:
    production = {
        **env,
        "RM_ENV": "production",
        "RM_SECRET_KEY": "s" * 40,
        "RM_ENCRYPTION_KEYS": "e" * 40,
        "RM_AUTH_ISSUER": "https://id.example.com/",
        "RM_AUTH_JWKS_URL": "https://id.example.com/jwks.json",
    }
    result = _rm_graphql("token", "--tenant", "acme", "--subject", "a@b.c", env=production)
    assert result.returncode == 2
    assert "refused in production" in result.stderr


def test_match_plans_pairs_from_a_spreadsheet(env: dict[str, str], tmp_path: Path) -> None:
    data = Path(__file__).parent / "pairing" / "data"
    output = tmp_path / "pairs.csv"
    result = _rm_graphql(
        "match",
        "--participants",
        str(data / "participants.csv"),
        "--rules",
        str(data / "rules.toml"),
        "--output",
        str(output),
        "--explain",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    header, *rows = output.read_text().splitlines()
    assert header.startswith("mentor_id,mentee_id,score")
    assert rows


def test_a_separate_worker_needs_postgresql(env: dict[str, str]) -> None:
    result = _rm_graphql("worker", "--concurrency", "2", env=env)
    assert result.returncode != 0
    assert "PostgreSQL" in result.stdout + result.stderr
