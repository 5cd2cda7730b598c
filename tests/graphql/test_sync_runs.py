"""triggerSync and syncRuns over HTTP: runs go through the job layer, one at a time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rm_graphql.testing import FakeBambooHR, Organisation, running_server
from tests.support.api import Api, new_tenant
from tests.sync.graphql import (
    CONNECTIONS,
    EMPLOYEE_COUNT,
    RUNS,
    bamboo_input,
    create_connection,
    trigger,
    wait_for,
)

Fake = tuple[FakeBambooHR, str]


@pytest.fixture
def bamboo() -> Iterator[Fake]:
    fake = FakeBambooHR(Organisation(seed=4, size=60))
    with running_server(fake.app) as base_url:
        yield fake, base_url


def connect(api: Api, bamboo: Fake, *scopes: str) -> tuple[str, str, str]:
    """A tenant with a stored connection to the fake: a token with `scopes`, the id, the tenant."""
    fake, base_url = bamboo
    tenant = new_tenant()
    admin = api.token(tenant, "hr@example.com", "rm:admin")
    created = create_connection(api, admin, bamboo_input(fake, base_url))
    return api.token(tenant, "ops@example.com", *scopes), created["id"], tenant


def test_triggered_run_syncs_everyone_and_is_listed(sync_app: Api, bamboo: Fake) -> None:
    fake, _ = bamboo
    token, connection, _tenant = connect(sync_app, bamboo, "rm:admin")
    queued = trigger(sync_app, token, connection)
    assert (queued["status"], queued["mode"], queued["dryRun"]) == ("QUEUED", "FULL", False)
    assert queued["progress"]["phase"] == "QUEUED"
    done = wait_for(sync_app, token, queued["id"])
    assert done["status"] == "SUCCEEDED", done["error"]
    assert done["createdCount"] == len(fake.org.current())
    assert done["progress"] == {"phase": "DONE", "pages": 0, "records": 0,
                                "toWrite": done["createdCount"], "written": done["createdCount"]}  # fmt: skip
    assert done["connection"] == {"name": "bamboo"}
    assert done["requestedBy"] == "ops@example.com"
    [listed] = sync_app.query(CONNECTIONS, token=token)["hrisConnections"]
    assert listed["lastSyncRun"]["id"] == done["id"]
    assert listed["watermark"] == done["watermark"] is not None
    count = sync_app.query(EMPLOYEE_COUNT, token=token)["employees"]["totalCount"]
    assert count == done["createdCount"]


def test_a_second_trigger_while_one_is_queued_or_running_conflicts(
    sync_app: Api, bamboo: Fake
) -> None:
    fake, _ = bamboo
    token, connection, _tenant = connect(sync_app, bamboo, "rm:sync")
    fake.faults.slow(1, seconds=0.4)  # keeps the first run busy (the timeout is longer)
    first = trigger(sync_app, token, connection, mode="INCREMENTAL")
    second = trigger(sync_app, token, connection)
    assert second["__typename"] == "Conflict"
    assert "already" in second["message"]
    assert wait_for(sync_app, token, first["id"])["status"] == "SUCCEEDED"
    third = trigger(sync_app, token, connection)
    assert wait_for(sync_app, token, third["id"])["unchangedCount"] == len(fake.org.current())
    runs = sync_app.query(RUNS, {"connectionId": connection, "first": 1}, token=token)["syncRuns"]
    assert runs["totalCount"] == 2
    assert runs["pageInfo"]["hasNextPage"]
    assert runs["nodes"][0]["id"] == third["id"]  # newest first


def test_dry_run_counts_without_writing_and_participants_cannot_trigger(
    sync_app: Api, bamboo: Fake
) -> None:
    fake, _ = bamboo
    token, connection, tenant = connect(sync_app, bamboo, "rm:admin")
    dry = wait_for(sync_app, token, trigger(sync_app, token, connection, dryRun=True)["id"])
    assert dry["status"] == "SUCCEEDED"
    assert dry["dryRun"] is True
    assert dry["createdCount"] == len(fake.org.current())
    assert sync_app.query(EMPLOYEE_COUNT, token=token)["employees"]["totalCount"] == 0
    [listed] = sync_app.query(CONNECTIONS, token=token)["hrisConnections"]
    assert listed["watermark"] is None
    participant = sync_app.token(tenant, "kim@example.com", "rm:participant")
    refused = trigger(sync_app, participant, connection)
    assert refused["__typename"] == "NotAllowed"


def test_a_run_whose_source_drops_fields_fails_with_the_reason(sync_app: Api, bamboo: Fake) -> None:
    fake, _ = bamboo
    token, connection, _tenant = connect(sync_app, bamboo, "rm:admin")
    fake.faults.drop_fields("customSkills")
    failed = wait_for(sync_app, token, trigger(sync_app, token, connection)["id"])
    assert failed["status"] == "FAILED"
    assert failed["error"].startswith("FieldMismatchError: ")
    assert "customSkills" in failed["error"]
    assert failed["progress"]["phase"] == "FAILED"
    assert sync_app.query(EMPLOYEE_COUNT, token=token)["employees"]["totalCount"] == 0


async def test_progress_streams_over_graphql_transport_ws(sync_app: Api, bamboo: Fake) -> None:
    import asyncio
    import json

    import websockets

    token, connection, _tenant = connect(sync_app, bamboo, "rm:sync")
    queued = trigger(sync_app, token, connection)
    url = sync_app.base_url.replace("http", "ws") + "/graphql"
    query = "subscription($id: ID!) { syncRunProgress(runId: $id) { status createdCount } }"
    seen = []
    async with websockets.connect(
        url,
        subprotocols=["graphql-transport-ws"],
        additional_headers={"Authorization": f"Bearer {token}"},
    ) as socket:  # type: ignore[list-item]
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": {"id": queued["id"]}},
                }
            )
        )
        while (message := json.loads(await asyncio.wait_for(socket.recv(), 60)))[
            "type"
        ] != "complete":
            seen.append(message["payload"]["data"]["syncRunProgress"])
    assert seen[-1]["status"] == "SUCCEEDED"
    assert seen[-1]["createdCount"] > 0
