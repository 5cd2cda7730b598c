"""SCIM connector against the fake: paging, enterprise extension, filters, faults."""

from __future__ import annotations

import pytest

from rm_graphql.connectors import AuthenticationError, EmployeeStatus
from rm_graphql.connectors.scim import SCIMConfig, SCIMConnector
from rm_graphql.testing import FakeSCIM
from rm_graphql.testing.org import LEAVE, TERMINATED

from .conftest import FAST, collect, page_requests

Fake = tuple[FakeSCIM, str]


def connector(scim: Fake, *, token: str | None = None, page_size: int = 100) -> SCIMConnector:
    fake, base_url = scim
    credentials = fake.credentials(base_url)
    config = SCIMConfig(credentials["base_url"], token or credentials["token"], page_size)
    return SCIMConnector(config, options=FAST)


async def test_full_run_reads_every_user_through_capped_pages(scim: Fake) -> None:
    fake, _ = scim
    async with connector(scim) as source:
        await source.check()
        run = await collect(source)
    people = fake.org.current()
    assert run.complete
    assert run.invalid == []
    assert len(run.records) == len(people)
    assert fake.requests["users"] == 1 + page_requests(len(people), fake.max_count)
    for person in people:
        record = run.by_id()[person.scim_id]
        manager = fake.org.people.get(person.manager) if person.manager else None
        assert record.manager_external_id == (manager.scim_id if manager else None)
        assert record.employee_number == person.employee_number
        assert record.email == person.email
        assert record.birth_year == person.birth_date.year
        assert record.job_level == person.level
        expected = {TERMINATED: EmployeeStatus.TERMINATED, LEAVE: EmployeeStatus.LEAVE}
        assert record.status == expected.get(person.status, EmployeeStatus.ACTIVE)


async def test_inactive_user_without_extension_status_is_terminated(scim: Fake) -> None:
    from rm_graphql.connectors.mapping import load_profile

    user = {"id": "u1", "displayName": "Ada", "active": False}
    assert load_profile("scim").map(user).status == EmployeeStatus.TERMINATED  # type: ignore[union-attr]


async def test_incremental_run_uses_the_last_modified_filter(scim: Fake) -> None:
    fake, _ = scim
    async with connector(scim) as source:
        first = await collect(source)
        changes = fake.org.advance(days=7)
        second = await collect(source, since=first.watermark)
    assert not second.complete
    changed = {
        fake.org.people[n].scim_id for n in (*changes.joined, *changes.left, *changes.updated)
    }
    assert changed <= set(second.by_id())
    assert len(second.records) < 10
    assert second.watermark == max(p.last_changed for p in fake.org.current())


async def test_faults_and_a_shifting_total_yield_the_same_users(scim: Fake) -> None:
    fake, _ = scim
    async with connector(scim) as source:
        clean = await collect(source)
        fake.faults.unavailable(2, after=1).rate_limit(1, retry_after=0).shift_total(after_pages=2)
        faulty = await collect(source)
    assert fake.faults.injected == {"unavailable": 2, "rate_limit": 1, "shift_total": 2}
    assert sorted(faulty.records, key=lambda r: r.external_id) == sorted(
        clean.records, key=lambda r: r.external_id
    )


async def test_wrong_token_is_an_authentication_error(scim: Fake) -> None:
    async with connector(scim, token="nope") as source:
        with pytest.raises(AuthenticationError, match="bearer token is invalid"):
            await source.check()
