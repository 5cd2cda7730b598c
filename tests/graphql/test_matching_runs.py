"""Matching over GraphQL: the run is a job; its drafts carry their reasons; publish keeps them."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from strawberry.relay import to_base64

from rm_graphql.db import Database
from rm_graphql.models import ParticipantTopic, Topic
from rm_graphql.models.enums import TopicDirection
from tests.support.api import Api, new_tenant
from tests.support.seed import SeededProgram, seed_program

RUN = """mutation($input: RunMatchingInput!) { runMatching(input: $input) {
  __typename ... on MatchingRun { id status } ... on Error { code message } } }"""
RUN_STATE = """query($id: ID!) { node(id: $id) { ... on MatchingRun {
  status solver objectiveValue bound gap diagnostics error } } }"""
DRAFTS = """query($id: ID!) { program(id: $id) { pairs(status: PROPOSED) { totalCount nodes {
  score scoreBreakdown { criterion points } mentor { id } mentee { id } } } } }"""


async def _with_topics(database: Database, seeded: SeededProgram) -> None:
    """Mentors teach AI, mentees want to learn it (and teach strategy back)."""
    async with database.transaction() as session:
        topic_rows = await session.execute(
            Topic.__table__.select().where(Topic.tenant_id == seeded.mentors[0].tenant_id)
        )
        topics = {row.slug: row.id for row in topic_rows}
        for mentor in seeded.mentors:
            session.add(
                ParticipantTopic(
                    participant_id=mentor.id,
                    topic_id=topics["ai"],
                    direction=TopicDirection.TEACH,
                    tenant_id=mentor.tenant_id,
                    level=5,
                )
            )
        for mentee in seeded.mentees:
            session.add(
                ParticipantTopic(
                    participant_id=mentee.id,
                    topic_id=topics["ai"],
                    direction=TopicDirection.LEARN,
                    tenant_id=mentee.tenant_id,
                    level=4,
                )
            )


async def _finished(api: Api, token: str, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run: dict[str, Any] = api.query(RUN_STATE, {"id": run_id}, token=token)["node"]
        if run["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return run
        await asyncio.sleep(0.2)
    raise AssertionError("the matching run did not finish")


async def test_run_matching_proposes_explained_drafts(api: Api, database: Database) -> None:
    seeded = await seed_program(database, new_tenant(), mentors=2, mentees=2)
    await _with_topics(database, seeded)
    admin = api.token(seeded.tenant, "hr@example.com", "rm:admin")
    program_id = to_base64("Program", seeded.program_id)
    api.query(
        "mutation($id: ID!) { transitionProgram(input: {id: $id, to: ENROLLING}) { __typename } }",
        {"id": program_id},
        token=admin,
    )
    queued = api.query(RUN, {"input": {"programId": program_id}}, token=admin)["runMatching"]
    assert queued["status"] in ("QUEUED", "RUNNING", "SUCCEEDED")
    run = await _finished(api, admin, queued["id"])
    assert run["status"] == "SUCCEEDED", run["error"]
    assert run["gap"] == 0
    assert run["diagnostics"]["matched"] == 2, run["diagnostics"]
    drafts = api.query(DRAFTS, {"id": program_id}, token=admin)["program"]["pairs"]
    assert drafts["totalCount"] == 2
    for pair in drafts["nodes"]:
        breakdown = {item["criterion"]: item["points"] for item in pair["scoreBreakdown"]}
        assert breakdown["topic_coverage"] > 0
        assert abs(sum(breakdown.values()) - pair["score"]) < 1e-6
    mentor = api.token(seeded.tenant, seeded.email_of(seeded.mentors[0]), "rm:participant")
    assert (
        api.query(DRAFTS, {"id": program_id}, token=mentor)["program"]["pairs"]["totalCount"] == 0
    )


async def test_a_second_run_while_one_is_live_is_a_conflict(api: Api, database: Database) -> None:
    seeded = await seed_program(database, new_tenant(), mentors=1, mentees=1)
    admin = api.token(seeded.tenant, "hr@example.com", "rm:admin")
    program_id = to_base64("Program", seeded.program_id)
    draft = api.query(RUN, {"input": {"programId": program_id}}, token=admin)["runMatching"]
    assert draft["code"] == "CONFLICT"
    assert "DRAFT" in draft["message"]
    api.query(
        "mutation($id: ID!) { transitionProgram(input: {id: $id, to: ENROLLING}) { __typename } }",
        {"id": program_id},
        token=admin,
    )
    async with database.transaction() as session:
        from rm_graphql.models import MatchingRun

        session.add(
            MatchingRun(
                tenant_id=seeded.mentors[0].tenant_id,
                program_id=seeded.program_id,
                requested_by="someone",
            )
        )
    second = api.query(RUN, {"input": {"programId": program_id}}, token=admin)["runMatching"]
    assert second["code"] == "CONFLICT"


async def test_participants_may_not_run_matching(api: Api, database: Database) -> None:
    seeded = await seed_program(database, new_tenant(), mentors=1, mentees=1)
    participant = api.token(seeded.tenant, seeded.email_of(seeded.mentors[0]), "rm:participant")
    result = api.query(
        RUN, {"input": {"programId": to_base64("Program", seeded.program_id)}}, token=participant
    )
    assert result["runMatching"]["code"] == "NOT_ALLOWED"


async def test_progress_streams_over_graphql_transport_ws(api: Api, database: Database) -> None:
    import json

    import websockets

    seeded = await seed_program(database, new_tenant(), mentors=2, mentees=2)
    await _with_topics(database, seeded)
    admin = api.token(seeded.tenant, "hr@example.com", "rm:admin")
    program_id = to_base64("Program", seeded.program_id)
    api.query(
        "mutation($id: ID!) { transitionProgram(input: {id: $id, to: ENROLLING}) { __typename } }",
        {"id": program_id},
        token=admin,
    )
    run_id = api.query(RUN, {"input": {"programId": program_id}}, token=admin)["runMatching"]["id"]
    url = api.base_url.replace("http", "ws") + "/graphql"
    headers = {"Authorization": f"Bearer {admin}"}
    statuses = []
    async with websockets.connect(
        url, subprotocols=["graphql-transport-ws"], additional_headers=headers
    ) as socket:  # type: ignore[list-item]
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        query = "subscription($id: ID!) { matchingRunProgress(runId: $id) { status progress } }"
        await socket.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": {"id": run_id}},
                }
            )
        )
        while True:
            message = json.loads(await asyncio.wait_for(socket.recv(), 30))
            if message["type"] == "complete":
                break
            assert message["type"] == "next", message
            statuses.append(message["payload"]["data"]["matchingRunProgress"]["status"])
    assert statuses[-1] == "SUCCEEDED"
    assert len(statuses) == len(set(statuses))


async def test_subscriptions_need_a_token(api: Api) -> None:
    import pytest
    import websockets

    url = api.base_url.replace("http", "ws") + "/graphql"
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
            await socket.recv()
    assert refused.value.response.status_code in (401, 403)


async def test_rematching_late_joiners_keeps_published_pairs(api: Api, database: Database) -> None:
    seeded = await seed_program(database, new_tenant(), mentors=2, mentees=2)
    await _with_topics(database, seeded)
    admin = api.token(seeded.tenant, "hr@example.com", "rm:admin")
    program_id = to_base64("Program", seeded.program_id)
    api.query(
        "mutation($id: ID!) { transitionProgram(input: {id: $id, to: ENROLLING}) { __typename } }",
        {"id": program_id},
        token=admin,
    )
    first = api.query(RUN, {"input": {"programId": program_id}}, token=admin)["runMatching"]["id"]
    assert (await _finished(api, admin, first))["status"] == "SUCCEEDED"
    api.query(
        "mutation($id: ID!) { publishMatching(input: {programId: $id}) { __typename } }",
        {"id": program_id},
        token=admin,
    )
    published = "query($id: ID!) { program(id: $id) { pairs { nodes { id status publishedAt mentee { id } } } } }"
    before = {
        p["id"]
        for p in api.query(published, {"id": program_id}, token=admin)["program"]["pairs"]["nodes"]
    }
    late_mentor, late_mentee = await _late_joiners(database, seeded)
    second = api.query(RUN, {"input": {"programId": program_id, "seed": 3}}, token=admin)[
        "runMatching"
    ]["id"]
    rerun = await _finished(api, admin, second)
    assert rerun["status"] == "SUCCEEDED"
    after = api.query(published, {"id": program_id}, token=admin)["program"]["pairs"]["nodes"]
    assert {p["id"] for p in after if p["publishedAt"]} == before
    drafts = [p for p in after if not p["publishedAt"]]
    assert [p["mentee"]["id"] for p in drafts] == [to_base64("Participant", late_mentee)]
    assert all(p["status"] == "PROPOSED" for p in after)
    assert late_mentor


async def _late_joiners(database: Database, seeded: SeededProgram) -> tuple[int, int]:
    """A junior and a senior who enrol after the first pairs were published."""
    from datetime import UTC, datetime

    from rm_graphql.models import Program, Tenant
    from rm_graphql.models.enums import ParticipantRole
    from tests.support.people import create_employee
    from tests.support.programs import enrol

    async with database.transaction() as session:
        program = await session.get_one(Program, seeded.program_id)
        tenant = await session.get_one(Tenant, program.tenant_id)
        junior = await create_employee(session, tenant, job_level=1, languages=["en"])
        senior = await create_employee(session, tenant, job_level=9, languages=["en"])
        now = datetime.now(UTC)
        mentor = await enrol(session, program, junior, ParticipantRole.MENTOR, consent_at=now)
        mentee = await enrol(session, program, senior, ParticipantRole.MENTEE, consent_at=now)
        topic = (
            await session.execute(
                Topic.__table__.select().where(Topic.tenant_id == tenant.id, Topic.slug == "ai")
            )
        ).one()
        session.add_all(
            [
                ParticipantTopic(
                    participant_id=mentor.id,
                    topic_id=topic.id,
                    direction=TopicDirection.TEACH,
                    tenant_id=tenant.id,
                    level=5,
                ),
                ParticipantTopic(
                    participant_id=mentee.id,
                    topic_id=topic.id,
                    direction=TopicDirection.LEARN,
                    tenant_id=tenant.id,
                    level=5,
                ),
            ]
        )
    return mentor.id, mentee.id
