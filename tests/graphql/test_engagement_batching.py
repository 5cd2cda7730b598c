"""Engagement lists load set-wise: the SQL statement count does not grow with the rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.auth.principal import Principal, Scope
from rm_graphql.db import Database
from rm_graphql.engagement import feedback, service
from rm_graphql.models import Pair, Participant
from rm_graphql.tenancy.service import Actor
from tests.support.api import Api
from tests.support.engagement import (
    PairWorld,
    add_feedback,
    add_goals,
    add_pair,
    add_sessions,
    seed_pair,
)

SESSIONS = """query($pair: ID!) { pairSessions(pairId: $pair, first: 100) {
  totalCount nodes { id topicsCovered { slug } } } }"""
GOALS = """query($pair: ID!) { pairGoals(pairId: $pair, first: 100) {
  totalCount nodes { owner { employee { displayName } } topic { slug } } } }"""
FEEDBACK = """query($pair: ID!) { pairFeedback(pairId: $pair, first: 100) {
  totalCount nodes { author { employee { displayName } } session { topicsCovered { slug } } } } }"""
FLAGGED = """query($program: ID!) { flaggedParticipants(programId: $program) {
  lowRatedFeedbackCount participant { role employee { displayName } } } }"""


def _statements(api: Api, query: str, variables: dict[str, Any], token: str) -> tuple[int, Any]:
    with api.statements() as statements:
        data = api.query(query, variables, token=token)
    return len(statements), data


async def _world_with(database: Database, rows: int) -> PairWorld:
    world = await seed_pair(database)
    sessions = await add_sessions(database, world.pair_id, rows)
    await add_goals(database, world, rows)
    for session_id in sessions:
        await add_feedback(database, world.pair_id, world.mentee_id, 1, session_id=session_id)
    return world


async def test_pair_lists_cost_the_same_for_3_and_40_rows(api: Api, database: Database) -> None:
    small, large = await _world_with(database, 3), await _world_with(database, 40)
    for query, field in (
        (SESSIONS, "pairSessions"),
        (GOALS, "pairGoals"),
        (FEEDBACK, "pairFeedback"),
    ):
        counts = []
        for world, rows in ((small, 3), (large, 40)):
            count, data = _statements(api, query, {"pair": world.pair}, world.manager(api))
            assert data[field]["totalCount"] == rows
            counts.append(count)
        assert 0 < counts[0] == counts[1], (field, counts)


async def test_flagged_participants_cost_the_same_for_1_and_8_flags(
    api: Api, database: Database
) -> None:
    counts = []
    for flags in (1, 8):
        world = await seed_pair(database)
        await add_feedback(database, world.pair_id, world.mentee_id, 2, rating=1)
        for _ in range(flags - 1):
            pair_id, _mentor_email, _mentee_email = await add_pair(database, world)
            await add_feedback(database, pair_id, await _mentee(database, pair_id), 2, rating=2)
        count, data = _statements(api, FLAGGED, {"program": world.program}, world.admin(api))
        assert len(data["flaggedParticipants"]) == flags
        assert {item["participant"]["role"] for item in data["flaggedParticipants"]} == {"MENTOR"}
        counts.append(count)
    assert 0 < counts[0] == counts[1]


BatchCall = Callable[[AsyncSession, Actor, list[int]], Awaitable[Any]]


async def test_batch_functions_for_pair_fields_take_one_query_and_respect_privacy(
    database: Database,
) -> None:
    world = await seed_pair(database)
    other_pair, _mentor_email, _mentee_email = await add_pair(database, world)
    for pair_id in (world.pair_id, other_pair):
        await add_feedback(database, pair_id, await _mentee(database, pair_id), 3)
    await add_goals(database, world, 2)
    pairs = [world.pair_id, other_pair]
    manager = _actor(world, None, Scope.PROGRAM)
    mentee_employee = await _employee_of(database, world.mentee_id)
    mentee = _actor(world, mentee_employee, Scope.PARTICIPANT)

    async def run(call: BatchCall, actor: Actor) -> tuple[int, Any]:
        return await _counted(database, call, actor, pairs)

    count, sessions = await run(service.sessions_for_pairs, manager)
    assert (count, {row.pair_id for row in sessions}, len(sessions)) == (1, set(pairs), 4)
    count, sessions = await run(service.sessions_for_pairs, mentee)
    assert (count, {row.pair_id for row in sessions}) == (1, {world.pair_id})
    count, goals = await run(service.goals_for_pairs, mentee)
    assert (count, len(goals)) == (1, 2)
    count, rows = await run(feedback.feedback_for_pairs, mentee)
    assert (count, {row.author_id for row in rows}) == (1, {world.mentee_id})
    count, summaries = await run(feedback.feedback_summaries_for_pairs, manager)
    assert count == 1
    assert [(s.pair_id, s.responses, s.averages["usefulness"]) for s in summaries] == [
        (world.pair_id, 3, 4.0),
        (other_pair, 3, 4.0),
    ]
    assert (await run(feedback.feedback_summaries_for_pairs, mentee))[1] == [None, None]


async def _counted(
    database: Database, call: BatchCall, actor: Actor, pair_ids: list[int]
) -> tuple[int, Any]:
    """The number of queries a batch function runs, and its result."""
    seen: list[str] = []
    engine = database.engine.sync_engine

    def listener(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN is not a query
            seen.append(statement)

    async with database.transaction(readonly=True) as session:
        event.listen(engine, "before_cursor_execute", listener)
        try:
            result = await call(session, actor, pair_ids)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    return len(seen), result


def _actor(world: PairWorld, employee_id: int | None, scope: Scope) -> Actor:
    principal = Principal(tenant=world.slug, subject="someone", scopes=frozenset({scope}))
    return Actor(world.tenant.id, principal, employee_id)


async def _employee_of(database: Database, participant_id: int) -> int:
    async with database.transaction(readonly=True) as session:
        return (await session.get_one(Participant, participant_id)).employee_id


async def _mentee(database: Database, pair_id: int) -> int:
    async with database.transaction(readonly=True) as session:
        return (await session.get_one(Pair, pair_id)).mentee_id
