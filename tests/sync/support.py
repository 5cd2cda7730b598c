"""Helpers for sync tests: engine runs into a session, and the state a sync leaves behind."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import aliased

from rm_graphql.auth.principal import Principal, Scope
from rm_graphql.connectors import Connector, HttpOptions, RetryPolicy
from rm_graphql.db import Database
from rm_graphql.jobs.config import JobsSettings, load_jobs_settings
from rm_graphql.jobs.runs import UNFINISHED
from rm_graphql.models import Employee, SyncRun, Tenant
from rm_graphql.models.base import utcnow
from rm_graphql.sync.service import SyncOutcome, SyncTarget, apply, fetch_all
from rm_graphql.tenancy.service import Actor

# Tiny backoff so fault tests stay fast; a timeout short enough to test slow responses.
FAST = HttpOptions(timeout=0.5, retry=RetryPolicy(attempts=8, base_delay=0.001, max_delay=0.01))
FAST_OPTIONS = {"timeout": 0.5, "retry_attempts": 8, "retry_base_delay": 0.001,
                "retry_max_delay": 0.01}  # fmt: skip
DIGEST_KEY = hashlib.sha256(b"sync tests").digest()


async def sync(
    session: AsyncSession,
    tenant_id: int,
    connector: Connector,
    *,
    since: datetime | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    digest_key: bytes = DIGEST_KEY,
) -> SyncOutcome:
    """One engine run of a connector into the session's (rolled-back) transaction."""
    try:
        fetched = await fetch_all(connector, since)
    finally:
        await connector.aclose()
    target = SyncTarget(tenant_id, connector.source)
    return await apply(
        session, target, fetched, digest_key=digest_key, now=now or utcnow(), dry_run=dry_run
    )


STATE_COLUMNS = (
    "external_id", "employee_number", "email", "display_name", "job_title", "department",
    "division", "location", "timezone", "languages", "job_level", "hire_date", "birth_year",
    "status", "terminated_at", "interests", "skills", "custom_attributes",
)  # fmt: skip


async def employee_state(session: AsyncSession, tenant_id: int) -> dict[str, dict[str, Any]]:
    """Every employee of a tenant by external id: synced values and the manager's external id."""
    manager = aliased(Employee)
    query = (
        select(Employee, manager.external_id)
        .outerjoin(manager, Employee.manager_id == manager.id)
        .where(Employee.tenant_id == tenant_id)
        .execution_options(populate_existing=True)  # the sync writes rows behind the ORM's back
    )
    state: dict[str, dict[str, Any]] = {}
    for employee, manager_external_id in (await session.execute(query)).all():
        values = {name: getattr(employee, name) for name in STATE_COLUMNS}
        values["manager"] = manager_external_id
        state[employee.external_id] = values
    return state


@contextlib.contextmanager
def writes_to_employees(engine: AsyncEngine) -> Iterator[list[str]]:
    """Collect INSERT and UPDATE statements against the employees table."""
    seen: list[str] = []

    def remember(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        text = statement.lstrip().upper()
        if text.startswith(("INSERT INTO EMPLOYEES", "UPDATE EMPLOYEES")):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", remember)


def admin(tenant: Tenant) -> Actor:
    """An HR admin of the tenant, as a resolver would pass to a service."""
    principal = Principal(tenant.slug, "hr@example.com", None, frozenset({Scope.ADMIN}))
    return Actor(tenant.id, principal, None)


def fast_jobs() -> JobsSettings:
    """Quick polls; no periodic sweep during a test (other tests' queued rows stay theirs)."""
    return load_jobs_settings(
        worker_poll_seconds=0.1,
        worker_shutdown_seconds=5,
        jobs_sweep_cron="0 0 1 1 *",
        jobs_stalled_cron="0 0 1 1 *",
    )


async def wait_for_run(database: Database, run_id: int, within: float = 30.0) -> SyncRun:
    """Poll until a run has finished; fail the test if it never does."""
    deadline = time.monotonic() + within
    while True:
        async with database.transaction(readonly=True) as session:
            run = await session.get_one(SyncRun, run_id)
        if run.status not in UNFINISHED:
            return run
        assert time.monotonic() < deadline, f"run {run_id} still {run.status} after {within} s"
        await asyncio.sleep(0.05)
