"""The program lifecycle over HTTP with real tokens: happy paths and every typed error."""

from __future__ import annotations

from typing import Any

from strawberry.relay import to_base64

from rm_graphql.db import Database
from tests.support.api import Api, new_tenant
from tests.support.seed import seed_org

CREATE = """
mutation($input: CreateProgramInput!) {
  createProgram(input: $input) {
    __typename
    ... on Program { id name status sessionCapMinutes enrolmentMode }
    ... on ValidationError { code fields { path message } }
    ... on NotAllowed { code message }
  }
}"""
TRANSITION = """
mutation($input: TransitionProgramInput!) {
  transitionProgram(input: $input) {
    __typename
    ... on Program { status }
    ... on InvalidTransition { code fromState toState }
    ... on NotFound { code }
  }
}"""
INVITE = """
mutation($input: InviteParticipantsInput!) {
  inviteParticipants(input: $input) {
    __typename
    ... on ParticipantList { participants { id role status employee { displayName } } }
    ... on ValidationError { fields { path message } }
  }
}"""


def _create(api: Api, token: str, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = api.query(CREATE, {"input": fields}, token=token)["createProgram"]
    return result


def test_admin_creates_a_program_with_sensible_defaults(api: Api) -> None:
    admin = api.token(new_tenant(), "hr@example.com", "rm:admin")
    program = _create(api, admin, name="Digital fluency for leaders")
    assert program["__typename"] == "Program"
    assert program["status"] == "DRAFT"
    assert program["sessionCapMinutes"] == 30
    assert program["enrolmentMode"] == "INVITE_ONLY"


def test_bad_input_is_a_validation_error_naming_each_field(api: Api) -> None:
    admin = api.token(new_tenant(), "hr@example.com", "rm:admin")
    result = _create(api, admin, name=" ", sessionCapMinutes=1000)
    assert result["__typename"] == "ValidationError"
    assert {tuple(f["path"]) for f in result["fields"]} == {("name",), ("sessionCapMinutes",)}


def test_participants_may_not_create_programs(api: Api) -> None:
    participant = api.token(new_tenant(), "someone@example.com", "rm:participant")
    assert _create(api, participant, name="Mine")["__typename"] == "NotAllowed"


def test_transitions_are_guarded(api: Api) -> None:
    admin = api.token(new_tenant(), "hr@example.com", "rm:admin")
    program_id = _create(api, admin, name="Guarded")["id"]
    skip = api.query(TRANSITION, {"input": {"id": program_id, "to": "ACTIVE"}}, token=admin)
    assert skip["transitionProgram"] == {
        "__typename": "InvalidTransition",
        "code": "INVALID_TRANSITION",
        "fromState": "DRAFT",
        "toState": "ACTIVE",
    }
    step = api.query(TRANSITION, {"input": {"id": program_id, "to": "ENROLLING"}}, token=admin)
    assert step["transitionProgram"] == {"__typename": "Program", "status": "ENROLLING"}


def test_another_tenants_program_does_not_exist(api: Api) -> None:
    owner = api.token(new_tenant(), "hr@a.example", "rm:admin")
    stranger = api.token(new_tenant(), "hr@b.example", "rm:admin")
    program_id = _create(api, owner, name="Private")["id"]
    read = api.query(
        "query($id: ID!) { program(id: $id) { name } node(id: $id) { id } }",
        {"id": program_id},
        token=stranger,
    )
    assert read == {"program": None, "node": None}
    write = api.query(TRANSITION, {"input": {"id": program_id, "to": "ENROLLING"}}, token=stranger)
    assert write["transitionProgram"] == {"__typename": "NotFound", "code": "NOT_FOUND"}
    missing = api.query(
        TRANSITION,
        {"input": {"id": to_base64("Program", 10**9), "to": "ENROLLING"}},
        token=stranger,
    )
    assert missing == write


async def test_invite_enrol_and_list_participants_with_paging(api: Api, database: Database) -> None:
    slug = new_tenant()
    _tenant, people = await seed_org(database, slug, people=6)
    admin = api.token(slug, "hr@example.com", "rm:admin")
    program_id = _create(api, admin, name="Cohort 1")["id"]
    invitations = [
        {
            "employeeId": to_base64("Employee", person.id),
            "role": "MENTOR" if i % 2 == 0 else "MENTEE",
        }
        for i, person in enumerate(people)
    ]
    invited = api.query(
        INVITE, {"input": {"programId": program_id, "invitations": invitations}}, token=admin
    )
    participants = invited["inviteParticipants"]["participants"]
    assert len(participants) == 6
    assert {p["status"] for p in participants} == {"INVITED"}

    page = """query($id: ID!, $after: String) { program(id: $id) { participants(first: 4, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { role employee { displayName } } } } } }"""
    first = api.query(page, {"id": program_id}, token=admin)["program"]["participants"]
    assert first["totalCount"] == 6
    assert len(first["edges"]) == 4
    assert first["pageInfo"]["hasNextPage"] is True
    rest = api.query(page, {"id": program_id, "after": first["pageInfo"]["endCursor"]}, token=admin)
    second = rest["program"]["participants"]
    assert len(second["edges"]) == 2
    assert second["pageInfo"]["hasNextPage"] is False
    names = {e["node"]["employee"]["displayName"] for e in first["edges"] + second["edges"]}
    assert names == {person.display_name for person in people}


async def test_invitations_of_unknown_employees_are_refused(api: Api, database: Database) -> None:
    slug = new_tenant()
    await seed_org(database, slug, people=1)
    _other, strangers = await seed_org(database, new_tenant(), people=1)
    admin = api.token(slug, "hr@example.com", "rm:admin")
    program_id = _create(api, admin, name="Closed")["id"]
    invitation = {"employeeId": to_base64("Employee", strangers[0].id), "role": "MENTOR"}
    result = api.query(
        INVITE, {"input": {"programId": program_id, "invitations": [invitation]}}, token=admin
    )
    assert result["inviteParticipants"]["fields"] == [
        {"path": ["invitations", "0", "employeeId"], "message": "no such active employee"}
    ]
