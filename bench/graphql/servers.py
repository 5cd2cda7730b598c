"""Start our server (uvicorn) and the peer (PostGraphile v4 on node) on loopback ports."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

PEER_DIR = Path(__file__).parent / "peer"
POSTGRAPHILE = PEER_DIR / "node_modules" / "postgraphile" / "cli.js"
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Server:
    name: str
    url: str
    workers: int
    pid: int | None = None  # the serving process, when one process serves (one worker)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def install_peer() -> None:
    """`npm ci` the pinned PostGraphile into bench/graphql/peer (once)."""
    if POSTGRAPHILE.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to install the peer (PostGraphile v4)")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PEER_DIR, check=True
    )


def _wait(url: str, process: subprocess.Popen[bytes], probe: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            response = httpx.post(url, json={"query": probe}, timeout=5)
            if response.status_code in (200, 401):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url}: the server did not start")


@contextmanager
def _running(
    command: list[str], env: dict[str, str], url: str, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            _wait(url, process, "{ __typename }")
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def ours(
    database_url: str, var_dir: Path, workers: int, *, fast_path: bool = True
) -> Iterator[Server]:
    """rm-graphql under uvicorn with `workers` processes (bench/graphql/app.py builds the app)."""
    port = free_port()
    env = {
        **os.environ,
        "RM_DATABASE_URL": database_url,
        "RM_VAR_DIR": str(var_dir),
        "RM_LOG_LEVEL": "WARNING",
        "RM_BENCH_FAST_PATH": "1" if fast_path else "0",
    }
    command = [
        sys.executable, "-m", "uvicorn", "bench.graphql.app:create", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log", "--loop", "uvloop", "--http", "httptools",
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}/graphql"
    name = "ours" if fast_path else "ours (no fast path)"
    with _running(command, env, url, var_dir / f"ours-{workers}.log") as process:
        yield Server(name, url, workers, process.pid if workers == 1 else None)


@contextmanager
def postgraphile(database_url: str, log_dir: Path, workers: int) -> Iterator[Server]:
    """PostGraphile v4 over the same database (`--cluster-workers` when more than one)."""
    install_peer()
    port = free_port()
    command = [
        shutil.which("node") or "node", str(POSTGRAPHILE),
        "--connection", database_url, "--schema", "public",
        "--host", "127.0.0.1", "--port", str(port), "--disable-query-log",
    ]  # fmt: skip
    if workers > 1:
        command += ["--cluster-workers", str(workers)]
    env = {**os.environ, "NODE_ENV": "production"}
    url = f"http://127.0.0.1:{port}/graphql"
    with _running(command, env, url, log_dir / f"postgraphile-{workers}.log"):
        yield Server("PostGraphile 4", url, workers)
