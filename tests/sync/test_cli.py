"""`rm-graphql sync` as a subprocess against fake HRIS servers, including kill -9 mid-run."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select as sql_select

from rm_graphql import migrate
from rm_graphql.config import load_settings
from rm_graphql.db import Database, create_engine
from rm_graphql.models import SyncRun, Tenant
from rm_graphql.models.enums import ConnectionKind
from rm_graphql.security import secret_box
from rm_graphql.sync import connections, runs
from rm_graphql.sync.sources import SourceConfig
from rm_graphql.testing import FakeBambooHR, FakeSCIM, FakeWorkday, Organisation, running_server
from tests.support.people import create_tenant

from .conftest import Fake
from .support import admin, employee_state
from .test_rules import export, person

REPO = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-m", "rm_graphql.sync.cli", "sync"]


def cli_env(database_url: str, folder: Path) -> dict[str, str]:
    return {**os.environ, "RM_DATABASE_URL": database_url, "RM_VAR_DIR": str(folder),
            "RM_LOG_LEVEL": "WARNING"}  # fmt: skip


@pytest.fixture(scope="module")
def sqlite_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One SQLite database for the command's own behaviour (the kill test runs on both)."""
    folder = tmp_path_factory.mktemp("sync-cli")
    url = f"sqlite+aiosqlite:///{folder / 'cli.db'}"
    migrate.upgrade(url)
    return cli_env(url, folder)


def rm_sync(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def summary(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stdout + result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def bamboo_args(bamboo: Fake, tenant: str) -> list[str]:
    fake, base_url = bamboo
    return ["bamboohr", "--base-url", base_url, "--company", fake.company,
            "--api-key", fake.api_key, "--tenant", tenant, "--timeout", "5"]  # fmt: skip


def tenant_slug() -> str:
    return f"cli-{uuid.uuid4().hex[:10]}"


def test_full_dry_run_and_incremental_syncs_from_bamboohr(
    sqlite_env: dict[str, str], bamboo: Fake
) -> None:
    env = sqlite_env
    fake, _ = bamboo
    tenant = tenant_slug()
    full = summary(rm_sync(env, *bamboo_args(bamboo, tenant), "--json"))
    assert (full["status"], full["created"]) == ("SUCCEEDED", len(fake.org.current()))
    changes = fake.org.advance(days=30)
    dry = rm_sync(env, "--dry-run", *bamboo_args(bamboo, tenant), "--show", "500")
    assert dry.returncode == 0, dry.stderr
    assert "dry run: nothing written" in dry.stdout
    leaver = fake.org.people[changes.left[0]]
    assert f"│ TERMINATED │ {leaver.bamboo_id}" in dry.stdout
    assert "status: ACTIVE → TERMINATED" in dry.stdout
    later = summary(rm_sync(env, *bamboo_args(bamboo, tenant), "--incremental", "--json"))
    assert (later["created"], later["terminated"]) == (len(changes.joined), len(changes.left))


def test_a_failing_source_exits_non_zero_with_the_reason(
    sqlite_env: dict[str, str], bamboo: Fake
) -> None:
    env = sqlite_env
    fake, _ = bamboo
    fake.faults.drop_fields("customTimezone")
    result = rm_sync(env, *bamboo_args(bamboo, tenant_slug()))
    assert result.returncode == 1
    assert "FAILED" in result.stdout
    assert "FieldMismatchError" in result.stdout
    assert "customTimezone" in result.stdout
    usage = rm_sync(env, "bamboohr", "--company", "acme", "--tenant", "t")
    assert usage.returncode == 2
    assert "credentials.api_key" in usage.stderr


def test_workday_scim_and_csv_sources(sqlite_env: dict[str, str], tmp_path: Path) -> None:
    env = sqlite_env
    org = Organisation(seed=12, size=50)
    workday, scim = FakeWorkday(org), FakeSCIM(org)
    with running_server(workday.app) as workday_url, running_server(scim.app) as scim_url:
        wd = workday.credentials(workday_url)
        result = rm_sync(env, "workday", "--base-url", workday_url, "--workday-tenant",
                         wd["tenant"], "--client-id", wd["client_id"], "--client-secret",
                         wd["client_secret"], "--refresh-token", wd["refresh_token"],
                         "--tenant", tenant_slug(), "--json")  # fmt: skip
        assert summary(result)["created"] == len(org.employed())
        token = scim.credentials(scim_url)["token"]
        result = rm_sync(env, "scim", "--base-url", scim.credentials(scim_url)["base_url"],
                         "--token", token, "--tenant", tenant_slug(), "--json")  # fmt: skip
        assert summary(result)["created"] == len(org.current())
    csv_file = export(tmp_path, person("1"), person("2", manager_id="1")).config.path
    result = rm_sync(env, "csv", str(csv_file), "--tenant", tenant_slug(), "--json")
    assert summary(result)["created"] == 2


def test_a_stored_connection_by_name(sqlite_env: dict[str, str], bamboo: Fake) -> None:
    fake, base_url = bamboo
    tenant = tenant_slug()
    asyncio.run(store_connection(sqlite_env["RM_DATABASE_URL"], tenant, fake, base_url))
    result = rm_sync(sqlite_env, "--connection", "hr", "--tenant", tenant, "--json")
    assert summary(result)["created"] == len(fake.org.current())
    missing = rm_sync(sqlite_env, "--connection", "nope", "--tenant", tenant)
    assert missing.returncode == 1
    assert "no HRIS connection named 'nope'" in missing.stderr


async def store_connection(url: str, slug: str, fake: FakeBambooHR, base_url: str) -> None:
    """A stored API-key connection named "hr", written the way the API writes it."""
    settings = load_settings(database_url=url)
    database = Database(create_engine(url))
    spec = connections.ConnectionSpec(
        name="hr", kind=ConnectionKind.BAMBOOHR, base_url=base_url,
        options={"company": fake.company}, credentials={"api_key": fake.api_key},
    )  # fmt: skip
    try:
        async with database.transaction() as session:
            tenant = await create_tenant(session, slug)
            await connections.create_connection(session, admin(tenant), secret_box(settings), spec)
    finally:
        await database.dispose()


async def read_until(process: asyncio.subprocess.Process, marker: str) -> str:
    """Read the process's stderr until a line containing `marker` arrives."""
    assert process.stderr is not None
    seen = ""
    while marker not in seen:
        line = await asyncio.wait_for(process.stderr.readline(), timeout=60)
        assert line, f"the sync ended before {marker!r}: {seen}"
        seen += line.decode()
    return seen


async def tenant_state(database: Database, slug: str) -> tuple[dict[str, Any], list[str]]:
    """A tenant's employees and the statuses of its runs."""
    async with database.transaction(readonly=True) as session:
        tenant_id = await session.scalar(sql_select(Tenant.id).where(Tenant.slug == slug))
        if tenant_id is None:
            return {}, []
        runs = await session.scalars(
            sql_select(SyncRun.status).where(SyncRun.tenant_id == tenant_id)
        )
        return await employee_state(session, tenant_id), [status.value for status in runs]


@pytest.mark.slow
async def test_kill_9_mid_write_then_a_rerun_ends_like_an_uninterrupted_run(
    database_url: str, database: Database, tmp_path: Path
) -> None:
    env = cli_env(database_url, tmp_path)
    fake = FakeBambooHR(Organisation(seed=21, size=3000))
    with running_server(fake.app) as base_url:
        bamboo = (fake, base_url)
        killed, clean = tenant_slug(), tenant_slug()
        process = await asyncio.create_subprocess_exec(
            *COMMAND, *bamboo_args(bamboo, killed), env=env, cwd=REPO,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await read_until(process, "writing:")
            process.send_signal(signal.SIGKILL)
        finally:
            await asyncio.wait_for(process.wait(), timeout=30)
        assert process.returncode == -signal.SIGKILL  # it died mid-run, not after finishing
        assert await tenant_state(database, killed) == ({}, [])  # nothing half-written
        rerun = await asyncio.to_thread(rm_sync, env, *bamboo_args(bamboo, killed), "--json")
        assert summary(rerun)["created"] == 3000
        settings = load_settings(database_url=database_url)
        config = SourceConfig(ConnectionKind.BAMBOOHR, base_url, {"company": fake.company},
                              {"api_key": fake.api_key})  # fmt: skip
        await runs.run_direct(database, settings, clean, config)  # uninterrupted, in-process
    rerun_state, rerun_runs = await tenant_state(database, killed)
    clean_state, clean_runs = await tenant_state(database, clean)
    assert rerun_state == clean_state
    assert rerun_runs == clean_runs == ["SUCCEEDED"]
