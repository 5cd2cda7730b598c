"""Concern reports reach HR admins only; repeated low ratings or a concern flag a participant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from strawberry.relay import to_base64

from rm_graphql.db import Database
from rm_graphql.models.enums import PairStatus
from tests.support.api import Api, new_tenant
from tests.support.engagement import PairWorld, add_pair, seed_pair

REPORT = """mutation($input: ReportConcernInput!) { reportConcern(input: $input) { __typename
  ... on Feedback { id isConcern comment anonymous author { id } }
  ... on ValidationError { fields { path message } }
  ... on Error { code } } }"""
SUBMIT = """mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) {
  ... on Feedback { id } } }"""
LOG = """mutation($input: LogSessionInput!) { logSession(input: $input) {
  ... on MentoringSession { id } } }"""
CONCERNS = """query($program: ID!) { concernReports(programId: $program) {
  totalCount nodes { id comment author { id } } } }"""
FLAGGED = """query($program: ID!) { flaggedParticipants(programId: $program) {
  participant { id role } lowRatedFeedbackCount lowRatedFeedbackIds concernCount concernIds } }"""
FEEDBACK = "query($pair: ID!) { pairFeedback(pairId: $pair) { nodes { id isConcern } } }"


def _report(api: Api, token: str, world: PairWorld, **fields: Any) -> dict[str, Any]:
    values = {"pairId": world.pair, "comment": "Dismissive in every session", **fields}
    result: dict[str, Any] = api.query(REPORT, {"input": values}, token=token)["reportConcern"]
    return result


def _rate(api: Api, token: str, world: PairWorld, session: str | None, rating: int) -> str:
    values = {"pairId": world.pair, "sessionId": session, "respect": rating, "usefulness": 4}
    feedback_id: str = api.query(SUBMIT, {"input": values}, token=token)["submitFeedback"]["id"]
    return feedback_id


def _held_session(api: Api, token: str, world: PairWorld, days_ago: int) -> str:
    starts_at = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    values = {"pairId": world.pair, "startsAt": starts_at, "durationMinutes": 30}
    session_id: str = api.query(LOG, {"input": values}, token=token)["logSession"]["id"]
    return session_id


async def test_a_concern_is_read_by_hr_admins_and_nobody_else(api: Api, database: Database) -> None:
    world = await seed_pair(database)
    mentor, mentee, stranger = world.tokens(api)
    concern = _report(api, mentee, world)
    assert concern == {
        "__typename": "Feedback",
        "id": concern["id"],
        "isConcern": True,
        "comment": "Dismissive in every session",
        "anonymous": False,
        "author": {"id": to_base64("Participant", world.mentee_id)},
    }
    admin = world.admin(api)
    listed = api.query(CONCERNS, {"program": world.program}, token=admin)["concernReports"]
    assert listed["totalCount"] == 1
    assert listed["nodes"][0]["id"] == concern["id"]
    in_pair = api.query(FEEDBACK, {"pair": world.pair}, token=admin)["pairFeedback"]["nodes"]
    assert in_pair == [{"id": concern["id"], "isConcern": True}]
    manager = world.manager(api)
    for token in (mentor, manager):
        assert api.query(FEEDBACK, {"pair": world.pair}, token=token)["pairFeedback"]["nodes"] == []
        node = api.query(
            "query($id: ID!) { node(id: $id) { id } }", {"id": concern["id"]}, token=token
        )
        assert node == {"node": None}
    for token in (manager, mentor, stranger):
        body = api.post(CONCERNS, {"program": world.program}, token=token).json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"


async def test_concern_input_and_access(api: Api, database: Database) -> None:
    world = await seed_pair(database)
    _mentor, mentee, stranger = world.tokens(api)
    assert _report(api, mentee, world, comment=" ")["fields"] == [
        {"path": ["comment"], "message": "describe the concern in 1 to 4000 characters"}
    ]
    assert _report(api, stranger, world) == {"__typename": "NotFound", "code": "NOT_FOUND"}
    outsider = api.token(new_tenant(), "hr@example.com", "rm:admin")
    assert _report(api, outsider, world) == {"__typename": "NotFound", "code": "NOT_FOUND"}
    assert _report(api, world.manager(api), world)["code"] == "NOT_ALLOWED"
    anonymous = _report(api, mentee, world, anonymous=True)
    assert (anonymous["anonymous"], anonymous["author"]) == (True, None)
    proposed = await seed_pair(database, PairStatus.PROPOSED)
    _mentor, worried, _stranger = proposed.tokens(api)
    assert _report(api, worried, proposed)["isConcern"] is True


async def test_repeated_low_ratings_or_a_concern_flag_a_participant(
    api: Api, database: Database
) -> None:
    world = await seed_pair(database)
    mentor, mentee, _stranger = world.tokens(api)
    first, second = (_held_session(api, mentor, world, days) for days in (2, 1))
    low = [_rate(api, mentee, world, first, 2), _rate(api, mentee, world, second, 1)]
    _rate(api, mentee, world, None, 4)
    _rate(api, mentor, world, first, 2)
    admin = world.admin(api)
    flagged = api.query(FLAGGED, {"program": world.program}, token=admin)["flaggedParticipants"]
    assert flagged == [
        {
            "participant": {"id": to_base64("Participant", world.mentor_id), "role": "MENTOR"},
            "lowRatedFeedbackCount": 2,
            "lowRatedFeedbackIds": low,
            "concernCount": 0,
            "concernIds": [],
        }
    ]
    other_pair, other_mentor, _other_mentee = await add_pair(database, world)
    other = PairWorld(**{**vars(world), "pair_id": other_pair})
    concern = _report(api, api.token(world.slug, other_mentor, "rm:participant"), other)["id"]
    flagged = api.query(FLAGGED, {"program": world.program}, token=admin)["flaggedParticipants"]
    assert [(f["participant"]["role"], f["concernIds"]) for f in flagged] == [
        ("MENTOR", []),
        ("MENTEE", [concern]),
    ]
    for token in (world.manager(api), mentee):
        body = api.post(FLAGGED, {"program": world.program}, token=token).json()
        assert body["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"
    outsider = api.token(new_tenant(), "hr@example.com", "rm:admin")
    assert api.query(FLAGGED, {"program": world.program}, token=outsider) == {
        "flaggedParticipants": []
    }
