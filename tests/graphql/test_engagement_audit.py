"""Every engagement mutation leaves an audit event; a refused one leaves none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from strawberry.relay import to_base64

from rm_graphql.db import Database
from tests.support.api import Api
from tests.support.engagement import seed_pair

SCRIPT = """
mutation($pair: ID!, $held: DateTime!, $later: DateTime!, $me: ID!) {
  held: logSession(input: {pairId: $pair, startsAt: $held, durationMinutes: 30}) { __typename }
  planned: logSession(input: {pairId: $pair, startsAt: $later, durationMinutes: 30,
                              status: SCHEDULED}) { ... on MentoringSession { id } }
  goal: setGoal(input: {pairId: $pair, side: MENTEE, description: "Post weekly on LinkedIn"}) {
    ... on Goal { id } }
  feedback: submitFeedback(input: {pairId: $pair, usefulness: 5}) { __typename }
  concern: reportConcern(input: {pairId: $pair, comment: "Late twice"}) { __typename }
  assessment: recordSkillAssessment(input: {participantId: $me, topic: "ai", level: 2,
                                           phase: PRE}) { __typename }
}"""
FOLLOW_UP = """mutation($goal: ID!, $session: ID!) {
  progress: updateGoalProgress(input: {goalId: $goal, progress: 20}) { __typename }
  cancel: cancelSession(input: {sessionId: $session, reason: "Off sick"}) { __typename }
  refused: updateGoalProgress(input: {goalId: $goal, progress: 200}) { __typename }
}"""
ACTIONS = "{ auditEvents(first: 20) { nodes { action actor } } }"


async def test_each_engagement_mutation_is_audited(api: Api, database: Database) -> None:
    world = await seed_pair(database)
    _mentor, mentee, _stranger = world.tokens(api)
    now = datetime.now(UTC)
    variables = {
        "pair": world.pair,
        "held": (now - timedelta(days=1)).isoformat(),
        "later": (now + timedelta(days=1)).isoformat(),
        "me": to_base64("Participant", world.mentee_id),
    }
    done = api.query(SCRIPT, variables, token=mentee)
    follow_up = {"goal": done["goal"]["id"], "session": done["planned"]["id"]}
    results = api.query(FOLLOW_UP, follow_up, token=mentee)
    assert results["refused"] == {"__typename": "ValidationError"}
    events = api.query(ACTIONS, token=world.admin(api))["auditEvents"]["nodes"]
    assert sorted(event["action"] for event in events) == [
        "concern.reported",
        "feedback.submitted",
        "goal.set",
        "goal.updated",
        "session.cancelled",
        "session.logged",
        "session.scheduled",
        "skill_assessment.recorded",
    ]
    assert {event["actor"] for event in events} == {world.mentee_email}
