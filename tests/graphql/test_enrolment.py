"""Self-service enrolment, profiles, withdrawal, and what a participant may see."""

from __future__ import annotations

from typing import Any

from rm_graphql.db import Database
from tests.support.api import Api, new_tenant
from tests.support.seed import seed_org

ENROLL = """mutation($input: EnrollInput!) { enroll(input: $input) {
  __typename ... on Participant { id role status consentAt } ... on Error { code message } } }"""
PROFILE = """mutation($input: UpdateParticipantProfileInput!) { updateParticipantProfile(input: $input) {
  __typename ... on Participant { capacity teachTopics { topic { slug } level } learnTopics { topic { slug } level } }
  ... on ValidationError { fields { path message } } ... on Error { code } } }"""


def _open_program(api: Api, admin: str) -> str:
    created = api.query(
        'mutation { createProgram(input: {name: "Open", enrolmentMode: OPEN}) { ... on Program { id } } }',
        token=admin,
    )
    program_id: str = created["createProgram"]["id"]
    api.query(
        "mutation($id: ID!) { transitionProgram(input: {id: $id, to: ENROLLING}) { __typename } }",
        {"id": program_id},
        token=admin,
    )
    return program_id


async def _setup(api: Api, database: Database) -> tuple[str, str, list[str]]:
    slug = new_tenant()
    _tenant, people = await seed_org(database, slug, people=3)
    admin = api.token(slug, "hr@example.com", "rm:admin")
    tokens = [api.token(slug, p.email or "", "rm:participant") for p in people]
    return admin, _open_program(api, admin), tokens


def _enroll(
    api: Api, token: str, program_id: str, role: str, consent: bool = True
) -> dict[str, Any]:
    variables = {"input": {"programId": program_id, "role": role, "consent": consent}}
    result: dict[str, Any] = api.query(ENROLL, variables, token=token)["enroll"]
    return result


async def test_enrolment_needs_consent_and_happens_once(api: Api, database: Database) -> None:
    _admin, program_id, (junior, *_rest) = await _setup(api, database)
    refused = _enroll(api, junior, program_id, "MENTOR", consent=False)
    assert refused["__typename"] == "ValidationError"
    enrolled = _enroll(api, junior, program_id, "MENTOR")
    assert enrolled["status"] == "ENROLLED"
    assert enrolled["consentAt"]
    assert _enroll(api, junior, program_id, "MENTOR")["code"] == "CONFLICT"


async def test_profile_topics_are_validated_and_stored(api: Api, database: Database) -> None:
    _admin, program_id, (junior, *_rest) = await _setup(api, database)
    participant_id = _enroll(api, junior, program_id, "MENTOR")["id"]
    bad = api.query(
        PROFILE,
        {"input": {"participantId": participant_id, "teachTopics": [{"topic": "ai", "level": 9}]}},
        token=junior,
    )
    assert bad["updateParticipantProfile"]["fields"] == [
        {"path": ["teach_topics", "ai"], "message": "level must be between 1 and 5"}
    ]
    unknown = api.query(
        PROFILE,
        {"input": {"participantId": participant_id, "learnTopics": [{"topic": "knitting"}]}},
        token=junior,
    )
    assert unknown["updateParticipantProfile"]["__typename"] == "ValidationError"
    good = api.query(
        PROFILE,
        {
            "input": {
                "participantId": participant_id,
                "capacity": 2,
                "teachTopics": [{"topic": "ai", "level": 5}],
                "learnTopics": [{"topic": "strategy", "level": 2}],
            }
        },
        token=junior,
    )
    assert good["updateParticipantProfile"] == {
        "__typename": "Participant",
        "capacity": 2,
        "teachTopics": [{"topic": {"slug": "ai"}, "level": 5}],
        "learnTopics": [{"topic": {"slug": "strategy"}, "level": 2}],
    }


async def test_a_participant_sees_and_changes_only_their_own_participation(
    api: Api, database: Database
) -> None:
    admin, program_id, (junior, senior, _third) = await _setup(api, database)
    mine = _enroll(api, junior, program_id, "MENTOR")["id"]
    theirs = _enroll(api, senior, program_id, "MENTEE")["id"]
    listing = "query($id: ID!) { program(id: $id) { participants { totalCount nodes { id } } } }"
    seen = api.query(listing, {"id": program_id}, token=junior)["program"]["participants"]
    assert seen == {"totalCount": 1, "nodes": [{"id": mine}]}
    assert (
        api.query(listing, {"id": program_id}, token=admin)["program"]["participants"]["totalCount"]
        == 2
    )
    assert api.query("query($id: ID!) { node(id: $id) { id } }", {"id": theirs}, token=junior) == {
        "node": None
    }
    edit = api.query(PROFILE, {"input": {"participantId": theirs, "capacity": 1}}, token=junior)
    assert edit["updateParticipantProfile"] == {"__typename": "NotFound", "code": "NOT_FOUND"}


async def test_me_shows_the_callers_employee_and_participations(
    api: Api, database: Database
) -> None:
    _admin, program_id, (junior, *_rest) = await _setup(api, database)
    _enroll(api, junior, program_id, "MENTOR")
    me = api.query(
        "{ me { employee { jobLevel } participations { role program { name } } } }", token=junior
    )["me"]
    assert me == {
        "employee": {"jobLevel": 2},
        "participations": [{"role": "MENTOR", "program": {"name": "Open"}}],
    }


async def test_withdrawal_is_recorded(api: Api, database: Database) -> None:
    _admin, program_id, (junior, *_rest) = await _setup(api, database)
    participant_id = _enroll(api, junior, program_id, "MENTOR")["id"]
    withdraw = """mutation($id: ID!) { withdraw(input: {participantId: $id, reason: "busy"}) {
      __typename ... on Participant { status withdrawnAt } ... on Error { code } } }"""
    first = api.query(withdraw, {"id": participant_id}, token=junior)["withdraw"]
    assert first["status"] == "WITHDRAWN"
    assert (
        api.query(withdraw, {"id": participant_id}, token=junior)["withdraw"]["code"] == "CONFLICT"
    )
