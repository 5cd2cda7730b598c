"""Throttling, 503 bursts, timeouts, token expiry and a moving total end like a clean run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.connectors import InMemoryTokenStore
from rm_graphql.connectors.workday import WorkdayConfig, WorkdayConnector
from rm_graphql.testing import FakeWorkday, Organisation, running_server
from tests.support.people import create_tenant

from .conftest import Fake, bamboo_connector
from .support import FAST, employee_state, sync

WorkdayFake = tuple[FakeWorkday, str]


@pytest.fixture
def workday(org: Organisation) -> Iterator[WorkdayFake]:
    fake = FakeWorkday(org)
    with running_server(fake.app) as base_url:
        yield fake, base_url


def workday_connector(workday: WorkdayFake) -> WorkdayConnector:
    fake, base_url = workday
    credentials = fake.credentials(base_url)
    config = WorkdayConfig(
        host_url=base_url,
        tenant=credentials["tenant"],
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
        refresh_token=credentials["refresh_token"],
        page_size=20,
    )
    return WorkdayConnector(config, token_store=InMemoryTokenStore(), options=FAST)


async def test_bamboohr_throttling_bursts_and_timeouts_end_like_a_clean_run(
    session: AsyncSession, bamboo: Fake
) -> None:
    fake, _ = bamboo
    clean, faulty = await create_tenant(session), await create_tenant(session)
    await sync(session, clean.id, bamboo_connector(bamboo))
    fake.faults.rate_limit(2, retry_after=0).unavailable(3).slow(1, seconds=1.0)
    await sync(session, faulty.id, bamboo_connector(bamboo))
    assert fake.faults.injected == {"rate_limit": 2, "unavailable": 3, "slow": 1}
    assert await employee_state(session, faulty.id) == await employee_state(session, clean.id)


async def test_workday_token_expiry_and_a_moving_total_end_like_a_clean_run(
    session: AsyncSession, workday: WorkdayFake
) -> None:
    fake, _ = workday
    clean, faulty = await create_tenant(session), await create_tenant(session)
    clean_outcome = await sync(session, clean.id, workday_connector(workday))
    fake.faults.expire_tokens(after=1).rate_limit(2, retry_after=None, after=1)
    fake.faults.unavailable(2, after=1).slow(1, seconds=1.0, after=1)
    fake.faults.shift_total(after_pages=1, pages=2)
    faulty_outcome = await sync(session, faulty.id, workday_connector(workday))
    assert set(fake.faults.injected) == {
        "expire_tokens", "rate_limit", "unavailable", "slow", "shift_total"
    }  # fmt: skip
    assert fake.oauth.stats["refreshes"] >= 3  # two first grants, one after the expiry
    assert faulty_outcome.created == clean_outcome.created == len(fake.org.employed())
    assert await employee_state(session, faulty.id) == await employee_state(session, clean.id)
