"""Sessions over HTTP: who may log them, the cap policy, the active period, and who sees them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from strawberry.relay import to_base64

from rm_graphql.db import Database
from rm_graphql.models.enums import PairStatus, SessionCapPolicy
from tests.support.api import Api, new_tenant
from tests.support.engagement import PairWorld, pair_row, seed_pair

LOG = """mutation($input: LogSessionInput!) { logSession(input: $input) { __typename
  ... on MentoringSession { id status durationMinutes overCap startsAt pairId loggedBy
        topicsCovered { slug } }
  ... on ValidationError { code fields { path message } }
  ... on InvalidTransition { code fromState toState }
  ... on Error { code message } } }"""
CANCEL = """mutation($input: CancelSessionInput!) { cancelSession(input: $input) { __typename
  ... on MentoringSession { status cancelReason }
  ... on ValidationError { fields { path } }
  ... on InvalidTransition { code fromState toState }
  ... on Error { code } } }"""
SESSIONS = """query($pair: ID!) { pairSessions(pairId: $pair) {
  totalCount nodes { id status topicsCovered { slug } } } }"""


def _ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


def _log(api: Api, token: str, world: PairWorld, **fields: Any) -> dict[str, Any]:
    values = {"pairId": world.pair, "startsAt": _ago(days=1), "durationMinutes": 30}
    values.update(fields)
    result: dict[str, Any] = api.query(LOG, {"input": values}, token=token)["logSession"]
    return result


async def test_a_participant_logs_a_held_session_and_the_pair_records_when(
    api: Api, database: Database
) -> None:
    world = await seed_pair(database)
    _mentor, mentee, _stranger = world.tokens(api)
    starts_at = _ago(days=2)
    logged = _log(api, mentee, world, startsAt=starts_at, topics=["ai", "strategy"])
    assert logged["__typename"] == "MentoringSession"
    assert (logged["status"], logged["overCap"], logged["pairId"]) == (
        "COMPLETED",
        False,
        world.pair,
    )
    assert [topic["slug"] for topic in logged["topicsCovered"]] == ["ai", "strategy"]
    assert logged["loggedBy"] == world.mentee_email
    pair = await pair_row(database, world.pair_id)
    assert pair.last_session_at == datetime.fromisoformat(starts_at)
    _log(api, mentee, world, startsAt=_ago(days=5))
    assert (await pair_row(database, world.pair_id)).last_session_at == pair.last_session_at
    events = api.query(
        '{ auditEvents(action: "session.logged") { totalCount nodes { actor targetType } } }',
        token=world.admin(api),
    )["auditEvents"]
    assert events["totalCount"] == 2
    assert events["nodes"][0] == {"actor": world.mentee_email, "targetType": "MentoringSession"}


async def test_managers_may_log_and_anyone_else_finds_no_pair(api: Api, database: Database) -> None:
    world = await seed_pair(database)
    _mentor, _mentee, stranger = world.tokens(api)
    assert _log(api, world.manager(api), world)["__typename"] == "MentoringSession"
    not_found = {"__typename": "NotFound", "code": "NOT_FOUND", "message": "no such pair"}
    assert _log(api, stranger, world) == not_found
    outsider = api.token(new_tenant(), "hr@example.com", "rm:admin")
    assert _log(api, outsider, world) == not_found
    assert _log(api, stranger, world, pairId=to_base64("Pair", 10**9)) == not_found
    assert _log(api, stranger, world, pairId=world.program) == not_found


async def test_the_cap_rejects_long_sessions_under_the_reject_policy(
    api: Api, database: Database
) -> None:
    world = await seed_pair(database, session_cap_minutes=45)
    mentor, _mentee, _stranger = world.tokens(api)
    assert _log(api, mentor, world, durationMinutes=45)["overCap"] is False
    refused = _log(api, mentor, world, durationMinutes=46)
    assert (refused["__typename"], refused["code"]) == ("ValidationError", "VALIDATION_ERROR")
    assert refused["fields"] == [
        {
            "path": ["durationMinutes"],
            "message": "must not exceed the program's session cap of 45 minutes",
        }
    ]


async def test_the_cap_flags_long_sessions_under_the_flag_policy(
    api: Api, database: Database
) -> None:
    world = await seed_pair(database, session_cap_policy=SessionCapPolicy.FLAG)
    mentor, _mentee, _stranger = world.tokens(api)
    flagged = _log(api, mentor, world, durationMinutes=50)
    assert (flagged["__typename"], flagged["overCap"]) == ("MentoringSession", True)
    assert _log(api, mentor, world, durationMinutes=30)["overCap"] is False


@pytest.mark.parametrize(
    "status",
    [PairStatus.PROPOSED, PairStatus.DECLINED, PairStatus.CANCELLED, PairStatus.COMPLETED],
)
async def test_only_an_active_pair_holds_sessions(
    api: Api, database: Database, status: PairStatus
) -> None:
    world = await seed_pair(database, status)
    mentor, _mentee, _stranger = world.tokens(api)
    refused = _log(api, mentor, world)
    assert (refused["__typename"], refused["code"]) == ("Conflict", "CONFLICT")
    assert status.value in refused["message"]


async def test_sessions_outside_the_active_period_and_bad_input_are_refused(
    api: Api, database: Database
) -> None:
    world = await seed_pair(database)
    mentor, _mentee, _stranger = world.tokens(api)

    def problems(**fields: Any) -> list[tuple[str, ...]]:
        result = _log(api, mentor, world, **fields)
        assert result["__typename"] == "ValidationError", result
        return [tuple(field["path"]) for field in result["fields"]]

    assert problems(startsAt=_ago(days=31)) == [("startsAt",)]
    assert problems(startsAt=_ago(days=-1)) == [("startsAt",)]
    assert problems(startsAt="2026-01-05T10:00:00") == [("startsAt",)]
    assert problems(durationMinutes=0) == [("durationMinutes",)]
    assert problems(status="CANCELLED") == [("status",)]
    assert problems(topics=["ai", "knitting"]) == [("topics", "knitting")]
    listed = api.query(SESSIONS, {"pair": world.pair}, token=mentor)["pairSessions"]
    assert listed["totalCount"] == 0


async def test_a_session_ends_no_later_than_its_program(api: Api, database: Database) -> None:
    ended = (datetime.now(UTC) - timedelta(days=3)).date()
    world = await seed_pair(database, ends_on=ended)
    mentor, _mentee, _stranger = world.tokens(api)
    assert _log(api, mentor, world, startsAt=_ago(days=4))["__typename"] == "MentoringSession"
    late = _log(api, mentor, world, startsAt=_ago(days=1))
    assert late["fields"] == [
        {"path": ["startsAt"], "message": "must not be after the program ends"}
    ]


async def test_a_scheduled_session_is_logged_later_or_cancelled_once(
    api: Api, database: Database
) -> None:
    world = await seed_pair(database)
    mentor, mentee, stranger = world.tokens(api)
    planned = _log(api, mentor, world, startsAt=_ago(days=-2), status="SCHEDULED")
    assert planned["status"] == "SCHEDULED"
    assert (await pair_row(database, world.pair_id)).last_session_at is None
    held = _log(api, mentee, world, sessionId=planned["id"], durationMinutes=25)
    assert (held["id"], held["status"], held["durationMinutes"]) == (planned["id"], "COMPLETED", 25)
    assert (await pair_row(database, world.pair_id)).last_session_at is not None
    again = _log(api, mentee, world, sessionId=planned["id"])
    assert (again["__typename"], again["code"]) == ("InvalidTransition", "INVALID_TRANSITION")
    assert (again["fromState"], again["toState"]) == ("COMPLETED", "COMPLETED")

    other = _log(api, mentor, world, startsAt=_ago(days=-3), status="SCHEDULED")["id"]

    def cancel(token: str, reason: str) -> dict[str, Any]:
        variables = {"input": {"sessionId": other, "reason": reason}}
        result: dict[str, Any] = api.query(CANCEL, variables, token=token)["cancelSession"]
        return result

    assert cancel(stranger, "not mine") == {"__typename": "NotFound", "code": "NOT_FOUND"}
    assert cancel(mentor, "  ") == {
        "__typename": "ValidationError",
        "code": "VALIDATION_ERROR",
        "fields": [{"path": ["reason"]}],
    }
    assert cancel(mentor, "travelling") == {
        "__typename": "MentoringSession",
        "status": "CANCELLED",
        "cancelReason": "travelling",
    }
    assert cancel(mentee, "twice")["__typename"] == "InvalidTransition"
    assert _log(api, mentor, world, sessionId=other)["fromState"] == "CANCELLED"


async def test_participants_see_only_their_own_pairs_sessions(api: Api, database: Database) -> None:
    world = await seed_pair(database)
    mentor, mentee, stranger = world.tokens(api)
    session_id = _log(api, mentor, world, topics=["ai"])["id"]
    expected = {
        "totalCount": 1,
        "nodes": [{"id": session_id, "status": "COMPLETED", "topicsCovered": [{"slug": "ai"}]}],
    }
    for token in (mentor, mentee, world.manager(api)):
        assert api.query(SESSIONS, {"pair": world.pair}, token=token)["pairSessions"] == expected
    outsider = api.token(new_tenant(), "hr@example.com", "rm:admin")
    for token in (stranger, outsider):
        assert api.query(SESSIONS, {"pair": world.pair}, token=token) == {"pairSessions": None}
        node = api.query(
            "query($id: ID!) { node(id: $id) { id } }", {"id": session_id}, token=token
        )
        assert node == {"node": None}
    node = api.query(
        "query($id: ID!) { node(id: $id) { ... on MentoringSession { status } } }",
        {"id": session_id},
        token=mentee,
    )
    assert node == {"node": {"status": "COMPLETED"}}


async def test_sessions_page_newest_first(api: Api, database: Database) -> None:
    world = await seed_pair(database)
    mentor, _mentee, _stranger = world.tokens(api)
    ids = [_log(api, mentor, world, startsAt=_ago(days=day))["id"] for day in (3, 1, 2)]
    page = """query($pair: ID!, $after: String) { pairSessions(pairId: $pair, first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { id } } }"""
    first = api.query(page, {"pair": world.pair}, token=mentor)["pairSessions"]
    assert [node["id"] for node in first["nodes"]] == [ids[1], ids[2]]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (3, True)
    rest = api.query(
        page, {"pair": world.pair, "after": first["pageInfo"]["endCursor"]}, token=mentor
    )["pairSessions"]
    assert [node["id"] for node in rest["nodes"]] == [ids[0]]
    scheduled = api.query(
        "query($pair: ID!) { pairSessions(pairId: $pair, status: SCHEDULED) { totalCount } }",
        {"pair": world.pair},
        token=mentor,
    )
    assert scheduled == {"pairSessions": {"totalCount": 0}}
