"""The life of a pair over HTTP: pin, forbid, publish, respond, complete, cancel; capacity races."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from strawberry.relay import to_base64

from rm_graphql.db import Database
from tests.support.api import Api, new_tenant
from tests.support.seed import SeededProgram, seed_program

PIN = """mutation($input: PairPeopleInput!) { pinPair(input: $input) {
  __typename ... on Pair { id status pinned } ... on Error { code message } } }"""
FORBID = """mutation($input: PairPeopleInput!) { forbidPair(input: $input) {
  __typename ... on PairRuleType { kind } ... on Error { code } } }"""
PUBLISH = """mutation($input: PublishMatchingInput!) { publishMatching(input: $input) {
  __typename ... on PairList { pairs { id publishedAt } } ... on Error { code } } }"""
RESPOND = """mutation($input: RespondToPairInput!) { respondToPair(input: $input) {
  __typename ... on Pair { status activatedAt } ... on Error { code } } }"""
CANCEL = """mutation($input: CancelPairInput!) { cancelPair(input: $input) {
  __typename ... on Pair { status history { fromStatus toStatus actor reason } } ... on Error { code } } }"""
PAIRS = """query($id: ID!) { program(id: $id) { pairs { totalCount nodes {
  status mentor { employee { displayName } } mentee { employee { displayName } } } } } }"""


def gid(kind: str, row_id: int) -> str:
    return to_base64(kind, row_id)


def people(seeded: SeededProgram, mentor: int = 0, mentee: int = 0) -> dict[str, Any]:
    return {
        "mentorId": gid("Participant", seeded.mentors[mentor].id),
        "menteeId": gid("Participant", seeded.mentees[mentee].id),
    }


async def _setup(api: Api, database: Database, **sizes: int) -> tuple[SeededProgram, str]:
    seeded = await seed_program(database, new_tenant(), **sizes)
    return seeded, api.token(seeded.tenant, "hr@example.com", "rm:admin")


async def test_pin_publish_and_both_accept(api: Api, database: Database) -> None:
    seeded, admin = await _setup(api, database)
    pinned = api.query(PIN, {"input": people(seeded)}, token=admin)["pinPair"]
    assert (pinned["status"], pinned["pinned"]) == ("PROPOSED", True)
    mentor = api.token(seeded.tenant, seeded.email_of(seeded.mentors[0]), "rm:participant")
    mentee = api.token(seeded.tenant, seeded.email_of(seeded.mentees[0]), "rm:participant")
    program_id = gid("Program", seeded.program_id)
    assert api.query(PAIRS, {"id": program_id}, token=mentor)["program"]["pairs"]["totalCount"] == 0

    published = api.query(PUBLISH, {"input": {"programId": program_id}}, token=admin)
    assert len(published["publishMatching"]["pairs"]) == 1
    seen = api.query(PAIRS, {"id": program_id}, token=mentor)["program"]["pairs"]
    assert seen["totalCount"] == 1
    accept = {"input": {"pairId": pinned["id"], "accept": True}}
    assert api.query(RESPOND, accept, token=mentor)["respondToPair"]["status"] == "PROPOSED"
    both = api.query(RESPOND, accept, token=mentee)["respondToPair"]
    assert both["status"] == "ACTIVE"
    assert both["activatedAt"]
    again = api.query(PUBLISH, {"input": {"programId": program_id}}, token=admin)
    assert again["publishMatching"] == {"__typename": "Conflict", "code": "CONFLICT"}


async def test_decline_needs_a_reason_and_frees_the_mentor(api: Api, database: Database) -> None:
    seeded, admin = await _setup(api, database, mentees=2)
    pair_id = api.query(PIN, {"input": people(seeded)}, token=admin)["pinPair"]["id"]
    api.query(PUBLISH, {"input": {"programId": gid("Program", seeded.program_id)}}, token=admin)
    mentee = api.token(seeded.tenant, seeded.email_of(seeded.mentees[0]), "rm:participant")
    silent = api.query(RESPOND, {"input": {"pairId": pair_id, "accept": False}}, token=mentee)
    assert silent["respondToPair"]["__typename"] == "ValidationError"
    declined = api.query(
        RESPOND, {"input": {"pairId": pair_id, "accept": False, "reason": "no time"}}, token=mentee
    )
    assert declined["respondToPair"]["status"] == "DECLINED"
    # The mentor's only slot is free again.
    second = api.query(PIN, {"input": people(seeded, mentee=1)}, token=admin)["pinPair"]
    assert second["__typename"] == "Pair"


async def test_capacity_and_forbids_are_enforced(api: Api, database: Database) -> None:
    seeded, admin = await _setup(api, database, mentees=2)
    api.query(PIN, {"input": people(seeded)}, token=admin)
    full = api.query(PIN, {"input": people(seeded, mentee=1)}, token=admin)["pinPair"]
    assert (full["__typename"], full["message"]) == ("Conflict", "the mentor has no capacity left")
    forbidden = api.query(FORBID, {"input": people(seeded, mentor=1, mentee=1)}, token=admin)
    assert forbidden["forbidPair"]["kind"] == "FORBID"
    refused = api.query(PIN, {"input": people(seeded, mentor=1, mentee=1)}, token=admin)["pinPair"]
    assert refused["code"] == "CONFLICT"


async def test_concurrent_pins_never_exceed_capacity(api: Api, database: Database) -> None:
    seeded, admin = await _setup(api, database, mentors=1, mentees=6)
    headers = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(base_url=api.base_url, headers=headers, timeout=60) as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    "/graphql",
                    json={"query": PIN, "variables": {"input": people(seeded, mentee=i)}},
                )
                for i in range(6)
            )
        )
    kinds = sorted(r.json()["data"]["pinPair"]["__typename"] for r in responses)
    assert kinds == ["Conflict"] * 5 + ["Pair"]


async def test_cancel_is_recorded_in_history_and_strangers_see_nothing(
    api: Api, database: Database
) -> None:
    seeded, admin = await _setup(api, database)
    pair_id = api.query(PIN, {"input": {**people(seeded), "reason": "asked for"}}, token=admin)[
        "pinPair"
    ]["id"]
    outsider = api.token(seeded.tenant, seeded.email_of(seeded.mentors[1]), "rm:participant")
    stranger = api.query(CANCEL, {"input": {"pairId": pair_id, "reason": "x"}}, token=outsider)
    assert stranger["cancelPair"] == {"__typename": "NotFound", "code": "NOT_FOUND"}
    other_tenant = api.token(new_tenant(), "hr@example.com", "rm:admin")
    assert (
        api.query(CANCEL, {"input": {"pairId": pair_id, "reason": "x"}}, token=other_tenant)[
            "cancelPair"
        ]["code"]
        == "NOT_FOUND"
    )
    cancelled = api.query(CANCEL, {"input": {"pairId": pair_id, "reason": "reorg"}}, token=admin)[
        "cancelPair"
    ]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["history"] == [
        {
            "fromStatus": None,
            "toStatus": "PROPOSED",
            "actor": "hr@example.com",
            "reason": "asked for",
        },
        {
            "fromStatus": "PROPOSED",
            "toStatus": "CANCELLED",
            "actor": "hr@example.com",
            "reason": "reorg",
        },
    ]
    twice = api.query(CANCEL, {"input": {"pairId": pair_id, "reason": "again"}}, token=admin)[
        "cancelPair"
    ]
    assert twice["__typename"] == "InvalidTransition"


async def test_pair_nests_sessions_goals_and_a_withheld_summary(
    api: Api, database: Database
) -> None:
    seeded, admin = await _setup(api, database)
    pair_id = api.query(PIN, {"input": people(seeded)}, token=admin)["pinPair"]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on Pair { sessions { id } goals { id } feedbackSummary { responses withheld } } } }"
    node = api.query(query, {"id": pair_id}, token=admin)["node"]
    assert node["sessions"] == []
    assert node["goals"] == []
    assert node["feedbackSummary"]["withheld"] is True
