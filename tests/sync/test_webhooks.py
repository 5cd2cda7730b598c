"""Signed change events start an incremental sync; bad or stale signatures change nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rm_graphql.sync.webhooks import signed_headers
from rm_graphql.testing import FakeBambooHR, Organisation, running_server
from tests.support.api import Api, new_tenant

from .graphql import RUNS, bamboo_input, create_connection, trigger, wait_for

Fake = tuple[FakeBambooHR, str]
TERMINATED = "query { employees(where: {status: TERMINATED}, first: 1) { totalCount } }"


@pytest.fixture
def bamboo() -> Iterator[Fake]:
    fake = FakeBambooHR(Organisation(seed=8, size=60))
    with running_server(fake.app) as base_url:
        yield fake, base_url


def event(employee_id: str) -> bytes:
    data = {"companyId": 1, "employeeId": employee_id, "changedFields": ["jobTitle"]}
    return json.dumps(
        {"type": "employee.updated", "timestamp": int(time.time()), "data": data}
    ).encode()


def post(api: Api, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{api.base_url}{path}", content=body, headers=headers, timeout=30)


def synced_connection(api: Api, bamboo: Fake) -> tuple[str, dict[str, Any], str]:
    """A tenant admin token, a connection after one full sync, and its webhook secret."""
    fake, base_url = bamboo
    token = api.token(new_tenant(), "hr@example.com", "rm:admin")
    fields = bamboo_input(fake, base_url)
    connection = create_connection(api, token, fields)
    assert (
        wait_for(api, token, trigger(api, token, connection["id"])["id"])["status"] == "SUCCEEDED"
    )
    return token, connection, fields["webhookSecret"]


def run_count(api: Api, token: str) -> int:
    count: int = api.query(RUNS, token=token)["syncRuns"]["totalCount"]
    return count


def test_a_signed_event_syncs_what_changed(sync_app: Api, bamboo: Fake) -> None:
    fake, _ = bamboo
    token, connection, secret = synced_connection(sync_app, bamboo)
    changes = fake.org.advance(days=30)
    changed = fake.org.people[changes.updated[0]].bamboo_id
    body = event(changed)
    response = post(sync_app, connection["webhookPath"], body, signed_headers(secret, body))
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert (accepted["queued"], accepted["employees"]) == (True, [changed])
    run = wait_for(sync_app, token, accepted["run"])
    assert (run["status"], run["mode"], run["requestedBy"]) == (
        "SUCCEEDED",
        "INCREMENTAL",
        "webhook",
    )
    assert run["createdCount"] == len(changes.joined)
    assert run["terminatedCount"] == len(changes.left)
    assert run["updatedCount"] >= 1
    leavers = sync_app.query(TERMINATED, token=token)["employees"]["totalCount"]
    on_record = sum(1 for p in fake.org.current() if p.status == "TERMINATED")
    assert leavers == on_record + len(changes.deleted)  # purged there, kept here as leavers


def test_bad_or_stale_signatures_get_401_and_change_nothing(sync_app: Api, bamboo: Fake) -> None:
    _fake, _ = bamboo
    token, connection, secret = synced_connection(sync_app, bamboo)
    before = run_count(sync_app, token)
    path, body = connection["webhookPath"], event("101")
    stale = signed_headers(secret, body, timestamp=int(time.time()) - 301)
    forged = signed_headers("another-secret-of-some-length", body)
    tampered = signed_headers(secret, body)
    for headers, payload in ((stale, body), (forged, body), (tampered, body + b" "), ({}, body)):
        response = post(sync_app, path, payload, headers)
        assert response.status_code == 401, response.text
    unknown = post(sync_app, "/webhooks/999999", body, signed_headers(secret, body))
    assert unknown.status_code == 401
    assert run_count(sync_app, token) == before
    not_json = b"employee 101 changed"
    assert post(sync_app, path, not_json, signed_headers(secret, not_json)).status_code == 400
    assert run_count(sync_app, token) == before


def test_events_while_a_run_waits_join_that_run(sync_app: Api, bamboo: Fake) -> None:
    fake, _ = bamboo
    token, connection, secret = synced_connection(sync_app, bamboo)
    fake.faults.slow(1, seconds=0.5)  # the first event's run is busy while the next ones arrive
    runs = []
    for employee in ("101", "102", "103"):
        body = event(employee)
        response = post(sync_app, connection["webhookPath"], body, signed_headers(secret, body))
        assert response.status_code == 202
        runs.append(response.json())
        time.sleep(0.1)
    assert [item["queued"] for item in runs] == [True, True, False]
    assert runs[2]["run"] == runs[1]["run"]
    for item in runs:
        assert wait_for(sync_app, token, item["run"])["status"] == "SUCCEEDED"
