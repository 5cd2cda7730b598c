"""Outbound webhooks: admins subscribe; domain events reach a real receiver, signed; idle pairs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.relay import to_base64

from rm_graphql.db import Database
from rm_graphql.models import Pair, PairTransition, Participant, WebhookDelivery
from rm_graphql.models.enums import PairStatus
from rm_graphql.pairing.monitoring import check_idle_pairs
from rm_graphql.security import secret_box
from rm_graphql.testing.server import running_server
from rm_graphql.webhooks.service import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    create_endpoint,
    verify_signature,
)
from tests.support.api import Api, new_tenant
from tests.support.seed import SeededProgram, seed_program

SECRET = "whsec-0123456789abcdef"
CREATE = """mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  __typename ... on WebhookEndpoint { id url eventTypes enabled } ... on ValidationError { fields { path } }
  ... on Error { code } } }"""


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    async def accept(request: Request) -> JSONResponse:
        body = await request.body()
        received.append({"headers": dict(request.headers), "body": body})
        return JSONResponse({"ok": True})

    with running_server(Starlette(routes=[Route("/hook", accept, methods=["POST"])])) as base:
        yield f"{base}/hook", received


def test_admins_subscribe_and_the_secret_is_never_shown(
    api: Api, receiver: tuple[str, list[Any]]
) -> None:
    admin = api.token(new_tenant(), "hr@example.com", "rm:admin")
    url, _received = receiver
    created = api.query(
        CREATE,
        {"input": {"url": url, "secret": SECRET, "eventTypes": ["pair.published"]}},
        token=admin,
    )
    assert created["createWebhookEndpoint"]["enabled"] is True
    listed = api.post("{ webhookEndpoints { url eventTypes } }", token=admin)
    assert SECRET not in listed.text
    unknown = api.query(
        CREATE,
        {"input": {"url": url, "secret": SECRET, "eventTypes": ["pair.exploded"]}},
        token=admin,
    )
    assert unknown["createWebhookEndpoint"]["fields"] == [{"path": ["eventTypes"]}]
    short = api.query(
        CREATE, {"input": {"url": url, "secret": "short", "eventTypes": ["*"]}}, token=admin
    )
    assert short["createWebhookEndpoint"]["__typename"] == "ValidationError"
    manager = api.token(new_tenant(), "pm@example.com", "rm:program")
    refused = api.query(
        CREATE, {"input": {"url": url, "secret": SECRET, "eventTypes": ["*"]}}, token=manager
    )
    assert refused["createWebhookEndpoint"]["code"] == "NOT_ALLOWED"


async def test_publishing_sends_a_signed_pair_published_event(
    api: Api, database: Database, receiver: tuple[str, list[Any]]
) -> None:
    seeded = await seed_program(database, new_tenant())
    admin = api.token(seeded.tenant, "hr@example.com", "rm:admin")
    url, received = receiver
    api.query(
        CREATE,
        {"input": {"url": url, "secret": SECRET, "eventTypes": ["pair.published"]}},
        token=admin,
    )
    people = {
        "mentorId": to_base64("Participant", seeded.mentors[0].id),
        "menteeId": to_base64("Participant", seeded.mentees[0].id),
    }
    api.query(
        "mutation($i: PairPeopleInput!) { pinPair(input: $i) { __typename } }",
        {"i": people},
        token=admin,
    )
    api.query(
        "mutation($id: ID!) { publishMatching(input: {programId: $id}) { __typename } }",
        {"id": to_base64("Program", seeded.program_id)},
        token=admin,
    )
    deadline = time.monotonic() + 30
    while not received and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert len(received) == 1
    headers, body = received[0]["headers"], received[0]["body"]
    assert headers["x-rm-event"] == "pair.published"
    assert verify_signature(
        SECRET, headers[TIMESTAMP_HEADER.lower()], body, headers[SIGNATURE_HEADER.lower()]
    )
    log = api.query(
        "{ webhookDeliveries { nodes { event status attempts { number statusCode } } } }",
        token=admin,
    )
    deadline = time.monotonic() + 10
    while (
        log["webhookDeliveries"]["nodes"][0]["status"] != "SUCCEEDED"
        and time.monotonic() < deadline
    ):
        await asyncio.sleep(0.1)
        log = api.query(
            "{ webhookDeliveries { nodes { event status attempts { number statusCode } } } }",
            token=admin,
        )
    assert log["webhookDeliveries"]["nodes"] == [
        {
            "event": "pair.published",
            "status": "SUCCEEDED",
            "attempts": [{"number": 1, "statusCode": 200}],
        }
    ]


async def _active_pair(database: Database, seeded: SeededProgram, quiet_days: int) -> int:
    async with database.transaction() as session:
        pair = Pair(
            tenant_id=seeded.mentors[0].tenant_id, program_id=seeded.program_id, mentor_id=seeded.mentors[0].id,
            mentee_id=seeded.mentees[0].id, status=PairStatus.ACTIVE, published_at=datetime.now(UTC),
            activated_at=datetime.now(UTC) - timedelta(days=quiet_days),
        )  # fmt: skip
        session.add(pair)
        mentor = await session.get_one(Participant, seeded.mentors[0].id)
        mentor.assigned_count = 1
        await create_endpoint(
            session,
            pair.tenant_id,
            secret_box(_settings()),
            "https://host.example.test/hook",
            SECRET,
            ["*"],
        )
        await session.flush()
        return pair.id


def _settings() -> Any:
    from rm_graphql.config import load_settings

    return load_settings()


async def _events(database: Database, tenant_id: int) -> list[str]:
    async with database.transaction() as session:
        rows = await session.scalars(
            select(WebhookDelivery.event)
            .where(WebhookDelivery.tenant_id == tenant_id)
            .order_by(WebhookDelivery.id)
        )
        return list(rows)


async def test_a_quiet_pair_is_warned_once_then_concluded_as_idle(database: Database) -> None:
    seeded = await seed_program(database, new_tenant())
    tenant_id = seeded.mentors[0].tenant_id
    pair_id = await _active_pair(database, seeded, quiet_days=25)
    for _ in range(2):
        async with database.transaction() as session:
            await check_idle_pairs(session, None, datetime.now(UTC))
    assert await _events(database, tenant_id) == ["pair.idle_warning"]
    later = datetime.now(UTC) + timedelta(days=20)
    async with database.transaction() as session:
        await check_idle_pairs(session, None, later)
    assert await _events(database, tenant_id) == ["pair.idle_warning", "pair.concluded"]
    async with database.transaction() as session:
        pair = await session.get_one(Pair, pair_id)
        mentor = await session.get_one(Participant, seeded.mentors[0].id)
        last = (
            await session.scalars(
                select(PairTransition)
                .where(PairTransition.pair_id == pair_id)
                .order_by(PairTransition.id.desc())
            )
        ).first()
    assert pair.status is PairStatus.CONCLUDED_IDLE
    assert mentor.assigned_count == 0
    assert last is not None
    assert last.reason is not None
    assert last.reason.startswith("no session for 4")


async def test_a_session_resets_the_idle_clock(database: Database) -> None:
    seeded = await seed_program(database, new_tenant())
    pair_id = await _active_pair(database, seeded, quiet_days=30)
    async with database.transaction() as session:
        pair = await session.get_one(Pair, pair_id)
        pair.last_session_at = datetime.now(UTC) - timedelta(days=2)
    async with database.transaction() as session:
        await check_idle_pairs(session, None, datetime.now(UTC))
    assert await _events(database, seeded.mentors[0].tenant_id) == []


async def test_feedback_falls_due_once_after_a_held_session(database: Database) -> None:
    from rm_graphql.engagement.jobs import request_feedback
    from rm_graphql.models import MentoringSession

    seeded = await seed_program(database, new_tenant())
    pair_id = await _active_pair(database, seeded, quiet_days=3)
    async with database.transaction() as session:
        session.add(
            MentoringSession(
                tenant_id=seeded.mentors[0].tenant_id,
                pair_id=pair_id,
                starts_at=datetime.now(UTC) - timedelta(hours=3),
                duration_minutes=30,
                status="COMPLETED",
            )
        )
        session.add(
            MentoringSession(
                tenant_id=seeded.mentors[0].tenant_id,
                pair_id=pair_id,
                starts_at=datetime.now(UTC) + timedelta(days=2),
                duration_minutes=30,
            )
        )
    for _ in range(2):
        async with database.transaction() as session:
            await request_feedback(session, None, datetime.now(UTC))
    assert await _events(database, seeded.mentors[0].tenant_id) == ["feedback.due"]
