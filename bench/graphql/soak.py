"""Sustained load: the program dashboard and `me` for 60 s at 32 connections, SQLite and PostgreSQL.

Run: .venv/bin/python -m bench.graphql.soak [--seconds 60] [--connections 32] [--no-postgres]

Per database, in one run: the benchmark's data set (bench/graphql/seed.py) in a fresh database;
our production app as a web process (one uvicorn worker, bench/graphql/app.py); every answer
checked against plain graphql-core's before any load; then wrk drives each operation for the
given time after a warm-up. Every answer under load is read: a non-200, a socket error, a body
with "errors" or a body of another length counts as an error, and the goal is zero.

The server's execution time is its process CPU time over the run divided by the requests it
answered (HTTP, token verification, GraphQL and the driver; on SQLite the database engine too,
since it runs inside). Beside it, plain graphql-core (bench/graphql/plain.py) answers the same
operation on the same database in this process, back to back: parse, validate, execute with
plain SQL resolvers, encode. Both sides count only their own process's CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
from strawberry.relay import to_base64

from bench.graphql import load, servers
from bench.graphql.plain import Plain
from bench.graphql.queries import OURS_DASHBOARD, OURS_ME
from bench.graphql.run import DEFAULT_SERVER, RESULTS
from bench.graphql.seed import TENANT, Fixture, seed, throwaway_database
from rm_graphql.auth.devtokens import mint_dev_token

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Row:
    database: str
    operation: str
    connections: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu_ms: float
    plain_cpu_ms: float  # documents parsed and validated once (the goal's baseline)
    plain_uncached_cpu_ms: float  # parsed and validated on every request, as graphql_sync does

    @property
    def ratio(self) -> float:
        return self.server_cpu_ms / self.plain_cpu_ms


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.graphql.soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="load per operation (60)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    return parser.parse_args(argv)


def _cpu_seconds(pid: int) -> float:
    """utime + stime of the whole process (every thread), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _databases(postgres: bool, var: Path) -> Iterator[tuple[str, str]]:
    yield "SQLite", f"sqlite+aiosqlite:///{var / 'soak.db'}"
    if postgres:
        server = os.environ.get("RM_BENCH_POSTGRES_URL") or os.environ.get(
            "RM_TEST_POSTGRES_URL", DEFAULT_SERVER
        )
        with throwaway_database(server) as url:
            yield "PostgreSQL", url


def _ours(url: str, query: str, variables: dict[str, object], token: str) -> bytes:
    response = httpx.post(
        url,
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    if response.status_code != 200 or b'"errors"' in response.content:
        raise SystemExit(f"ours: {response.status_code} {response.text[:500]}")
    return response.content


def _measure(database: str, fixture: Fixture, var: Path, args: argparse.Namespace) -> list[Row]:
    admin = mint_dev_token(var, TENANT, "hr@bench.example", ["rm:admin"])
    member = mint_dev_token(var, TENANT, fixture.me_email, ["rm:participant"])
    program = {"id": to_base64("Program", fixture.program_id)}
    operations = [("dashboard", OURS_DASHBOARD, program, admin), ("me", OURS_ME, {}, member)]
    plain = Plain(fixture.database_url, fixture.me_email)
    rows = []
    try:
        with servers.ours(fixture.database_url, var, workers=1) as server:
            assert server.pid is not None
            for name, query, variables, token in operations:
                body = _ours(server.url, query, variables, token)
                if json.loads(body)["data"] != plain.data(query, variables):
                    raise SystemExit(f"{database} {name}: ours and graphql-core differ")
                script = load.script(query, variables, token, expect_length=len(body))
                load.wrk(server.url, script, args.connections, 3.0)  # warm-up
                cpu = _cpu_seconds(server.pid)
                result = load.wrk(server.url, script, args.connections, args.seconds)
                cpu = _cpu_seconds(server.pid) - cpu
                seconds = min(5.0, args.seconds)
                cached = plain.measure(query, variables, seconds, cached=True)
                uncached = plain.measure(query, variables, seconds, cached=False)
                rows.append(
                    Row(database, name, args.connections, args.seconds, result.requests,
                        result.rps, result.p50_ms, result.p99_ms, result.failures + result.wrong,
                        cpu * 1000 / result.requests, cached.cpu_ms, uncached.cpu_ms)
                )  # fmt: skip
                print(_line(rows[-1]), flush=True)
    finally:
        plain.close()
    return rows


def _line(row: Row) -> str:
    return (
        f"{row.database:<11}{row.operation:<10}{row.connections:>5}{row.seconds:>5.0f} s"
        f"{row.requests:>9}{row.rps:>9.1f}{row.p50_ms:>8.2f}{row.p99_ms:>9.2f}{row.errors:>7}"
        f" | {row.server_cpu_ms:>9.3f}{row.plain_cpu_ms:>9.3f}{row.plain_uncached_cpu_ms:>9.3f}"
        f" | {row.ratio:5.2f}x"
    )


HEADER = (
    f"{'database':<11}{'operation':<10}{'conn':>5}{'time':>7}{'requests':>9}{'rps':>9}"
    f"{'p50 ms':>8}{'p99 ms':>9}{'errors':>7} | {'ours CPU':>9}{'plain':>9}{'uncached':>9}"
    " | ours/plain (CPU ms per request; goal <= 1.5x)"
)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    rows: list[Row] = []
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory() as directory:
        var = Path(directory)
        for database, url in _databases(not args.no_postgres, var):
            started = time.perf_counter()
            fixture = seed(url)
            print(f"{database}: seeded {fixture.pairs} pairs in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
            rows += _measure(database, fixture, var, args)
    print("\n" + HEADER)
    for row in rows:
        print(_line(row))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"graphql-soak-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps([asdict(row) | {"ratio": row.ratio} for row in rows], indent=1))
    errors = sum(row.errors for row in rows)
    print(f"\nErrors under load: {errors}. Results: {out.name}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
