"""Webhook delivery through the job layer, beside plain sequential httpx POSTs to the same receiver.

Run: .venv/bin/python -m bench.jobs [--quick]   (needs PostgreSQL: RM_BENCH_POSTGRES_URL, else
RM_TEST_POSTGRES_URL, else postgresql://postgres@127.0.0.1:5432/postgres; it works in a
throwaway database it drops at the end)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

if __package__ in (None, ""):  # run as a script: make `bench` and `rm_graphql` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.path.insert(1, str(Path(__file__).resolve().parents[2] / "src"))

from rm_graphql import migrate
from rm_graphql.config import load_settings, normalise_database_url
from rm_graphql.db import Database
from rm_graphql.jobs.config import load_jobs_settings
from rm_graphql.jobs.queue import JobQueue
from rm_graphql.jobs.registry import TaskRegistry
from rm_graphql.jobs.worker import open_queue
from rm_graphql.models import DeliveryStatus, Tenant, WebhookDelivery
from rm_graphql.testing.databases import throwaway_postgres
from rm_graphql.webhooks import service as webhooks

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET = "bench-secret-0123456789abcdef"
BODY = b'{"data":{"pair_id":1},"event":"pair.published","id":1}'
DEFER_CHUNK = 1000


@dataclass(frozen=True)
class Plan:
    deliveries: int
    paced: int
    paced_per_second: float
    baseline_posts: int
    concurrency: int


@dataclass(frozen=True)
class Result:
    workers: int
    jobs_per_second: float
    paced_per_second: float
    burst_p95: float
    paced_p50: float
    paced_p95: float
    anchor_per_second: float = 0.0
    worker_cpu_ms_per_job: float = 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def server_url() -> str:
    url = os.environ.get("RM_BENCH_POSTGRES_URL") or os.environ.get("RM_TEST_POSTGRES_URL")
    return url or DEFAULT_ADMIN_URL


@contextlib.contextmanager
def throwaway_database() -> Iterator[str]:
    """A fresh migrated database (our tables and Procrastinate's), dropped at the end."""
    with throwaway_postgres(normalise_database_url(server_url()), "rm_bench_jobs") as url:
        migrate.upgrade(url)
        yield url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, within: float = 20) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


@contextlib.contextmanager
def processes(commands: list[list[str]], env: dict[str, str]) -> Iterator[list[int]]:
    """Child processes (receiver, workers), stopped with SIGTERM at the end."""
    children = [
        subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parents[2])
        for command in commands
    ]
    try:
        yield [child.pid for child in children]
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()


async def sequential_posts(url: str, count: int) -> float:
    """The anchor: one httpx client POSTing signed bodies one after another; POSTs/s."""
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        webhooks.TIMESTAMP_HEADER: timestamp,
        webhooks.SIGNATURE_HEADER: webhooks.sign(SECRET, timestamp, BODY),
    }
    async with httpx.AsyncClient() as client:
        started = time.perf_counter()
        for _ in range(count):
            response = await client.post(url, content=BODY, headers=headers)
            assert response.status_code == 204, response.status_code
        return count / (time.perf_counter() - started)


async def add_deliveries(database: Database, endpoint_id: int, tenant_id: int, n: int) -> list[int]:
    rows = [
        {
            "tenant_id": tenant_id,
            "endpoint_id": endpoint_id,
            "event": "pair.published",
            "payload": {"pair_id": number},
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
        }
        for number in range(n)
    ]
    async with database.transaction() as session:
        result = await session.execute(insert(WebhookDelivery).returning(WebhookDelivery.id), rows)
        return list(result.scalars())


async def wait_delivered(database: Database, ids: list[int], within: float = 900) -> None:
    """Until every delivery is accepted; fail fast if one has failed for good."""
    deadline = time.monotonic() + within
    # The ids of one add_deliveries call are one contiguous range: a cheap query to poll.
    assert max(ids) - min(ids) + 1 == len(ids), "expected one contiguous range of ids"
    query = (
        select(WebhookDelivery.status, func.count())
        .where(WebhookDelivery.id.between(min(ids), max(ids)))
        .group_by(WebhookDelivery.status)
    )
    while True:
        async with database.transaction(readonly=True) as session:
            counts = dict((await session.execute(query)).tuples().all())
        if counts.get(DeliveryStatus.FAILED):
            raise RuntimeError(f"{counts[DeliveryStatus.FAILED]} deliveries failed")
        if counts.get(DeliveryStatus.SUCCEEDED) == len(ids):
            return
        if time.monotonic() > deadline:
            raise RuntimeError("deliveries did not finish in time")
        await asyncio.sleep(0.2)


async def start_delays(database: Database, job_ids: list[int]) -> list[float]:
    """Seconds from each job's defer to its start, from Procrastinate's own event log."""
    query = text(
        "SELECT EXTRACT(EPOCH FROM min(at) FILTER (WHERE type = 'started')"
        " - min(at) FILTER (WHERE type = 'deferred'))"
        " FROM procrastinate_events WHERE job_id = ANY(:ids) GROUP BY job_id"
    )
    async with database.transaction(readonly=True) as session:
        return [float(row[0]) for row in await session.execute(query, {"ids": job_ids})]


async def subscribe(queue: JobQueue, receiver_url: str) -> tuple[int, int]:
    """A tenant and its endpoint; the secret is sealed with the keys the workers open it with."""
    async with queue.database.transaction() as session:
        tenant = Tenant(slug=f"bench-{uuid.uuid4().hex[:8]}", name="Benchmark")
        session.add(tenant)
        await session.flush()
        endpoint = await webhooks.create_endpoint(
            session, tenant.id, queue.secrets, receiver_url, SECRET, ["*"]
        )
        return tenant.id, endpoint.id


async def drive(database_url: str, receiver_url: str, workers: int, plan: Plan) -> Result:
    """A burst of deliveries for throughput, then a paced trickle for defer-to-start latency."""
    settings = load_settings(database_url=database_url)
    database = Database.from_settings(settings)
    try:
        async with open_queue(
            settings, database, jobs_settings=load_jobs_settings(), registry=TaskRegistry()
        ) as queue:
            tenant_id, endpoint_id = await subscribe(queue, receiver_url)
            burst = await add_deliveries(database, endpoint_id, tenant_id, plan.deliveries)
            started = time.perf_counter()
            burst_jobs: list[int] = []
            for first in range(0, len(burst), DEFER_CHUNK):
                burst_jobs += await queue.defer_deliveries(burst[first : first + DEFER_CHUNK])
            await wait_delivered(database, burst)
            rate = len(burst) / (time.perf_counter() - started)
            # Paced at half the measured throughput (at most the plan's rate): no backlog.
            pace = min(plan.paced_per_second, rate / 2)
            paced = await add_deliveries(database, endpoint_id, tenant_id, plan.paced)
            paced_jobs: list[int] = []
            for delivery_id in paced:
                paced_jobs += await queue.defer_deliveries([delivery_id])
                await asyncio.sleep(1 / pace)
            await wait_delivered(database, paced)
            burst_delays = await start_delays(database, burst_jobs)
            paced_delays = await start_delays(database, paced_jobs)
    finally:
        await database.dispose()
    return Result(
        workers=workers,
        jobs_per_second=rate,
        paced_per_second=pace,
        burst_p95=percentile(burst_delays, 0.95),
        paced_p50=percentile(paced_delays, 0.50),
        paced_p95=percentile(paced_delays, 0.95),
    )


def registered_workers(database_url: str) -> int:
    conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo) as connection:
        row = connection.execute("SELECT count(*) FROM procrastinate_workers").fetchone()
    return int(row[0]) if row else 0


def with_workers(database_url: str, receiver_url: str, workers: int, plan: Plan) -> Result:
    env = {**os.environ, "RM_DATABASE_URL": database_url, "RM_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "rm_graphql.jobs.worker", "--queue", "fast"]
    command += ["--concurrency", str(plan.concurrency)]
    with processes([command] * workers, env) as pids:
        deadline = time.monotonic() + 60
        while registered_workers(database_url) < workers:
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not start")
            time.sleep(0.1)
        cpu_before = cpu_seconds(pids)
        result = asyncio.run(drive(database_url, receiver_url, workers, plan))
        cpu_per_job = (cpu_seconds(pids) - cpu_before) / (plan.deliveries + plan.paced)
    return dataclasses.replace(result, worker_cpu_ms_per_job=cpu_per_job * 1000)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes, from /proc (Linux); 0 where unavailable."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def report(plan: Plan, results: list[Result]) -> None:
    print(
        f"\nwebhook deliveries: {plan.deliveries} in a burst, then {plan.paced} paced; "
        f"worker concurrency {plan.concurrency}; {os.cpu_count()} CPUs\n"
        f"anchor: {plan.baseline_posts} sequential httpx POSTs to the same receiver, "
        "measured just before each row"
    )
    print(
        f"\n{'workers':>7} {'jobs/s':>8} {'anchor/s':>9} {'ratio':>6} "
        f"{'paced/s':>8} {'p50 start':>10} {'p95 start':>10} {'burst p95 wait':>15}"
        f" {'worker CPU/job':>15}"
    )
    for r in results:
        print(
            f"{r.workers:>7} {r.jobs_per_second:>8,.0f} {r.anchor_per_second:>9,.0f} "
            f"{r.jobs_per_second / r.anchor_per_second:>6.2f} {r.paced_per_second:>8.0f} "
            f"{r.paced_p50 * 1000:>8.1f}ms {r.paced_p95 * 1000:>8.1f}ms {r.burst_p95:>14.1f}s"
            f" {r.worker_cpu_ms_per_job:>13.1f}ms"
        )
    print(
        "\njobs/s: the burst, from the first defer to the last delivery accepted."
        "\np50/p95 start: defer to start of the paced jobs (Procrastinate's event times);"
        " burst p95 wait: the same for the burst, queueing included."
        "\nworker CPU/job: user + system CPU of the worker processes over both phases, per job."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--concurrency", type=int, default=16, help="jobs at once per worker")
    args = parser.parse_args(argv)
    if args.quick:
        plan = Plan(500, 100, 100.0, 500, args.concurrency)
    else:
        plan = Plan(10_000, 500, 100.0, 2_000, args.concurrency)
    port = free_port()
    receiver = [sys.executable, "-m", "bench.jobs.receiver", "--port", str(port)]
    receiver_url = f"http://127.0.0.1:{port}/hook"
    results = []
    with (
        throwaway_database() as database_url,
        processes([[*receiver, "--secret", SECRET]], dict(os.environ)),
    ):
        wait_for_port(port)
        for workers in (1, 2):
            anchor = asyncio.run(sequential_posts(receiver_url, plan.baseline_posts))
            result = with_workers(database_url, receiver_url, workers, plan)
            results.append(dataclasses.replace(result, anchor_per_second=anchor))
    report(plan, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
