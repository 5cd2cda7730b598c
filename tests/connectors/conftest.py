"""Fake HRIS servers on loopback and quick HTTP options for connector tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest

from rm_graphql.connectors.base import Connector, EmployeeRecord, InvalidRecord
from rm_graphql.connectors.http import HttpOptions, RetryPolicy
from rm_graphql.testing import FakeBambooHR, FakeSCIM, FakeWorkday, Organisation, running_server

# Tiny backoff so fault tests stay fast; timeouts short enough to test slow responses.
FAST = HttpOptions(timeout=0.5, retry=RetryPolicy(attempts=5, base_delay=0.001, max_delay=0.01))


@dataclass
class Run:
    """Everything one fetch produced."""

    records: list[EmployeeRecord]
    invalid: list[InvalidRecord]
    removed: list[str]
    watermark: datetime | None
    complete: bool
    pages: int

    def by_id(self) -> dict[str, EmployeeRecord]:
        return {record.external_id: record for record in self.records}


async def collect(connector: Connector, since: datetime | None = None) -> Run:
    """Drain a fetch run."""
    run = Run([], [], [], None, False, 0)
    async for page in connector.fetch(since):
        run.records.extend(page.records)
        run.invalid.extend(page.invalid)
        run.removed.extend(page.removed)
        run.watermark = page.watermark
        run.complete = page.complete_snapshot
        run.pages += 1
    return run


def page_requests(items: int, page_size: int) -> int:
    """Requests an overlapping offset scan needs: later pages re-read one anchor item."""
    return 1 + max(0, -(-(items - page_size) // (page_size - 1)))


@pytest.fixture
def org() -> Organisation:
    return Organisation(seed=11, size=150)


@pytest.fixture
def bamboo(org: Organisation) -> Iterator[tuple[FakeBambooHR, str]]:
    fake = FakeBambooHR(org)
    with running_server(fake.app) as base_url:
        yield fake, base_url


@pytest.fixture
def workday(org: Organisation) -> Iterator[tuple[FakeWorkday, str]]:
    fake = FakeWorkday(org)
    with running_server(fake.app) as base_url:
        yield fake, base_url


@pytest.fixture
def scim(org: Organisation) -> Iterator[tuple[FakeSCIM, str]]:
    fake = FakeSCIM(org, max_count=40)
    with running_server(fake.app) as base_url:
        yield fake, base_url
