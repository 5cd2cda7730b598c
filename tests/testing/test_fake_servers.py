"""The fakes speak the vendors' protocols: checked with a plain HTTP client."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from rm_graphql.testing import (
    FakeBambooHR,
    FakeSCIM,
    FakeWorkday,
    Organisation,
    running_server,
    running_server_async,
)


@pytest.fixture
def bamboo() -> Iterator[tuple[FakeBambooHR, httpx.Client]]:
    fake = FakeBambooHR(Organisation(seed=1, size=60))
    with running_server(fake.app) as base_url:
        client = httpx.Client(
            base_url=fake.credentials(base_url)["api_base"] + "/",
            auth=(fake.api_key, "x"),
            headers={"Accept": "application/json"},
        )
        with client:
            yield fake, client


def test_bamboohr_speaks_xml_unless_json_is_accepted(
    bamboo: tuple[FakeBambooHR, httpx.Client],
) -> None:
    _, client = bamboo
    assert client.get("meta/fields").headers["content-type"] == "application/json"
    xml = client.get("meta/fields", headers={"Accept": "*/*"})
    assert xml.headers["content-type"].startswith("text/xml")


def test_bamboohr_directory_lists_only_active_people(
    bamboo: tuple[FakeBambooHR, httpx.Client],
) -> None:
    fake, client = bamboo
    ids = {row["id"] for row in client.get("employees/directory").json()["employees"]}
    assert ids == {p.bamboo_id for p in fake.org.employed()}
    assert len(ids) < len(fake.org.current())


def test_bamboohr_report_drops_unknown_fields_with_200(
    bamboo: tuple[FakeBambooHR, httpx.Client],
) -> None:
    fake, client = bamboo
    body = {"title": "t", "fields": ["firstName", "favouriteColour", "customLevel"]}
    report = client.post("reports/custom", params={"format": "json"}, json=body)
    assert report.status_code == 200
    assert [f["id"] for f in report.json()["fields"]] == ["firstName", "customLevel"]
    assert len(report.json()["employees"]) == len(fake.org.current())
    fake.faults.drop_fields("customLevel")
    dropped = client.post("reports/custom", params={"format": "json"}, json=body).json()
    assert [f["id"] for f in dropped["fields"]] == ["firstName"]
    assert "customLevel" not in dropped["employees"][0]
    form = client.post("reports/custom", params={"format": "json"}, data={"fields": "x"})
    assert form.status_code == 400
    assert "application/json" in form.headers["X-BambooHR-Message"]


def test_bamboohr_changed_feed_and_errors(bamboo: tuple[FakeBambooHR, httpx.Client]) -> None:
    fake, client = bamboo
    start = fake.org.now.isoformat()
    assert client.get("employees/changed", params={"since": start}).json()["employees"] == []
    changes = fake.org.advance(days=7)
    feed = client.get("employees/changed", params={"since": start}).json()
    actions = count_actions(feed["employees"])
    assert actions["Inserted"] == len(changes.joined)
    assert actions["Deleted"] == len(changes.deleted)
    assert actions["Updated"] == len(changes.left) + len(changes.updated)
    assert client.get("employees/changed").status_code == 400
    fake.faults.rate_limit(1, retry_after=7)
    throttled = client.get("meta/fields")
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "7"
    assert throttled.headers["X-BambooHR-Message"]


def count_actions(entries: dict[str, dict[str, str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in entries.values():
        counts[entry["action"]] = counts.get(entry["action"], 0) + 1
    return counts


def test_workday_pages_limit_and_errors() -> None:
    fake = FakeWorkday(Organisation(seed=1, size=60))
    with running_server(fake.app) as base_url, httpx.Client() as client:
        credentials = fake.credentials(base_url)
        token = client.post(
            credentials["token_url"],
            data={"grant_type": "refresh_token", "refresh_token": fake.refresh_token},
            auth=(credentials["client_id"], credentials["client_secret"]),
        ).json()
        assert set(token) >= {"access_token", "token_type", "expires_in"}
        assert "refresh_token" not in token  # Workday keeps the same refresh token
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        page = client.get(credentials["workers_url"], headers=headers).json()
        assert page["total"] == len(fake.org.employed())
        assert len(page["data"]) == 20  # the default limit
        assert "dateOfBirth" not in page["data"][0]  # workerSummary view
        too_big = client.get(credentials["workers_url"], params={"limit": 101}, headers=headers)
        assert too_big.status_code == 400
        assert client.get(credentials["workers_url"]).status_code == 401
        fake.faults.rate_limit(1, retry_after=None)
        throttled = client.get(credentials["workers_url"], headers=headers)
        assert throttled.status_code == 429
        assert "Retry-After" not in throttled.headers
        xml = client.get(credentials["report_url"], headers=headers)
        assert xml.headers["content-type"].startswith("application/xml")


async def test_scim_list_response_filters_and_errors() -> None:
    fake = FakeSCIM(Organisation(seed=1, size=60), max_count=25)
    async with running_server_async(fake.app) as base_url, httpx.AsyncClient() as client:
        credentials = fake.credentials(base_url)
        headers = {"Authorization": f"Bearer {credentials['token']}"}
        users = credentials["base_url"] + "/Users"
        page = (
            await client.get(users, params={"startIndex": 26, "count": 100}, headers=headers)
        ).json()
        assert page["totalResults"] == 60
        assert page["startIndex"] == 26
        assert page["itemsPerPage"] == 25
        assert page["Resources"][0]["id"] == fake.org.current()[25].scim_id
        person = fake.org.current()[3]
        one = await client.get(
            users, params={"filter": f'userName eq "{person.email}"'}, headers=headers
        )
        assert [u["id"] for u in one.json()["Resources"]] == [person.scim_id]
        bad = await client.get(users, params={"filter": 'title co "x"'}, headers=headers)
        assert bad.status_code == 400
        assert bad.json()["status"] == "400"
        denied = await client.get(users)
        assert denied.status_code == 401
        assert json.loads(denied.content)["schemas"] == [
            "urn:ietf:params:scim:api:messages:2.0:Error"
        ]
