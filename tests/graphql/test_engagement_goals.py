"""Goals for both sides over HTTP: owners, progress, status moves and who sees them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from strawberry.relay import to_base64

from rm_graphql.db import Database
from rm_graphql.models.enums import PairStatus
from tests.support.api import Api, new_tenant
from tests.support.engagement import PairWorld, seed_pair

SET = """mutation($input: SetGoalInput!) { setGoal(input: $input) { __typename
  ... on Goal { id ownerSide description progress status dueOn pairId owner { id role }
                topic { slug } }
  ... on ValidationError { fields { path message } }
  ... on Error { code } } }"""
UPDATE = """mutation($input: UpdateGoalProgressInput!) { updateGoalProgress(input: $input) {
  __typename ... on Goal { progress status }
  ... on ValidationError { fields { path message } }
  ... on InvalidTransition { fromState toState }
  ... on Error { code } } }"""
GOALS = """query($pair: ID!, $side: Side) { pairGoals(pairId: $pair, side: $side) {
  totalCount nodes { id ownerSide owner { id } topic { slug } } } }"""


def _in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def _set(api: Api, token: str, world: PairWorld, **fields: Any) -> dict[str, Any]:
    values = {"pairId": world.pair, "side": "MENTEE", "description": "Run a team retro in Miro"}
    values.update(fields)
    result: dict[str, Any] = api.query(SET, {"input": values}, token=token)["setGoal"]
    return result


def _update(api: Api, token: str, goal_id: str, **fields: Any) -> dict[str, Any]:
    variables = {"input": {"goalId": goal_id, **fields}}
    result: dict[str, Any] = api.query(UPDATE, variables, token=token)["updateGoalProgress"]
    return result


async def test_both_sides_set_goals_owned_by_their_participant(
    api: Api, database: Database
) -> None:
    world = await seed_pair(database)
    mentor, mentee, _stranger = world.tokens(api)
    mentor_participant = to_base64("Participant", world.mentor_id)
    mentee_participant = to_base64("Participant", world.mentee_id)
    digital = _set(api, mentee, world, topic="ai", dueOn=_in_days(30))
    assert digital == {
        "__typename": "Goal",
        "id": digital["id"],
        "ownerSide": "MENTEE",
        "description": "Run a team retro in Miro",
        "progress": 0,
        "status": "OPEN",
        "dueOn": _in_days(30),
        "pairId": world.pair,
        "owner": {"id": mentee_participant, "role": "MENTEE"},
        "topic": {"slug": "ai"},
    }
    own = _set(
        api,
        mentor,
        world,
        side="MENTOR",
        ownerId=mentor_participant,
        description="Frame a budget pitch for the board",
        topic="strategy",
    )
    assert own["owner"] == {"id": mentor_participant, "role": "MENTOR"}
    listed = api.query(GOALS, {"pair": world.pair}, token=mentor)["pairGoals"]
    assert listed["totalCount"] == 2
    assert [(n["ownerSide"], n["topic"]["slug"]) for n in listed["nodes"]] == [
        ("MENTEE", "ai"),
        ("MENTOR", "strategy"),
    ]
    only_mentor = api.query(GOALS, {"pair": world.pair, "side": "MENTOR"}, token=mentee)
    assert only_mentor["pairGoals"]["nodes"][0]["owner"] == {"id": mentor_participant}


async def test_goal_input_is_validated_field_by_field(api: Api, database: Database) -> None:
    world = await seed_pair(database)
    mentor, _mentee, _stranger = world.tokens(api)
    wrong_owner = _set(
        api, mentor, world, side="MENTOR", ownerId=to_base64("Participant", world.mentee_id)
    )
    assert wrong_owner["fields"] == [{"path": ["ownerId"], "message": "is not this pair's mentor"}]
    bad = _set(api, mentor, world, description=" ", dueOn=_in_days(-1), topic="knitting")
    assert [tuple(f["path"]) for f in bad["fields"]] == [("description",), ("dueOn",), ("topic",)]
    listed = api.query(GOALS, {"pair": world.pair}, token=mentor)["pairGoals"]
    assert listed["totalCount"] == 0


async def test_progress_moves_and_achieved_means_100(api: Api, database: Database) -> None:
    world = await seed_pair(database)
    mentor, mentee, _stranger = world.tokens(api)
    goal = _set(api, mentee, world)["id"]
    assert _update(api, mentee, goal, progress=101)["fields"] == [
        {"path": ["progress"], "message": "must be between 0 and 100"}
    ]
    assert _update(api, mentee, goal)["__typename"] == "ValidationError"
    assert _update(api, mentor, goal, progress=40) == {
        "__typename": "Goal",
        "progress": 40,
        "status": "IN_PROGRESS",
    }
    assert _update(api, mentee, goal, status="ACHIEVED", progress=70) == {
        "__typename": "Goal",
        "progress": 100,
        "status": "ACHIEVED",
    }
    assert _update(api, mentee, goal, progress=50) == {
        "__typename": "InvalidTransition",
        "code": "INVALID_TRANSITION",
        "fromState": "ACHIEVED",
        "toState": "ACHIEVED",
    }
    dropped = _set(api, mentee, world)["id"]
    assert _update(api, mentee, dropped, status="ABANDONED")["status"] == "ABANDONED"
    assert _update(api, mentee, dropped, status="ACHIEVED")["__typename"] == "InvalidTransition"
    assert (
        _update(api, mentee, dropped, status="IN_PROGRESS", progress=10)["status"] == "IN_PROGRESS"
    )


async def test_strangers_find_no_pair_or_goal_and_an_inactive_pair_takes_no_goals(
    api: Api, database: Database
) -> None:
    world = await seed_pair(database)
    _mentor, mentee, stranger = world.tokens(api)
    goal = _set(api, mentee, world)["id"]
    outsider = api.token(new_tenant(), "hr@example.com", "rm:admin")
    for token in (stranger, outsider):
        assert _set(api, token, world) == {"__typename": "NotFound", "code": "NOT_FOUND"}
        assert _update(api, token, goal, progress=10) == {
            "__typename": "NotFound",
            "code": "NOT_FOUND",
        }
        assert api.query(GOALS, {"pair": world.pair}, token=token) == {"pairGoals": None}
    assert _update(api, stranger, to_base64("Goal", 10**9), progress=1)["code"] == "NOT_FOUND"
    assert _set(api, world.manager(api), world)["__typename"] == "Goal"
    proposed = await seed_pair(database, PairStatus.PROPOSED)
    _mentor, mentee, _stranger = proposed.tokens(api)
    assert _set(api, mentee, proposed) == {"__typename": "Conflict", "code": "CONFLICT"}
