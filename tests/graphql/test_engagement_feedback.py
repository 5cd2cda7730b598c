"""Feedback over HTTP: who writes it, once per target, anonymity, privacy and withheld summaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from strawberry.relay import to_base64

from rm_graphql.db import Database
from rm_graphql.models.enums import PairStatus
from tests.support.api import Api, new_tenant
from tests.support.engagement import PairWorld, add_pair, seed_pair

SUBMIT = """mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { __typename
  ... on Feedback { id usefulness comfort respect wouldRecommend comment anonymous isConcern
                    author { id } session { id } pairId }
  ... on ValidationError { fields { path message } }
  ... on Error { code } } }"""
LOG = """mutation($input: LogSessionInput!) { logSession(input: $input) {
  ... on MentoringSession { id } } }"""
FEEDBACK = """query($pair: ID!) { pairFeedback(pairId: $pair) {
  totalCount nodes { id usefulness comment anonymous author { id } } } }"""
SUMMARY = """query($pair: ID!) { pairFeedbackSummary(pairId: $pair) {
  pairId responses withheld withheldReason usefulness comfort respect wouldRecommend } }"""
RATED = {"usefulness": 4, "comfort": 5, "respect": 5, "wouldRecommend": 4}


def _session(api: Api, token: str, world: PairWorld, status: str = "COMPLETED") -> str:
    days = 1 if status == "COMPLETED" else -1
    starts_at = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    variables = {
        "input": {
            "pairId": world.pair,
            "startsAt": starts_at,
            "durationMinutes": 30,
            "status": status,
        }
    }
    session_id: str = api.query(LOG, variables, token=token)["logSession"]["id"]
    return session_id


def _submit(api: Api, token: str, world: PairWorld, **fields: Any) -> dict[str, Any]:
    values = {"pairId": world.pair, **fields}
    result: dict[str, Any] = api.query(SUBMIT, {"input": values}, token=token)["submitFeedback"]
    return result


async def test_a_participant_rates_the_pair_and_a_session_once_each(
    api: Api, database: Database
) -> None:
    world = await seed_pair(database)
    mentor, mentee, _stranger = world.tokens(api)
    held = _session(api, mentor, world)
    on_pair = _submit(api, mentee, world, **RATED, comment="Eye-opening")
    assert on_pair == {
        "__typename": "Feedback",
        "id": on_pair["id"],
        "usefulness": 4,
        "comfort": 5,
        "respect": 5,
        "wouldRecommend": 4,
        "comment": "Eye-opening",
        "anonymous": False,
        "isConcern": False,
        "author": {"id": to_base64("Participant", world.mentee_id)},
        "session": None,
        "pairId": world.pair,
    }
    on_session = _submit(api, mentee, world, sessionId=held, usefulness=3)
    assert on_session["session"] == {"id": held}
    assert _submit(api, mentee, world, sessionId=held, comment="again") == {
        "__typename": "Conflict",
        "code": "CONFLICT",
    }
    assert _submit(api, mentee, world, usefulness=2)["code"] == "CONFLICT"
    assert _submit(api, mentor, world, sessionId=held, comment="Good questions")["comment"] == (
        "Good questions"
    )


async def test_ratings_are_1_to_5_and_something_must_be_said(api: Api, database: Database) -> None:
    world = await seed_pair(database)
    _mentor, mentee, _stranger = world.tokens(api)
    out_of_range = _submit(api, mentee, world, usefulness=0, respect=6, comfort=3)
    assert out_of_range["fields"] == [
        {"path": ["usefulness"], "message": "must be between 1 and 5"},
        {"path": ["respect"], "message": "must be between 1 and 5"},
    ]
    assert _submit(api, mentee, world, comment="  ")["fields"] == [
        {"path": ["ratings"], "message": "give at least one rating or a comment"}
    ]


async def test_only_the_pairs_two_people_give_feedback_on_held_sessions(
    api: Api, database: Database
) -> None:
    world = await seed_pair(database)
    mentor, mentee, stranger = world.tokens(api)
    outsider = api.token(new_tenant(), "hr@example.com", "rm:admin")
    for token in (stranger, outsider):
        assert _submit(api, token, world, **RATED) == {
            "__typename": "NotFound",
            "code": "NOT_FOUND",
        }
    assert _submit(api, world.manager(api), world, **RATED) == {
        "__typename": "NotAllowed",
        "code": "NOT_ALLOWED",
    }
    planned = _session(api, mentor, world, status="SCHEDULED")
    assert _submit(api, mentee, world, sessionId=planned, **RATED)["code"] == "CONFLICT"
    other_pair, other_mentor, _other_mentee = await add_pair(database, world)
    other_world = PairWorld(**{**vars(world), "pair_id": other_pair})
    other_token = api.token(world.slug, other_mentor, "rm:participant")
    foreign_session = _session(api, other_token, other_world)
    assert _submit(api, mentee, world, sessionId=foreign_session, **RATED)["code"] == "NOT_FOUND"
    never_met = await seed_pair(database, PairStatus.PROPOSED)
    _mentor, proposed_mentee, _stranger = never_met.tokens(api)
    assert _submit(api, proposed_mentee, never_met, **RATED)["code"] == "CONFLICT"


async def test_anonymous_feedback_never_shows_its_author(api: Api, database: Database) -> None:
    world = await seed_pair(database)
    _mentor, mentee, _stranger = world.tokens(api)
    given = _submit(api, mentee, world, comfort=2, anonymous=True)
    assert (given["anonymous"], given["author"]) == (True, None)
    admin = world.admin(api)
    for token in (admin, world.manager(api), mentee):
        nodes = api.query(FEEDBACK, {"pair": world.pair}, token=token)["pairFeedback"]["nodes"]
        assert [(n["id"], n["author"]) for n in nodes] == [(given["id"], None)]
        node = api.query(
            "query($id: ID!) { node(id: $id) { ... on Feedback { anonymous author { id } } } }",
            {"id": given["id"]},
            token=token,
        )
        assert node == {"node": {"anonymous": True, "author": None}}
    events = api.query(
        '{ auditEvents(action: "feedback.submitted") { nodes { actor targetId requestId } } }',
        token=admin,
    )["auditEvents"]["nodes"]
    assert events == [{"actor": "anonymous", "targetId": events[0]["targetId"], "requestId": None}]


async def test_participants_read_only_the_feedback_they_wrote(api: Api, database: Database) -> None:
    world = await seed_pair(database)
    mentor, mentee, stranger = world.tokens(api)
    from_mentee = _submit(api, mentee, world, usefulness=5)["id"]
    from_mentor = _submit(api, mentor, world, usefulness=3, comment="Sharp")["id"]

    def seen(token: str) -> Any:
        listed = api.query(FEEDBACK, {"pair": world.pair}, token=token)["pairFeedback"]
        return listed and sorted(node["id"] for node in listed["nodes"])

    assert seen(mentee) == [from_mentee]
    assert seen(mentor) == [from_mentor]
    assert seen(world.manager(api)) == sorted([from_mentee, from_mentor])
    assert seen(stranger) is None
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert api.query(node, {"id": from_mentee}, token=mentor) == {"node": None}


async def test_the_summary_is_withheld_below_three_responses(api: Api, database: Database) -> None:
    world = await seed_pair(database)
    mentor, mentee, _stranger = world.tokens(api)
    held = _session(api, mentor, world)
    _submit(api, mentee, world, usefulness=4, comfort=2)
    _submit(api, mentee, world, sessionId=held, usefulness=5, comfort=3)
    manager = world.manager(api)
    withheld = api.query(SUMMARY, {"pair": world.pair}, token=manager)["pairFeedbackSummary"]
    assert withheld == {
        "pairId": world.pair,
        "responses": 2,
        "withheld": True,
        "withheldReason": "fewer than 3 responses",
        "usefulness": None,
        "comfort": None,
        "respect": None,
        "wouldRecommend": None,
    }
    _submit(api, mentor, world, sessionId=held, usefulness=3, comfort=4)
    shown = api.query(SUMMARY, {"pair": world.pair}, token=manager)["pairFeedbackSummary"]
    assert (shown["responses"], shown["withheld"], shown["withheldReason"]) == (3, False, None)
    assert (shown["usefulness"], shown["comfort"]) == (4.0, 3.0)
    assert (shown["respect"], shown["wouldRecommend"]) == (None, None)
    kpi_reader = api.token(world.slug, "leader@example.com", "rm:kpi")
    assert (
        api.query(SUMMARY, {"pair": world.pair}, token=kpi_reader)["pairFeedbackSummary"] == shown
    )
    for token in (mentor, mentee, api.token(new_tenant(), "hr@example.com", "rm:admin")):
        assert api.query(SUMMARY, {"pair": world.pair}, token=token) == {
            "pairFeedbackSummary": None
        }
