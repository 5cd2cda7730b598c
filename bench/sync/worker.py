"""One sync run in a fresh process, so its peak memory is the sync's own.

Before the clock starts it warms up what a long-running worker keeps warm (a pooled
database connection, the time-zone table the mapping checks against, the HTTP modules
and TLS context a connector loads).

Prints one JSON line: wall seconds of the run (imports excluded), the phase timings,
the run's counts, and the process's peak RSS overall and at the end of fetching.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from typing import Any

from sqlalchemy import text

from rm_graphql.config import load_settings
from rm_graphql.connectors.mapping import load_profile
from rm_graphql.db import Database
from rm_graphql.models.enums import ConnectionKind, SyncMode
from rm_graphql.sync import runs
from rm_graphql.sync.progress import SyncProgress
from rm_graphql.sync.sources import SourceConfig, build_connector


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM); ru_maxrss would include the parent's, on Linux."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


class Phases:
    """When each phase started, and the peak memory by then."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.peak: dict[str, float] = {}

    def __call__(self, progress: SyncProgress) -> None:
        self.started.setdefault(progress.phase.value, time.perf_counter())
        self.peak.setdefault(progress.phase.value, peak_rss_mb())


async def warm_up(database: Database, config: SourceConfig) -> None:
    """What a long-running worker has: a pooled connection, time zones, HTTP modules, TLS."""
    async with database.transaction(readonly=True) as session:
        await session.execute(text("SELECT 1"))
    load_profile("bamboohr").map({"id": "0", "displayName": "Warm Up", "customTimezone": "UTC"})
    await build_connector(config).aclose()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = load_settings(database_url=args.database_url)
    database = Database.from_settings(settings)
    options = {"company": "acme", "timeout": 300.0}
    credentials = {"api_key": args.api_key}
    config = SourceConfig(ConnectionKind.BAMBOOHR, args.base_url, options, credentials)
    await warm_up(database, config)
    phases = Phases()
    mode = SyncMode.INCREMENTAL if args.incremental else SyncMode.FULL
    start = time.perf_counter()
    report = await runs.run_direct(
        database,
        settings,
        args.tenant,
        config,
        mode=mode,
        progress=SyncProgress(listeners=[phases]),
    )
    end = time.perf_counter()
    await database.dispose()
    if report.error is not None:
        raise SystemExit(f"sync failed: {report.error}")
    fetching, planning = phases.started.get("FETCHING", start), phases.started.get("PLANNING", end)
    run = report.run
    return {
        "seconds": end - start,
        "fetch_seconds": planning - fetching,
        "apply_seconds": end - planning,
        "created": run.created_count,
        "updated": run.updated_count,
        "unchanged": run.unchanged_count,
        "terminated": run.terminated_count,
        "invalid": run.invalid_count,
        "watermark": run.watermark,
        "max_rss_mb": peak_rss_mb(),
        "fetch_peak_mb": phases.peak.get("PLANNING", 0.0),
    }


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--tenant", default="bench")
    parser.add_argument("--incremental", action="store_true")
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
