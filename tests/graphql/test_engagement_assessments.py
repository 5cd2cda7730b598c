"""Skill self-assessments over HTTP: one per participant, topic and phase; private to the person."""

from __future__ import annotations

from typing import Any

from strawberry.relay import to_base64

from rm_graphql.db import Database
from tests.support.api import Api, new_tenant
from tests.support.engagement import seed_pair

RECORD = """mutation($input: RecordSkillAssessmentInput!) { recordSkillAssessment(input: $input) {
  __typename ... on SkillAssessment { id phase level topic { slug } participant { id } }
  ... on ValidationError { fields { path message } }
  ... on Error { code } } }"""
LIST = """query($participant: ID!) { skillAssessments(participantId: $participant) {
  totalCount nodes { id phase level topic { slug } } } }"""


def _record(api: Api, token: str, participant: str, **fields: Any) -> dict[str, Any]:
    values = {"participantId": participant, "topic": "ai", "level": 2, "phase": "PRE", **fields}
    variables = {"input": values}
    result: dict[str, Any] = api.query(RECORD, variables, token=token)["recordSkillAssessment"]
    return result


async def test_recording_again_replaces_the_level_of_that_phase(
    api: Api, database: Database
) -> None:
    world = await seed_pair(database)
    _mentor, mentee, _stranger = world.tokens(api)
    me = to_base64("Participant", world.mentee_id)
    before = _record(api, mentee, me)
    assert before == {
        "__typename": "SkillAssessment",
        "id": before["id"],
        "phase": "PRE",
        "level": 2,
        "topic": {"slug": "ai"},
        "participant": {"id": me},
    }
    corrected = _record(api, mentee, me, level=1)
    assert (corrected["id"], corrected["level"]) == (before["id"], 1)
    after = _record(api, mentee, me, level=4, phase="POST")
    assert after["id"] != before["id"]
    listed = api.query(LIST, {"participant": me}, token=mentee)["skillAssessments"]
    assert listed == {
        "totalCount": 2,
        "nodes": [
            {"id": before["id"], "phase": "PRE", "level": 1, "topic": {"slug": "ai"}},
            {"id": after["id"], "phase": "POST", "level": 4, "topic": {"slug": "ai"}},
        ],
    }


async def test_assessments_are_validated_and_private_to_the_person(
    api: Api, database: Database
) -> None:
    world = await seed_pair(database)
    mentor, mentee, _stranger = world.tokens(api)
    me = to_base64("Participant", world.mentee_id)
    assert _record(api, mentee, me, level=6, topic="knitting")["fields"] == [
        {"path": ["level"], "message": "must be between 1 and 5"},
        {"path": ["topic"], "message": "no such topic"},
    ]
    assert _record(api, mentor, me) == {"__typename": "NotFound", "code": "NOT_FOUND"}
    outsider = api.token(new_tenant(), "hr@example.com", "rm:admin")
    assert _record(api, outsider, me) == {"__typename": "NotFound", "code": "NOT_FOUND"}
    recorded = _record(api, world.manager(api), me, topic="strategy")
    assert recorded["__typename"] == "SkillAssessment"
    for token in (mentor, outsider):
        assert api.query(LIST, {"participant": me}, token=token) == {"skillAssessments": None}
        node = api.query(
            "query($id: ID!) { node(id: $id) { id } }", {"id": recorded["id"]}, token=token
        )
        assert node == {"node": None}
    manager_view = api.query(LIST, {"participant": me}, token=world.manager(api))
    assert manager_view["skillAssessments"]["totalCount"] == 1
