"""Every mutation is audited; only HR admins read the log."""

from __future__ import annotations

from tests.support.api import Api, new_tenant

LOG = """{ auditEvents(first: 10) { totalCount nodes { actor action targetType requestId } } }"""


def test_mutations_are_audited_with_actor_and_request_id(api: Api) -> None:
    tenant = new_tenant()
    admin = api.token(tenant, "hr@example.com", "rm:admin")
    response = api.post(
        'mutation { createProgram(input: {name: "Audited"}) { __typename } }', token=admin
    )
    assert response.status_code == 200
    events = api.query(LOG, token=admin)["auditEvents"]
    assert events["totalCount"] == 1
    event = events["nodes"][0]
    assert (event["actor"], event["action"], event["targetType"]) == (
        "hr@example.com",
        "program.created",
        "Program",
    )
    assert event["requestId"]


def test_a_failed_mutation_leaves_no_trace(api: Api) -> None:
    admin = api.token(new_tenant(), "hr@example.com", "rm:admin")
    api.post('mutation { createProgram(input: {name: ""}) { __typename } }', token=admin)
    assert api.query(LOG, token=admin)["auditEvents"]["totalCount"] == 0


def test_only_admins_read_the_audit_log(api: Api) -> None:
    tenant = new_tenant()
    manager = api.token(tenant, "pm@example.com", "rm:program")
    body = api.post(LOG, token=manager).json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"


def test_the_log_of_one_tenant_is_not_anothers(api: Api) -> None:
    first = api.token(new_tenant(), "hr@example.com", "rm:admin")
    api.post('mutation { createProgram(input: {name: "Mine"}) { __typename } }', token=first)
    second = api.token(new_tenant(), "hr@example.com", "rm:admin")
    assert api.query(LOG, token=second)["auditEvents"]["totalCount"] == 0
