"""Real worker processes (`python -m rm_graphql.jobs.worker`) for the PostgreSQL tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parents[2]
FAST_ENV = {
    "RM_WORKER_POLL_SECONDS": "0.1",
    "RM_WORKER_HEARTBEAT_SECONDS": "0.5",
    "RM_WORKER_SHUTDOWN_SECONDS": "5",
    "RM_JOBS_STALLED_SECONDS": "2",
    "RM_JOBS_STALLED_CRON": "* * * * * *",
    "RM_LOG_LEVEL": "WARNING",
}


class Workers:
    """Spawns worker processes on one database and stops them all at the end."""

    def __init__(self, database_url: str, log_dir: Path) -> None:
        self.database_url = database_url
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def spawn(
        self, name: str, registry: str = "tests.jobs.handlers:registry"
    ) -> subprocess.Popen[bytes]:
        env = {**os.environ, **FAST_ENV, "RM_DATABASE_URL": self.database_url}
        log = (self.log_dir / f"{name}.log").open("wb")
        command = [sys.executable, "-m", "rm_graphql.jobs.worker", "--concurrency", "4"]
        command += ["--name", name, "--registry", registry]
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def registered_workers(database_url: str) -> int:
    """How many workers have registered with Procrastinate (a started worker registers)."""
    conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo) as connection:
        row = connection.execute("SELECT count(*) FROM procrastinate_workers").fetchone()
    return int(row[0]) if row else 0


@contextmanager
def worker_pool(database_url: str, log_dir: Path) -> Iterator[Workers]:
    workers = Workers(database_url, log_dir)
    try:
        yield workers
    finally:
        workers.stop_all()
