"""One sync run in a fresh process, so its peak memory (max RSS) is the sync's own.

Prints one JSON line: wall seconds of the run (imports excluded), the phase timings,
the run's counts and the process's max RSS in MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time

from rm_graphql.config import load_settings
from rm_graphql.db import Database
from rm_graphql.models.enums import ConnectionKind, SyncMode
from rm_graphql.sync import runs
from rm_graphql.sync.progress import SyncProgress
from rm_graphql.sync.sources import SourceConfig


async def run(args: argparse.Namespace) -> dict[str, object]:
    settings = load_settings(database_url=args.database_url)
    database = Database.from_settings(settings)
    options = {"company": "acme", "timeout": 300.0}
    config = SourceConfig(
        ConnectionKind.BAMBOOHR, args.base_url, options, {"api_key": args.api_key}
    )
    marks: dict[str, float] = {}
    progress = SyncProgress(
        listeners=[lambda p: marks.setdefault(p.phase.value, time.perf_counter())]
    )
    mode = SyncMode.INCREMENTAL if args.incremental else SyncMode.FULL
    start = time.perf_counter()
    report = await runs.run_direct(
        database, settings, args.tenant, config, mode=mode, progress=progress
    )
    end = time.perf_counter()
    await database.dispose()
    if report.error is not None:
        raise SystemExit(f"sync failed: {report.error}")
    fetched, planned = marks.get("FETCHING", start), marks.get("PLANNING", end)
    run = report.run
    return {
        "seconds": end - start,
        "fetch_seconds": planned - fetched,
        "apply_seconds": end - planned,
        "created": run.created_count,
        "updated": run.updated_count,
        "unchanged": run.unchanged_count,
        "terminated": run.terminated_count,
        "invalid": run.invalid_count,
        "watermark": run.watermark,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--tenant", default="bench")
    parser.add_argument("--incremental", action="store_true")
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
