"""Runs that commit: direct (CLI) runs, stored connections with OAuth tokens, queued jobs."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from rm_graphql.config import Settings, load_settings
from rm_graphql.db import Database
from rm_graphql.jobs.registry import load_registry
from rm_graphql.jobs.worker import embedded_worker
from rm_graphql.models import Employee, HrisConnection, Tenant
from rm_graphql.models.enums import ConnectionKind, RunStatus, SyncMode
from rm_graphql.security import secret_box
from rm_graphql.sync import connections, runs
from rm_graphql.sync.sources import SourceConfig
from rm_graphql.testing import FakeBambooHR
from tests.support.people import create_tenant

from .conftest import Fake
from .support import FAST_OPTIONS, admin, fast_jobs, wait_for_run


def bamboo_config(bamboo: Fake, **credentials: Any) -> SourceConfig:
    """The fake as an API-key source (or OAuth when credentials are given)."""
    fake, base_url = bamboo
    secrets = credentials or {"api_key": fake.api_key}
    options = {"company": fake.company, **FAST_OPTIONS}
    return SourceConfig(ConnectionKind.BAMBOOHR, base_url, options, secrets)


async def count_employees(database: Database, tenant: str) -> int:
    async with database.transaction(readonly=True) as session:
        query = select(Employee.id).join(Tenant, Tenant.id == Employee.tenant_id)
        return len((await session.scalars(query.where(Tenant.slug == tenant))).all())


def slug() -> str:
    return f"sync-{uuid.uuid4().hex[:10]}"


async def test_direct_runs_record_counts_and_continue_from_the_watermark(
    database: Database, database_url: str, bamboo: Fake
) -> None:
    fake, _ = bamboo
    settings, tenant = load_settings(database_url=database_url), slug()
    first = await runs.run_direct(database, settings, tenant, bamboo_config(bamboo))
    assert first.error is None
    assert first.run.status is RunStatus.SUCCEEDED
    assert first.run.created_count == len(fake.org.current())
    assert first.run.watermark == max(p.last_changed for p in fake.org.current()).isoformat()
    assert first.run.duration_ms is not None
    assert first.run.finished_at is not None
    changes = fake.org.advance(days=30)
    fake.requests.clear()
    later = await runs.run_direct(
        database, settings, tenant, bamboo_config(bamboo), mode=SyncMode.INCREMENTAL
    )
    assert fake.requests["changed"] == 1  # it asked for changes since the stored watermark
    assert later.run.created_count == len(changes.joined)
    assert later.run.terminated_count == len(changes.left)
    assert later.run.mode is SyncMode.INCREMENTAL


async def test_a_failed_direct_run_says_why_and_changes_nothing(
    database: Database, database_url: str, bamboo: Fake
) -> None:
    fake, _ = bamboo
    settings, tenant = load_settings(database_url=database_url), slug()
    fake.faults.drop_fields("dateOfBirth")
    report = await runs.run_direct(database, settings, tenant, bamboo_config(bamboo))
    assert report.run.status is RunStatus.FAILED
    assert report.run.error is not None
    assert report.run.error.startswith("FieldMismatchError: ")
    assert "dateOfBirth" in report.run.error
    assert await count_employees(database, tenant) == 0


async def _oauth_connection(
    database: Database, settings: Settings, fake: FakeBambooHR, base_url: str
) -> tuple[Tenant, HrisConnection]:
    """A stored BambooHR OAuth connection whose first request redeems a refresh token."""
    initial = {"refresh_token": fake.oauth.issue_refresh_token(), "expires_at": 0}
    secrets = {"client_id": fake.oauth.client_id, "client_secret": fake.oauth.client_secret,
               "oauth_token": initial}  # fmt: skip
    spec = connections.ConnectionSpec(
        name="bamboo", kind=ConnectionKind.BAMBOOHR, base_url=base_url,
        options={"company": fake.company, **FAST_OPTIONS}, credentials=secrets,
    )  # fmt: skip
    async with database.transaction() as session:
        tenant = await create_tenant(session, slug())
        stored = await connections.create_connection(
            session, admin(tenant), secret_box(settings), spec
        )
    return tenant, stored


async def test_rotated_refresh_tokens_are_kept_encrypted_even_when_a_run_fails(
    database: Database, database_url: str, bamboo: Fake
) -> None:
    fake, base_url = bamboo
    settings = load_settings(database_url=database_url)
    tenant, stored = await _oauth_connection(database, settings, fake, base_url)

    async def run() -> runs.RunReport:
        return await runs.run_direct(
            database, settings, tenant.slug, None, connection_name="bamboo"
        )

    assert (await run()).run.status is RunStatus.SUCCEEDED  # redeems (and rotates) the token
    fake.faults.expire_tokens().drop_fields("hireDate")
    failed = await run()  # refreshes after a 401, then fails on the report
    assert failed.run.status is RunStatus.FAILED, failed.run.error
    fake.faults.clear()
    fake.faults.expire_tokens()
    assert (await run()).run.status is RunStatus.SUCCEEDED  # needs the token the failure rotated
    assert fake.oauth.stats["refreshes"] == 3
    assert fake.oauth.stats["invalid_grant"] == 0
    async with database.transaction(readonly=True) as session:
        row = await session.get_one(HrisConnection, stored.id)
    assert row.credentials_encrypted is not None
    assert row.credentials_encrypted.startswith("gAAAAA")  # Fernet ciphertext at rest
    token = secret_box(settings).decrypt_dict(row.credentials_encrypted)["oauth_token"]
    assert token["access_token"]
    assert token["refresh_token"]
    assert row.watermark is not None


async def test_triggered_runs_go_through_the_job_layer(
    database: Database, database_url: str, bamboo: Fake
) -> None:
    fake, base_url = bamboo
    settings = load_settings(database_url=database_url)
    spec = connections.ConnectionSpec(
        name="hr", kind=ConnectionKind.BAMBOOHR, base_url=base_url,
        options={"company": fake.company, **FAST_OPTIONS}, credentials={"api_key": fake.api_key},
    )  # fmt: skip
    async with embedded_worker(
        settings, database, jobs_settings=fast_jobs(), registry=load_registry(), run_worker=True
    ) as queue:
        async with database.transaction() as session:
            tenant = await create_tenant(session, slug())
            stored = await connections.create_connection(
                session, admin(tenant), secret_box(settings), spec
            )
            dry = await runs.trigger_sync(
                session, admin(tenant), stored.id, SyncMode.FULL, True, queue.defer_run_after_commit
            )
        dry_done = await wait_for_run(database, dry.id)
        assert await count_employees(database, tenant.slug) == 0
        async with database.transaction(readonly=True) as session:
            assert (await session.get_one(HrisConnection, stored.id)).watermark is None
        async with database.transaction() as session:
            real = await runs.trigger_sync(
                session,
                admin(tenant),
                stored.id,
                SyncMode.FULL,
                False,
                queue.defer_run_after_commit,
            )
        real_done = await wait_for_run(database, real.id)
    assert dry_done.status is RunStatus.SUCCEEDED, dry_done.error
    assert dry_done.created_count == len(fake.org.current())
    assert real_done.status is RunStatus.SUCCEEDED, real_done.error
    assert real_done.created_count == dry_done.created_count
    assert await count_employees(database, tenant.slug) == real_done.created_count
    async with database.transaction(readonly=True) as session:
        row = await session.get_one(HrisConnection, stored.id)
    assert row.watermark == real_done.watermark == dry_done.watermark
