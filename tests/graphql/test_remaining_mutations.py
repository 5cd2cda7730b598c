"""updateProgram, upsertTopics and completePair: the happy path and each typed error."""

from __future__ import annotations

from typing import Any

from strawberry.relay import GlobalID, to_base64

from rm_graphql.db import Database
from rm_graphql.models import Pair, Participant
from tests.support.api import Api, new_tenant
from tests.support.seed import seed_program

UPDATE = """mutation($input: UpdateProgramInput!) { updateProgram(input: $input) {
  __typename ... on Program { name sessionCapMinutes } ... on ValidationError { fields { path } } ... on Error { code } } }"""
TOPICS = """mutation($input: UpsertTopicsInput!) { upsertTopics(input: $input) {
  __typename ... on TopicList { topics { slug name category } } ... on ValidationError { fields { path } } ... on Error { code } } }"""
COMPLETE = """mutation($id: ID!) { completePair(input: {pairId: $id, reason: "goals met"}) {
  __typename ... on Pair { status endedAt } ... on Error { code } } }"""


def _program(api: Api, token: str) -> str:
    created = api.query(
        'mutation { createProgram(input: {name: "Pilot"}) { ... on Program { id } } }', token=token
    )
    program_id: str = created["createProgram"]["id"]
    return program_id


def _update(api: Api, token: str, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = api.query(UPDATE, {"input": fields}, token=token)["updateProgram"]
    return result


def test_update_program_and_its_errors(api: Api) -> None:
    tenant = new_tenant()
    admin = api.token(tenant, "hr@example.com", "rm:admin")
    program_id = _program(api, admin)
    assert _update(api, admin, id=program_id, name="Pilot 2027", sessionCapMinutes=45) == {
        "__typename": "Program", "name": "Pilot 2027", "sessionCapMinutes": 45,
    }  # fmt: skip
    dates = _update(api, admin, id=program_id, startsOn="2027-03-01", endsOn="2027-01-01")
    assert dates["fields"] == [{"path": ["endsOn"]}]
    participant = api.token(tenant, "someone@example.com", "rm:participant")
    assert _update(api, participant, id=program_id, name="Mine")["code"] == "NOT_ALLOWED"
    stranger = api.token(new_tenant(), "hr@example.com", "rm:admin")
    assert _update(api, stranger, id=program_id, name="Theirs")["code"] == "NOT_FOUND"
    api.query(
        "mutation($id: ID!) { transitionProgram(input: {id: $id, to: ARCHIVED}) { __typename } }",
        {"id": program_id},
        token=admin,
    )
    assert _update(api, admin, id=program_id, name="Too late")["code"] == "CONFLICT"


def test_upsert_topics_creates_then_updates_by_slug(api: Api) -> None:
    tenant = new_tenant()
    admin = api.token(tenant, "hr@example.com", "rm:admin")
    first = api.query(
        TOPICS,
        {"input": {"topics": [{"slug": "gen-ai", "name": "GenAI", "category": "AI"}]}},
        token=admin,
    )
    assert first["upsertTopics"]["topics"] == [
        {"slug": "gen-ai", "name": "GenAI", "category": "AI"}
    ]
    renamed = api.query(
        TOPICS,
        {"input": {"topics": [{"slug": "gen-ai", "name": "Generative AI", "category": "AI"}]}},
        token=admin,
    )
    assert renamed["upsertTopics"]["topics"][0]["name"] == "Generative AI"
    assert len(api.query("{ topics { slug } }", token=admin)["topics"]) == 1
    bad = api.query(
        TOPICS,
        {
            "input": {
                "topics": [
                    {"slug": "Bad Slug", "name": "x", "category": "AI"},
                    {"slug": "ok", "name": " ", "category": "AI"},
                ]
            }
        },
        token=admin,
    )
    assert {tuple(f["path"]) for f in bad["upsertTopics"]["fields"]} == {
        ("topics", "0", "slug"),
        ("topics", "1", "name"),
    }
    participant = api.token(tenant, "someone@example.com", "rm:participant")
    refused = api.query(
        TOPICS,
        {"input": {"topics": [{"slug": "x", "name": "X", "category": "AI"}]}},
        token=participant,
    )
    assert refused["upsertTopics"]["code"] == "NOT_ALLOWED"


async def test_complete_pair_frees_the_mentor_and_is_guarded(api: Api, database: Database) -> None:
    seeded = await seed_program(database, new_tenant())
    admin = api.token(seeded.tenant, "hr@example.com", "rm:admin")
    people = {
        "mentorId": to_base64("Participant", seeded.mentors[0].id),
        "menteeId": to_base64("Participant", seeded.mentees[0].id),
    }
    pair_id = api.query(
        "mutation($i: PairPeopleInput!) { pinPair(input: $i) { ... on Pair { id } } }",
        {"i": people},
        token=admin,
    )["pinPair"]["id"]
    assert api.query(COMPLETE, {"id": pair_id}, token=admin)["completePair"] == {
        "__typename": "InvalidTransition",
        "code": "INVALID_TRANSITION",
    }
    async with database.transaction() as session:
        pair = await session.get_one(Pair, int(GlobalID.from_id(pair_id).node_id))
        pair.status = "ACTIVE"
    stranger = api.token(seeded.tenant, seeded.email_of(seeded.mentors[1]), "rm:participant")
    assert (
        api.query(COMPLETE, {"id": pair_id}, token=stranger)["completePair"]["code"] == "NOT_FOUND"
    )
    done = api.query(COMPLETE, {"id": pair_id}, token=admin)["completePair"]
    assert done["status"] == "COMPLETED"
    assert done["endedAt"]
    async with database.transaction() as session:
        mentor = await session.get_one(Participant, seeded.mentors[0].id)
    assert mentor.assigned_count == 0
