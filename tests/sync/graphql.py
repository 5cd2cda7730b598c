"""GraphQL operations and helpers the sync API tests share."""

from __future__ import annotations

import time
from typing import Any

from rm_graphql.testing import FakeBambooHR
from tests.support.api import Api

from .support import FAST_OPTIONS

CONNECTION_FIELDS = """
id name kind baseUrl options scheduleCron enabled watermark hasCredentials hasWebhookSecret
webhookPath lastSyncRun { id status createdCount }
"""
CREATE = f"""
mutation($input: CreateHrisConnectionInput!) {{
  createHrisConnection(input: $input) {{
    __typename
    ... on HrisConnection {{ {CONNECTION_FIELDS} }}
    ... on ValidationError {{ fields {{ path message }} }}
    ... on Error {{ code message }}
  }}
}}"""
UPDATE = f"""
mutation($input: UpdateHrisConnectionInput!) {{
  updateHrisConnection(input: $input) {{
    __typename
    ... on HrisConnection {{ {CONNECTION_FIELDS} }}
    ... on ValidationError {{ fields {{ path message }} }}
    ... on Error {{ code message }}
  }}
}}"""
CONNECTIONS = f"query {{ hrisConnections {{ {CONNECTION_FIELDS} }} }}"
RUN_FIELDS = """
id status mode dryRun requestedBy createdCount updatedCount unchangedCount terminatedCount
invalidCount invalidRecords { externalId reason row } watermark startedAt finishedAt durationMs
error progress { phase pages records toWrite written } connection { name }
"""
TRIGGER = f"""
mutation($input: TriggerSyncInput!) {{
  triggerSync(input: $input) {{
    __typename
    ... on SyncRun {{ {RUN_FIELDS} }}
    ... on Error {{ code message }}
  }}
}}"""
RUNS = f"""
query($connectionId: ID, $first: Int, $after: String) {{
  syncRuns(connectionId: $connectionId, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {RUN_FIELDS} }}
  }}
}}"""
RUN = f"query($id: ID!) {{ node(id: $id) {{ ... on SyncRun {{ {RUN_FIELDS} }} }} }}"
EMPLOYEE_COUNT = "query { employees(first: 1) { totalCount } }"


def bamboo_input(fake: FakeBambooHR, base_url: str, name: str = "bamboo") -> dict[str, Any]:
    """createHrisConnection input for a fake BambooHR, reached with its API key."""
    return {
        "name": name,
        "kind": "BAMBOOHR",
        "baseUrl": base_url,
        "options": {"company": fake.company, **FAST_OPTIONS},
        "credentials": {"api_key": fake.api_key},
        "webhookSecret": "a-webhook-secret-of-some-length",
    }


def create_connection(api: Api, token: str, fields: dict[str, Any]) -> dict[str, Any]:
    created: dict[str, Any] = api.query(CREATE, {"input": fields}, token=token)[
        "createHrisConnection"
    ]
    assert created["__typename"] == "HrisConnection", created
    return created


def trigger(api: Api, token: str, connection_id: str, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = api.query(
        TRIGGER, {"input": {"connectionId": connection_id, **extra}}, token=token
    )["triggerSync"]
    return result


def wait_for(api: Api, token: str, run_id: str, within: float = 30.0) -> dict[str, Any]:
    """Poll the run through the API until it has finished."""
    deadline = time.monotonic() + within
    while True:
        run: dict[str, Any] = api.query(RUN, {"id": run_id}, token=token)["node"]
        if run["status"] not in ("QUEUED", "RUNNING"):
            return run
        assert time.monotonic() < deadline, f"run still {run['status']} after {within} s"
        time.sleep(0.05)
