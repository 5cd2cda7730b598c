"""p50/p95 of the KPI GraphQL query over HTTP, beside the same SQL aggregates run directly.

Run: .venv/bin/python -m bench.kpis [--quick] [--postgres URL] [--no-postgres]
One program of 2,000 pairs and 20,000 sessions (--quick: 200 and 2,000), on SQLite (a file in
a temporary folder) and on PostgreSQL (a throwaway database on the server at --postgres, else
RM_BENCH_POSTGRES_URL, else RM_TEST_POSTGRES_URL, else the local server; dropped at the end).
The baseline is the aggregate statements alone, in the bench process, through the same driver.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import to_base64

if __package__ in (None, ""):  # run as a script: make `bench` and `rm_graphql` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.path.insert(1, str(Path(__file__).resolve().parents[2] / "src"))

from bench.graphql.seed import throwaway_database
from bench.graphql.servers import free_port
from bench.kpis.seed import FULL, QUICK, TENANT, Seeded, Size, seed
from rm_graphql.auth.devtokens import mint_dev_token
from rm_graphql.config import normalise_database_url
from rm_graphql.db import Database, create_engine
from rm_graphql.kpis import repository, retention_repository, series_repository
from rm_graphql.kpis.figures import KpiScope, Period
from rm_graphql.models import Program

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
WARM_UP = 3
VALUE = "{ value withheld sampleSize }"
KPI_QUERY = f"""query($id: ID!) {{ program(id: $id) {{ kpis {{
  participation {{ invited enrolled eligible ofInvited {VALUE} ofEligible {VALUE} }}
  matching {{ publishedPairs activePairs matchRate {VALUE} acceptanceRate {VALUE}
              declineRate {VALUE} medianDaysToMatch {VALUE} crossDepartmentReach {VALUE} }}
  sessions {{ held minutes perPairPerMonth {VALUE} averageMinutes {VALUE} shareWithinCap {VALUE} }}
  goals {{ goals overall {VALUE} mentorSide {VALUE} menteeSide {VALUE} }}
  satisfaction {{ responses average {VALUE} nps {VALUE} usefulness {VALUE} }}
  skillUplift {{ overall {VALUE} byTopic {{ topicSlug uplift {VALUE} }} }}
  retention {{ mentors {VALUE} matchedMentors {VALUE} comparison {VALUE}
               differencePoints {VALUE} comparisonGroupSize {VALUE} }}
  generationalMix {{ generation share {VALUE} }}
  series(period: MONTH) {{ startsOn sessions {VALUE} minutes {VALUE} newPairs {VALUE}
                           feedback {VALUE} satisfaction {VALUE} }}
}} }} }}"""


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    p95_ms: float


@dataclass
class Samples:
    query: list[float]
    sql: list[float]
    page: list[float]
    held: int = 0


@dataclass(frozen=True)
class Result:
    database: str
    seeded: Seeded
    query: Timing
    sql: Timing
    page: Timing
    held: int


def timing(samples: list[float]) -> Timing:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return Timing(1000 * statistics.median(ordered), 1000 * p95)


async def _aggregates(session: AsyncSession, scope: KpiScope) -> None:
    """Exactly the aggregate statements one full KPI query runs, without HTTP or GraphQL."""
    for query in (
        repository.participation, repository.mentee_matches, repository.pairs,
        repository.time_to_match, repository.sessions, repository.goals,
        repository.satisfaction, repository.uplift_overall, repository.uplift_by_topic,
        retention_repository.retention, retention_repository.generations,
    ):  # fmt: skip
        await query(session, scope)
    for by_period in (
        series_repository.sessions_by_period,
        series_repository.new_pairs_by_period,
        series_repository.feedback_by_period,
    ):
        await by_period(session, scope, Period.MONTH)


@contextmanager
def server(url: str, var_dir: Path) -> Iterator[str]:
    """rm-graphql with the dashboard under uvicorn, one process; yields its base URL."""
    port = free_port()
    env = {**os.environ, "RM_DATABASE_URL": url, "RM_VAR_DIR": str(var_dir),
           "RM_LOG_LEVEL": "WARNING"}  # fmt: skip
    command = [
        sys.executable, "-m", "uvicorn", "bench.kpis.app:create", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with (var_dir / "server.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait(base, process)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=15)


def _wait(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not start")


async def _timed(work: Awaitable[object], into: list[float]) -> None:
    started = time.perf_counter()
    await work
    into.append(time.perf_counter() - started)


async def _interleaved(base: str, token: str, url: str, program_id: int, runs: int) -> Samples:
    """Query, SQL alone and page in turn, so the three see the same machine load."""
    samples = Samples([], [], [])
    database = Database(create_engine(url))
    async with database.transaction(readonly=True) as session:
        tenant = await session.scalar(select(Program.tenant_id).where(Program.id == program_id))
    scope = KpiScope(int(tenant or 0), program_id, datetime.now(UTC))
    program = to_base64("Program", program_id)
    body = {"query": KPI_QUERY, "variables": {"id": program}}
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:

        async def ask() -> None:
            response = await client.post("/graphql", json=body)
            response.raise_for_status()
            assert "errors" not in response.json(), response.text
            samples.held = response.json()["data"]["program"]["kpis"]["sessions"]["held"]

        async def sql_alone() -> None:
            async with database.transaction(readonly=True) as session:
                await _aggregates(session, scope)

        async def page() -> None:
            (await client.get(f"/dashboard/programs/{program}")).raise_for_status()

        for index in range(WARM_UP + runs):
            kept = index >= WARM_UP
            await _timed(ask(), samples.query if kept else [])
            await _timed(sql_alone(), samples.sql if kept else [])
            await _timed(page(), samples.page if kept else [])
    await database.dispose()
    return samples


def measure(name: str, url: str, size: Size, runs: int, var_dir: Path) -> Result:
    print(f"{name}: seeding {size.pairs:,} pairs and {size.sessions:,} sessions ...", flush=True)
    seeded = seed(url, size)
    token = mint_dev_token(var_dir, TENANT, "leader@bench.example", ["rm:kpi"])
    with server(url, var_dir) as base:
        samples = asyncio.run(_interleaved(base, token, url, seeded.program_id, runs))
    return Result(
        name,
        seeded,
        timing(samples.query),
        timing(samples.sql),
        timing(samples.page),
        samples.held,
    )


def postgres_server(explicit: str | None) -> str | None:
    url = explicit or os.environ.get("RM_BENCH_POSTGRES_URL")
    url = url or os.environ.get("RM_TEST_POSTGRES_URL") or DEFAULT_SERVER
    try:
        with psycopg.connect(url, connect_timeout=3):
            return url
    except psycopg.Error as error:
        print(f"PostgreSQL at {url} is not reachable ({error}); SQLite only.", flush=True)
        return None


def report(results: list[Result], runs: int) -> None:
    print(f"\nKPI query (every group, monthly series): {runs} rounds of query, SQL alone and "
          "dashboard page, one after the other\n")  # fmt: skip
    print("| database | pairs / sessions (held) | KPI query over HTTP p50 / p95 | "
          "SQL aggregates alone p50 / p95 | ratio (p50) | dashboard page p50 / p95 |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.database} | {r.seeded.pairs:,} / {r.seeded.sessions:,} ({r.held:,}) | "
            f"{r.query.p50_ms:.1f} / {r.query.p95_ms:.1f} ms | "
            f"{r.sql.p50_ms:.1f} / {r.sql.p95_ms:.1f} ms | {r.query.p50_ms / r.sql.p50_ms:.2f}x | "
            f"{r.page.p50_ms:.1f} / {r.page.p95_ms:.1f} ms |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kpis", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="200 pairs, 2,000 sessions")
    parser.add_argument("--postgres", help="PostgreSQL server URL for the throwaway database")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    size, runs = (QUICK, 20) if args.quick else (FULL, 100)
    results = []
    with tempfile.TemporaryDirectory(prefix="rm-bench-kpis-") as folder:
        sqlite_dir = Path(folder) / "sqlite"
        sqlite_dir.mkdir()
        sqlite_url = f"sqlite+aiosqlite:///{sqlite_dir / 'kpis.db'}"
        results.append(measure("SQLite", sqlite_url, size, runs, sqlite_dir))
        server_url = None if args.no_postgres else postgres_server(args.postgres)
        if server_url:
            postgres_dir = Path(folder) / "postgres"
            postgres_dir.mkdir()
            with throwaway_database(normalise_database_url(server_url)) as url:
                results.append(measure("PostgreSQL", url, size, runs, postgres_dir))
    report(results, runs)
    return 0
