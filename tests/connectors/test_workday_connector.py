"""Workday connector against the fake: REST paging, RaaS, refresh grant and faults."""

from __future__ import annotations

import time

import pytest

from rm_graphql.connectors import (
    ConfigurationError,
    EmployeeStatus,
    InMemoryTokenStore,
    ReconnectRequired,
)
from rm_graphql.connectors.workday import WorkdayConfig, WorkdayConnector
from rm_graphql.testing import FakeWorkday
from rm_graphql.testing.org import LEAVE, TERMINATED

from .conftest import FAST, collect, page_requests

Fake = tuple[FakeWorkday, str]


def config(workday: Fake, **overrides: object) -> WorkdayConfig:
    fake, base_url = workday
    credentials = fake.credentials(base_url)
    values: dict[str, object] = {
        "host_url": base_url,
        "tenant": credentials["tenant"],
        "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
        "refresh_token": credentials["refresh_token"],
        "page_size": 25,
    }
    values.update(overrides)
    return WorkdayConfig(**values)  # type: ignore[arg-type]


def connector(
    workday: Fake, store: InMemoryTokenStore | None = None, **overrides: object
) -> WorkdayConnector:
    return WorkdayConnector(config(workday, **overrides), token_store=store, options=FAST)


async def test_rest_run_lists_every_current_worker_once(workday: Fake) -> None:
    fake, _ = workday
    store = InMemoryTokenStore()
    async with connector(workday, store) as source:
        await source.check()
        run = await collect(source)
    employed = fake.org.employed()
    assert run.complete
    assert run.invalid == []
    assert len(run.records) == len(employed) == len(run.by_id())
    for person in employed:
        record = run.by_id()[person.workday_id]
        assert record.department == person.department
        assert record.job_level == person.level
        assert record.location == person.site.city
        assert record.employee_number == person.employee_number
        assert record.birth_year == (None if person.number % 89 == 0 else person.birth_date.year)
    assert fake.requests["workers"] == 1 + page_requests(len(employed), 25)
    assert store.token is not None
    assert store.token["access_token"]
    assert store.token["refresh_token"] == fake.refresh_token


async def test_version_segment_is_configurable(workday: Fake) -> None:
    async with connector(workday, api_version="staffing/v6") as source:
        run = await collect(source)
    assert len(run.records) == len(workday[0].org.employed())


async def test_raas_report_includes_leavers_and_reads_quirky_values(workday: Fake) -> None:
    fake, _ = workday
    async with connector(workday, report_owner="ISU_RM", report_name="RM_Workers") as source:
        run = await collect(source)
    assert run.invalid == []
    assert len(run.records) == len(fake.org.current())
    for person in fake.org.current():
        record = run.by_id()[person.workday_id]
        assert record.languages == tuple(person.languages)  # plain string when one value
        assert record.skills == tuple(person.skills)
        assert record.interests == tuple(person.interests)
        assert record.hire_date == person.hire_date  # "2020-03-01-08:00"
        expected = {TERMINATED: EmployeeStatus.TERMINATED, LEAVE: EmployeeStatus.LEAVE}
        assert record.status == expected.get(person.status, EmployeeStatus.ACTIVE)
    assert run.watermark == max(p.last_changed for p in fake.org.current())


async def test_changing_total_neither_truncates_nor_duplicates(workday: Fake) -> None:
    fake, _ = workday
    async with connector(workday) as source:
        clean = await collect(source)
        fake.faults.shift_total(after_pages=1, pages=2)
        shifted = await collect(source)
    assert fake.faults.injected["shift_total"] == 2
    assert sorted(shifted.records, key=lambda r: r.external_id) == sorted(
        clean.records, key=lambda r: r.external_id
    )
    assert len(shifted.by_id()) == len(shifted.records)


async def test_a_worker_vanishing_mid_run_is_kept_once_and_the_rest_complete(
    workday: Fake,
) -> None:
    fake, _ = workday
    fake.faults.shift_total(after_pages=1, pages=1000)
    async with connector(workday) as source:
        run = await collect(source)
    assert len(run.records) == len(run.by_id()) == len(fake.org.employed())


async def test_429_without_retry_after_backs_off_and_recovers(workday: Fake) -> None:
    fake, _ = workday
    async with connector(workday) as source:
        clean = await collect(source)
        fake.faults.rate_limit(4, retry_after=None, after=2).slow(1, seconds=1.0, after=1)
        started = time.monotonic()
        faulty = await collect(source)
    assert fake.faults.injected == {"rate_limit": 4, "slow": 1}
    assert faulty.records == clean.records
    assert time.monotonic() - started < 5


async def test_expired_access_token_is_refreshed_once(workday: Fake) -> None:
    fake, _ = workday
    async with connector(workday) as source:
        await source.check()
        assert fake.oauth.stats["refreshes"] == 1  # the initial redemption
        fake.faults.expire_tokens(after=3)
        run = await collect(source)
    assert fake.oauth.stats["refreshes"] == 2
    assert len(run.records) == len(fake.org.employed())


async def test_invalid_refresh_token_means_reconnect(workday: Fake) -> None:
    async with connector(workday, refresh_token="revoked-or-typo") as source:
        with pytest.raises(ReconnectRequired, match="invalid_grant"):
            await source.check()


async def test_basic_client_authentication_is_accepted(workday: Fake) -> None:
    async with connector(workday, auth_method="client_secret_basic") as source:
        await source.check()


def test_page_size_is_bounded_by_the_api_limit() -> None:
    with pytest.raises(ConfigurationError):
        WorkdayConfig("https://wd", "t", "id", "secret", page_size=101)
