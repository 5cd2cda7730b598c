"""HRIS connections over HTTP: admins store them, secrets go in sealed and never come out."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from rm_graphql.testing import FakeBambooHR, Organisation, running_server
from tests.support.api import Api, new_tenant
from tests.sync.graphql import (
    CONNECTIONS,
    CREATE,
    RUNS,
    UPDATE,
    bamboo_input,
    create_connection,
    trigger,
    wait_for,
)

Fake = tuple[FakeBambooHR, str]


@pytest.fixture
def bamboo() -> Iterator[Fake]:
    fake = FakeBambooHR(Organisation(seed=9, size=40))
    with running_server(fake.app) as base_url:
        yield fake, base_url


def test_admin_stores_a_connection_and_reads_it_back_without_secrets(
    sync_app: Api, bamboo: Fake
) -> None:
    fake, base_url = bamboo
    admin = sync_app.token(new_tenant(), "hr@example.com", "rm:admin")
    created = create_connection(sync_app, admin, bamboo_input(fake, base_url))
    assert created["kind"] == "BAMBOOHR"
    assert created["options"]["company"] == fake.company
    assert (created["hasCredentials"], created["hasWebhookSecret"]) == (True, True)
    assert created["lastSyncRun"] is None
    assert created["webhookPath"].startswith("/webhooks/")
    changed = sync_app.query(
        UPDATE,
        {"input": {"id": created["id"], "name": "bamboo-prod", "credentials": {"api_key": "k2"}}},
        token=admin,
    )["updateHrisConnection"]
    assert changed["name"] == "bamboo-prod"
    listed = sync_app.query(CONNECTIONS, token=admin)["hrisConnections"]
    assert [item["name"] for item in listed] == ["bamboo-prod"]
    assert fake.api_key not in json.dumps(listed)


def test_bad_input_is_a_typed_validation_error_and_names_are_unique(
    sync_app: Api, bamboo: Fake
) -> None:
    fake, base_url = bamboo
    admin = sync_app.token(new_tenant(), "hr@example.com", "rm:admin")
    broken = {"name": "no spaces allowed", "kind": "BAMBOOHR",
              "options": {"timeout": "soon", "apiKey": "not here"},
              "credentials": {}, "webhookSecret": "short"}  # fmt: skip
    result = sync_app.query(CREATE, {"input": broken}, token=admin)["createHrisConnection"]
    assert result["__typename"] == "ValidationError"
    paths = {".".join(field["path"]) for field in result["fields"]}
    assert paths == {"options.company", "credentials.api_key", "options.timeout", "name",
                     "webhookSecret", "options.apiKey"}  # fmt: skip
    create_connection(sync_app, admin, bamboo_input(fake, base_url))
    again = sync_app.query(CREATE, {"input": bamboo_input(fake, base_url)}, token=admin)
    assert again["createHrisConnection"]["__typename"] == "Conflict"


def test_only_admins_manage_connections_and_sync_operators_read_them(
    sync_app: Api, bamboo: Fake
) -> None:
    fake, base_url = bamboo
    tenant = new_tenant()
    operator = sync_app.token(tenant, "ops@example.com", "rm:sync")
    refused = sync_app.query(CREATE, {"input": bamboo_input(fake, base_url)}, token=operator)
    assert refused["createHrisConnection"]["__typename"] == "NotAllowed"
    create_connection(sync_app, sync_app.token(tenant, "hr@example.com", "rm:admin"),
                      bamboo_input(fake, base_url))  # fmt: skip
    assert len(sync_app.query(CONNECTIONS, token=operator)["hrisConnections"]) == 1
    manager = sync_app.token(tenant, "pm@example.com", "rm:program")
    body = sync_app.post(CONNECTIONS, token=manager).json()
    assert body["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"


def test_credentials_never_reach_a_response_or_a_log_line(
    sync_app: Api, bamboo: Fake, caplog: pytest.LogCaptureFixture
) -> None:
    fake, base_url = bamboo
    admin = sync_app.token(new_tenant(), "hr@example.com", "rm:admin")
    fields = bamboo_input(fake, base_url)
    secrets = [fake.api_key, fields["webhookSecret"]]
    responses: list[str] = []
    with caplog.at_level(logging.DEBUG):
        created = create_connection(sync_app, admin, fields)
        run = trigger(sync_app, admin, created["id"])
        responses.append(json.dumps(run))
        finished = wait_for(sync_app, admin, run["id"])
        assert finished["status"] == "SUCCEEDED", finished["error"]
        for query in (CONNECTIONS, RUNS):
            responses.append(sync_app.post(query, token=admin).text)
    responses.append(json.dumps(created))
    logged = [record.getMessage() + (record.exc_text or "") for record in caplog.records]
    assert any("bamboohr" in line.lower() or "report" in line for line in logged)  # it did log
    for secret in secrets:
        assert not [text for text in responses if secret in text]
        assert not [line for line in logged if secret in line]
