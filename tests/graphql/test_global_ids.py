"""A malformed global id is an unknown id: mutations answer NotFound, lookups answer null."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from strawberry.relay import to_base64

from rm_graphql.db import Database
from tests.support.api import Api, new_tenant
from tests.support.seed import seed_program

MALFORMED = [
    "",
    "abc",
    "not base64!",
    base64.b64encode(b"no colon").decode(),
    base64.b64encode(b"\xff\xfe:1").decode(),  # not UTF-8 inside
    "\u00b2",  # a digit to str.isdigit, not to int()
]
# Well-formed, but naming nothing: no such type, not a Node type, not a row id.
NAMES_NOTHING = [
    to_base64("Nothing", 1),
    to_base64("PageInfo", 1),
    to_base64("Program", "abc"),
    to_base64("Program", "\u00b2"),
    to_base64("Program", 2**64),
    to_base64("", ""),
]
CANCEL = """mutation($input: CancelPairInput!) { cancelPair(input: $input) {
  __typename ... on Error { code } } }"""
NOT_FOUND = {"__typename": "NotFound", "code": "NOT_FOUND"}


def _admin(api: Api) -> str:
    return api.token(new_tenant(), "hr@example.com", "rm:admin")


def _no_errors(api: Api, query: str, token: str, variables: dict[str, Any] | None = None) -> Any:
    response = api.post(query, variables, token=token)
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body["errors"]
    return body["data"]


@pytest.mark.parametrize("bad_id", MALFORMED + NAMES_NOTHING)
def test_a_mutation_answers_not_found_for_a_literal_and_a_variable(api: Api, bad_id: str) -> None:
    admin = _admin(api)
    literal = f"""mutation {{ cancelPair(input: {{pairId: {json.dumps(bad_id)}, reason: "x"}}) {{
      __typename ... on Error {{ code }} }} }}"""
    assert _no_errors(api, literal, admin)["cancelPair"] == NOT_FOUND
    variables = {"input": {"pairId": bad_id, "reason": "x"}}
    assert _no_errors(api, CANCEL, admin, variables)["cancelPair"] == NOT_FOUND


def test_a_well_formed_id_of_another_type_is_not_found(api: Api) -> None:
    admin = _admin(api)
    program = _no_errors(
        api, 'mutation { createProgram(input: {name: "P"}) { ... on Program { id } } }', admin
    )["createProgram"]["id"]
    variables = {"input": {"pairId": program, "reason": "x"}}
    assert _no_errors(api, CANCEL, admin, variables)["cancelPair"] == NOT_FOUND


def test_what_schemathesis_sent_gets_a_typed_error(api: Api) -> None:
    query = (
        'mutation { cancelPair(input: { pairId: "", reason: "" }) { ... on NotFound { code } } }'
    )
    assert _no_errors(api, query, _admin(api)) == {"cancelPair": {}}  # not NotFound: see below
    query = 'mutation { cancelPair(input: { pairId: "", reason: "" }) { __typename ... on ValidationError { fields { path } } } }'
    assert _no_errors(api, query, _admin(api))["cancelPair"] == {
        "__typename": "ValidationError", "fields": [{"path": ["reason"]}],
    }  # fmt: skip


@pytest.mark.parametrize("bad_id", MALFORMED + NAMES_NOTHING)
def test_lookups_answer_null_for_a_literal_and_a_variable(api: Api, bad_id: str) -> None:
    admin = _admin(api)
    literal = (
        f"{{ node(id: {json.dumps(bad_id)}) {{ id }} program(id: {json.dumps(bad_id)}) {{ id }} }}"
    )
    assert _no_errors(api, literal, admin) == {"node": None, "program": None}
    query = "query($id: ID!) { node(id: $id) { id } program(id: $id) { id } }"
    assert _no_errors(api, query, admin, {"id": bad_id}) == {"node": None, "program": None}


async def test_wishes_that_name_no_participant_are_field_errors(
    api: Api, database: Database
) -> None:
    """Malformed ids in a list are reported one by one, not stored as participants."""
    seeded = await seed_program(database, new_tenant(), mentors=1, mentees=1)
    mentor, mentee = seeded.mentors[0], seeded.mentees[0]
    token = api.token(seeded.tenant, seeded.email_of(mentor), "rm:participant")
    query = """mutation($input: UpdateParticipantProfileInput!) {
      updateParticipantProfile(input: $input) { __typename ... on ValidationError { fields { path } } } }"""
    wishes = [to_base64("Participant", mentee.id), "", to_base64("Program", seeded.program_id)]
    variables = {"input": {"participantId": to_base64("Participant", mentor.id), "wishes": wishes}}
    assert _no_errors(api, query, token, variables)["updateParticipantProfile"] == {
        "__typename": "ValidationError",
        "fields": [{"path": ["wishes", "1"]}, {"path": ["wishes", "2"]}],
    }
    variables["input"]["wishes"] = wishes[:1]
    updated = _no_errors(api, query, token, variables)["updateParticipantProfile"]
    assert updated == {"__typename": "Participant"}


async def _subscription_messages(api: Api, token: str, run_id: str) -> list[dict[str, Any]]:
    import asyncio

    import websockets

    url = api.base_url.replace("http", "ws") + "/graphql"
    query = "subscription($id: ID!) { matchingRunProgress(runId: $id) { status } }"
    subscribe = {
        "id": "1",
        "type": "subscribe",
        "payload": {"query": query, "variables": {"id": run_id}},
    }
    headers = {"Authorization": f"Bearer {token}"}
    messages = []
    async with websockets.connect(
        url, subprotocols=["graphql-transport-ws"], additional_headers=headers
    ) as socket:  # type: ignore[list-item]
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(json.dumps(subscribe))
        while not messages or messages[-1]["type"] not in ("complete", "error"):
            messages.append(json.loads(await asyncio.wait_for(socket.recv(), 30)))
    return messages


@pytest.mark.parametrize("bad_id", ["", "abc"])
async def test_a_subscription_treats_a_malformed_id_as_unknown(api: Api, bad_id: str) -> None:
    admin = _admin(api)
    unknown = await _subscription_messages(api, admin, to_base64("MatchingRun", 10**9))
    assert unknown == [{"id": "1", "type": "complete"}]
    assert await _subscription_messages(api, admin, bad_id) == unknown
