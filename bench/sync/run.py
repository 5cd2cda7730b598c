"""Sync of 50,000 employees from the fake BambooHR beside plain httpx downloads of the same pages.

Run: .venv/bin/python -m bench.sync [--quick] [--postgres URL] [--employees N]

For SQLite and for PostgreSQL (a throwaway database, dropped at the end) it measures, in
the same run against the same fake (its own process, its report cache warmed first):
  - a full sync (a fresh process per run: its max RSS is the sync's peak memory)
    beside downloading the same report with plain httpx (goal: sync <= 1.5x download),
    the bytes alone and then parsed whole with response.json();
  - a second full sync with nothing changed (idempotent: nothing written);
  - an incremental sync after 1 % of the people changed (goal: <= 5 % of the full sync),
    beside downloading the same change feed and filtered report.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

if __package__ in (None, ""):  # run as a script: make `bench` and `rm_graphql` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.path.insert(1, str(Path(__file__).resolve().parents[2] / "src"))

from rm_graphql import migrate
from rm_graphql.config import normalise_database_url
from rm_graphql.connectors.bamboohr.client import ALWAYS_REQUESTED
from rm_graphql.connectors.mapping import load_profile
from rm_graphql.testing.databases import throwaway_postgres
from rm_graphql.testing.tokens import derived_secret

REPO = Path(__file__).resolve().parents[2]
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
SEED = 7
OVERLAP = timedelta(minutes=5)  # what the connector subtracts from the watermark
Result = dict[str, Any]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def fake_server(employees: int) -> Iterator[str]:
    """The fake BambooHR in its own process; yields its base URL once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "bench.sync.fake", "--employees", str(employees),
               "--port", str(port), "--seed", str(SEED)]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base_url}/_bench/warm", timeout=120).status_code == 200:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the fake BambooHR did not start")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def database(backend: str, postgres: str, folder: Path) -> Iterator[str]:
    """A freshly migrated database; a PostgreSQL one is dropped afterwards."""
    if backend == "sqlite":
        path = folder / f"bench-sync-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite+aiosqlite:///{path}"
        migrate.upgrade(url)
        try:
            yield url
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    with throwaway_postgres(normalise_database_url(postgres), "rm_bench_sync") as url:
        migrate.upgrade(url)
        yield url


def sync_once(database_url: str, base_url: str, *, incremental: bool = False) -> Result:
    """One sync in a fresh process (bench.sync.worker); its JSON line."""
    key = derived_secret(SEED, "bamboohr-api-key")
    command = [sys.executable, "-m", "bench.sync.worker", "--database-url", database_url,
               "--base-url", base_url, "--api-key", key]  # fmt: skip
    if incremental:
        command.append("--incremental")
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"sync failed: {done.stderr[-2000:]}")
    result: Result = json.loads(done.stdout.strip().splitlines()[-1])
    return result


class Downloader:
    """Plain httpx: the same requests the connector sends, nothing else."""

    def __init__(self, base_url: str) -> None:
        self.api = f"{base_url}/api/gateway.php/acme/v1"
        key = derived_secret(SEED, "bamboohr-api-key")
        self.client = httpx.Client(auth=(key, "x"), headers={"Accept": "application/json"},
                                   timeout=300)  # fmt: skip
        fields = load_profile("bamboohr").source_fields()
        self.fields = list(dict.fromkeys([*ALWAYS_REQUESTED, *fields]))

    def report(self, since: str | None, decode: bool) -> int:
        body: dict[str, Any] = {"title": "rm-graphql sync", "fields": self.fields}
        if since is not None:
            body["filters"] = {"lastChanged": {"includeNull": "no", "value": since}}
        response = self.client.post(f"{self.api}/reports/custom", params={"format": "json"},
                                    json=body)  # fmt: skip
        response.raise_for_status()
        if decode:
            response.json()
        return len(response.content)

    def changes(self, since: str, decode: bool) -> int:
        response = self.client.get(f"{self.api}/employees/changed", params={"since": since})
        response.raise_for_status()
        if decode:
            response.json()
        return len(response.content) + self.report(since, decode)


def best_of(times: int, action: Callable[[], object]) -> float:
    """The fastest of a few runs (the first one warms the fake's caches too)."""
    timings = []
    for _ in range(times):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def bench_backend(backend: str, employees: int, postgres: str, folder: Path) -> Result:
    """Every figure for one database, against one fresh fake."""
    with fake_server(employees) as base_url, database(backend, postgres, folder) as url:
        download = Downloader(base_url)
        result: Result = {"backend": backend, "employees": employees}
        result["download_bytes"] = download.report(None, decode=False)
        result["download_s"] = best_of(3, lambda: download.report(None, decode=False))
        result["download_json_s"] = best_of(3, lambda: download.report(None, decode=True))
        result["full"] = sync_once(url, base_url)
        result["again"] = sync_once(url, base_url)
        since = _since(result["full"]["watermark"])
        result["changes"] = httpx.post(f"{base_url}/_bench/advance?days=7", timeout=300).json()
        httpx.get(f"{base_url}/_bench/warm", timeout=300)
        result["inc_download_s"] = best_of(3, lambda: download.changes(since, decode=False))
        result["incremental"] = sync_once(url, base_url, incremental=True)
        return result


def _since(watermark: str) -> str:
    moment = datetime.fromisoformat(watermark) - OVERLAP
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def lines(item: Result) -> list[str]:
    """One backend's figures, each beside its anchor."""
    full, again, inc = item["full"], item["again"], item["incremental"]
    changed = sum(item["changes"][key] for key in ("joined", "left", "updated"))
    written = again["created"] + again["updated"] + again["terminated"]
    return [
        f"{item['backend']}: {item['employees']:,} employees, "
        f"{item['download_bytes'] / 1e6:.1f} MB report",
        f"  full sync            {full['seconds']:6.2f} s (fetch+map "
        f"{full['fetch_seconds']:.2f} s, plan+write {full['apply_seconds']:.2f} s; "
        f"created {full['created']:,})",
        f"  plain httpx download {item['download_s']:6.2f} s (+ JSON decoding: "
        f"{item['download_json_s']:.2f} s)",
        f"  ratio                {full['seconds'] / item['download_s']:6.1f} x "
        f"(vs download + JSON {full['seconds'] / item['download_json_s']:.1f} x; goal <= 1.5 x)",
        f"  unchanged rerun      {again['seconds']:6.2f} s (unchanged {again['unchanged']:,}, "
        f"rows written {written})",
        f"  incremental          {inc['seconds']:6.2f} s ({changed} changed, "
        f"{changed / item['employees']:.1%}) = {inc['seconds'] / full['seconds']:.1%} of the full "
        f"sync (goal <= 5 %); its feed downloads in {item['inc_download_s']:.2f} s",
        f"  peak memory          full {full['max_rss_mb']:.0f} MB (fetch phase alone "
        f"{full['fetch_peak_mb']:.0f} MB), unchanged rerun {again['max_rss_mb']:.0f} MB, "
        f"incremental {inc['max_rss_mb']:.0f} MB (goal <= 250 MB)",
    ]


def print_results(results: list[Result]) -> None:
    for item in results:
        print("\n".join(["", *lines(item)]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sync",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="5,000 employees")
    parser.add_argument("--employees", type=int, help="override the number of employees")
    parser.add_argument("--postgres", help="server URL (default RM_TEST_POSTGRES_URL or local)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    employees = args.employees or (5_000 if args.quick else 50_000)
    postgres = args.postgres or os.environ.get("RM_TEST_POSTGRES_URL") or DEFAULT_POSTGRES
    backends = ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as folder:
        results = [bench_backend(b, employees, postgres, Path(folder)) for b in backends]
    print_results(results)
    return 0
