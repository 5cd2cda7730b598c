"""Our GraphQL read path against PostGraphile v4 on the same PostgreSQL and the same data.

Run: .venv/bin/python -m bench.graphql [--quick] [--normal]
Needs PostgreSQL (RM_BENCH_POSTGRES_URL, else RM_TEST_POSTGRES_URL, else the local server),
node and npm (PostGraphile is installed into bench/graphql/peer on first use) and wrk.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.graphql import floor, load, servers
from bench.graphql.queries import OURS_DASHBOARD, Operation, operations
from bench.graphql.seed import TENANT, Fixture, seed, throwaway_database
from rm_graphql.auth.devtokens import mint_dev_token

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"


@dataclass(frozen=True)
class Row:
    operation: str
    workers: int
    connections: int
    system: str
    rps: float
    p50_ms: float
    p99_ms: float
    failures: int


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.graphql", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 s per measurement")
    parser.add_argument("--seconds", type=float, help="seconds per measurement (default 20)")
    parser.add_argument("--workers", default="1,2", help="worker processes to try (1,2)")
    parser.add_argument("--connections", default="32,1", help="wrk connections (32,1)")
    parser.add_argument("--only", help="measure only operations whose name contains this")
    parser.add_argument(
        "--normal", action="store_true", help="also measure ours with the fast path off"
    )
    return parser.parse_args(argv)


def _tokens(key_dir: Path, fixture: Fixture) -> dict[str, str]:
    admin = mint_dev_token(key_dir, TENANT, "hr@bench.example", ["rm:admin"])
    member = mint_dev_token(key_dir, TENANT, fixture.me_email, ["rm:participant"])
    return {"admin": admin, "participant": member}


def _post(url: str, query: str, variables: dict[str, Any], token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        url, json={"query": query, "variables": variables}, headers=headers, timeout=120
    )
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise SystemExit(f"{url}: {response.status_code} {body.get('errors')}")
    return body["data"]


def check_same(operation: Operation, ours: list[servers.Server], peer: servers.Server,
               tokens: dict[str, str]) -> None:  # fmt: skip
    """Every server answers the operation with the same data (mapped to one shape)."""
    expected = operation.peer_shape(_post(peer.url, operation.peer, operation.peer_variables, None))
    for server in ours:
        data = _post(server.url, operation.ours, operation.ours_variables, tokens[operation.caller])
        if operation.ours_shape(data) != expected:
            raise SystemExit(f"{server.name} and {peer.name} differ on {operation.name}")


def _measure(server: servers.Server, operation: Operation, token: str | None, connections: int,
             seconds: float) -> Row:  # fmt: skip
    is_peer = server.name.startswith("PostGraphile")
    query = operation.peer if is_peer else operation.ours
    variables = operation.peer_variables if is_peer else operation.ours_variables
    script = load.script(query, variables, None if is_peer else token)
    load.wrk(server.url, script, connections, min(2.0, seconds))  # warm up (V8's JIT, caches)
    result = load.wrk(server.url, script, connections, seconds)
    return Row(operation.name, server.workers, connections, server.name, result.rps,
               result.p50_ms, result.p99_ms, result.failures)  # fmt: skip


@contextmanager
def _servers(fixture: Fixture, var_dir: Path, workers: int, normal: bool
             ) -> Iterator[tuple[list[servers.Server], servers.Server]]:  # fmt: skip
    with ExitStack() as stack:
        ours = [stack.enter_context(servers.ours(fixture.database_url, var_dir, workers))]
        if normal:
            ours.append(
                stack.enter_context(
                    servers.ours(fixture.database_url, var_dir, workers, fast_path=False)
                )
            )
        peer = stack.enter_context(servers.postgraphile(fixture.database_url, var_dir, workers))
        yield ours, peer


def _print_floor(fixture: Fixture, ops: list[Operation]) -> dict[str, Any]:
    root = floor.load_root(fixture.database_url, fixture.program_id)
    report = {}
    print("In-process floor (graphql-core on in-memory dicts, best of 20):")
    for operation in ops[:2]:
        result = floor.measure(operation.ours, operation.ours_variables, root, runs=20)
        per_field = result.execute_ms * 1000 / result.leaf_fields
        print(
            f"  {operation.name:<16} {result.leaf_fields:>5} leaf fields: execute "
            f"{result.execute_ms:6.2f} ms ({per_field:.1f} µs/field), "
            f"json {result.encode_ms:.2f} ms"
        )
        report[operation.name] = asdict(result)
    return report


def _print_table(rows: list[Row]) -> None:
    peer = {(r.operation, r.workers, r.connections): r for r in rows if "PostGraphile" in r.system}
    print(f"\n{'operation':<18}{'w':>2}{'conn':>5} | {'system':<20}{'rps':>9}{'p50 ms':>9}"
          f"{'p99 ms':>9} | {'PostGraphile rps':>16}{'p50':>8}{'p99':>8} | ratio")  # fmt: skip
    for row in rows:
        if "PostGraphile" in row.system:
            continue
        other = peer[(row.operation, row.workers, row.connections)]
        flag = (
            ""
            if row.failures == other.failures == 0
            else f"  (failures {row.failures}/{other.failures})"
        )
        print(
            f"{row.operation:<18}{row.workers:>2}{row.connections:>5} | {row.system:<20}"
            f"{row.rps:>9.1f}{row.p50_ms:>9.2f}{row.p99_ms:>9.2f} | {other.rps:>16.1f}"
            f"{other.p50_ms:>8.2f}{other.p99_ms:>8.2f} | {row.rps / other.rps:5.2f}x{flag}"
        )


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    seconds = args.seconds or (3.0 if args.quick else 20.0)
    server_url = os.environ.get("RM_BENCH_POSTGRES_URL") or os.environ.get(
        "RM_TEST_POSTGRES_URL", DEFAULT_SERVER
    )
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as var, throwaway_database(server_url) as url:
        started = time.perf_counter()
        fixture = seed(url)
        print(f"Seeded {fixture.pairs} pairs in {time.perf_counter() - started:.1f} s")
        tokens, ops = _tokens(Path(var), fixture), operations(fixture)
        floor_report = _print_floor(fixture, ops)
        ops = [op for op in ops if not args.only or args.only in op.name]
        for workers in (int(w) for w in args.workers.split(",")):
            with _servers(fixture, Path(var), workers, args.normal) as (ours, peer):
                for operation in ops:
                    check_same(operation, ours, peer, tokens)
                    for connections in (int(c) for c in args.connections.split(",")):
                        for server in [*ours, peer]:
                            rows.append(_measure(server, operation, tokens[operation.caller],
                                                 connections, seconds))  # fmt: skip
                            print(rows[-1], flush=True)
    _print_table(rows)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"graphql-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"floor": floor_report, "rows": [asdict(r) for r in rows]}, indent=1))
    print(f"\nSame data checked on every operation before loading. Results: {out.name}")
    return 0


__all__ = ["OURS_DASHBOARD", "main"]
