"""Program KPIs over HTTP: every figure of a known program, the withheld small samples, the
time series, the tenant roll-up, and who may read them."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from rm_graphql.db import Database
from tests.support.api import Api
from tests.support.kpis import KpiWorld, seed_kpi_world, session_starts

VALUE = "{ value withheld sampleSize }"
KPIS = f"""
fragment Kpis on ProgramKpis {{
  programId programCount minimumSample
  participation {{ invited enrolled eligible enrolledMentors enrolledMentees
                   ofInvited {VALUE} ofEligible {VALUE} }}
  matching {{ publishedPairs activePairs matchRate {VALUE} acceptanceRate {VALUE}
              declineRate {VALUE} medianDaysToMatch {VALUE} crossDepartmentReach {VALUE} }}
  sessions {{ held minutes perPairPerMonth {VALUE} averageMinutes {VALUE}
              shareWithinCap {VALUE} }}
  goals {{ goals overall {VALUE} mentorSide {VALUE} menteeSide {VALUE} }}
  satisfaction {{ responses average {VALUE} usefulness {VALUE} comfort {VALUE}
                  respect {VALUE} wouldRecommend {VALUE} nps {VALUE} }}
  skillUplift {{ overall {VALUE} byTopic {{ topicSlug topicName pre {VALUE} post {VALUE}
                 uplift {VALUE} }} }}
  retention {{ months mentors {VALUE} matchedMentors {VALUE} comparison {VALUE}
               differencePoints {VALUE} comparisonGroupSize {VALUE} }}
  generationalMix {{ generation participants {VALUE} mentors {VALUE} mentees {VALUE}
                     share {VALUE} }}
}}
"""
PROGRAM_KPIS = """query($id: ID!) { program(id: $id) { name kpis { ...Kpis } } }""" + KPIS
TENANT_KPIS = "query { tenantKpis { ...Kpis } }" + KPIS
SERIES = """query($id: ID!, $period: KpiPeriod!) { program(id: $id) { kpis {
  series(period: $period) { startsOn sessions { value withheld sampleSize }
    minutes { value withheld sampleSize } newPairs { value withheld sampleSize }
    feedback { value withheld sampleSize } satisfaction { value withheld sampleSize } } } } }"""


def shown(value: float, sample: int) -> dict[str, Any]:
    return {"value": value, "withheld": False, "sampleSize": sample}


def hidden(sample: int) -> dict[str, Any]:
    return {"value": None, "withheld": True, "sampleSize": sample}


@pytest.fixture
async def world(database: Database) -> KpiWorld:
    return await seed_kpi_world(database)


def _program_kpis(api: Api, world: KpiWorld, token: str) -> dict[str, Any]:
    data = api.query(PROGRAM_KPIS, {"id": world.program}, token=token)
    kpis: dict[str, Any] = data["program"]["kpis"]
    return kpis


def test_participation_and_matching(api: Api, world: KpiWorld) -> None:
    kpis = _program_kpis(api, world, world.reader(api))
    assert kpis["programId"] == world.program
    assert (kpis["programCount"], kpis["minimumSample"]) == (1, 3)
    assert kpis["participation"] == {
        "invited": 6,
        "enrolled": 8,
        "eligible": 15,
        "enrolledMentors": 4,
        "enrolledMentees": 4,
        "ofInvited": shown(0.6667, 6),
        "ofEligible": shown(0.4667, 15),
    }
    assert kpis["matching"] == {
        "publishedPairs": 4,
        "activePairs": 2,
        "matchRate": shown(0.75, 4),
        "acceptanceRate": shown(0.75, 4),
        "declineRate": shown(0.25, 4),
        "medianDaysToMatch": shown(20.0, 3),
        "crossDepartmentReach": shown(0.6667, 3),
    }


def test_sessions_and_goals(api: Api, world: KpiWorld) -> None:
    kpis = _program_kpis(api, world, world.reader(api, "rm:program"))
    sessions = kpis["sessions"]
    assert (sessions["held"], sessions["minutes"]) == (9, 255)
    assert sessions["averageMinutes"] == shown(28.3, 3)
    assert sessions["shareWithinCap"] == shown(0.8889, 3)
    # 9 sessions over 90 + 60 + 180 active days of three pairs.
    assert sessions["perPairPerMonth"]["value"] == pytest.approx(9 / (330 / 30.4375), abs=0.011)
    assert kpis["goals"] == {
        "goals": 6,
        "overall": shown(0.5, 5),
        "mentorSide": hidden(2),
        "menteeSide": shown(0.5, 3),
    }


def test_satisfaction_and_skill_uplift(api: Api, world: KpiWorld) -> None:
    kpis = _program_kpis(api, world, world.reader(api, "rm:program"))
    assert kpis["satisfaction"] == {
        "responses": 5,
        "average": shown(4.25, 5),
        "usefulness": shown(4.2, 5),
        "comfort": shown(4.2, 5),
        "respect": shown(4.6, 5),
        "wouldRecommend": shown(4.0, 5),
        "nps": shown(20.0, 5),
    }
    assert kpis["skillUplift"] == {
        "overall": shown(1.4, 5),
        "byTopic": [
            {
                "topicSlug": "ai",
                "topicName": "Ai",
                "pre": shown(1.67, 3),
                "post": shown(3.33, 3),
                "uplift": shown(1.67, 3),
            },
            {
                "topicSlug": "strategy",
                "topicName": "Strategy",
                "pre": hidden(2),
                "post": hidden(2),
                "uplift": hidden(2),
            },
        ],
    }


def test_retention_against_the_comparison_group_and_the_generational_mix(
    api: Api, world: KpiWorld
) -> None:
    kpis = _program_kpis(api, world, world.reader(api, "rm:admin"))
    assert kpis["retention"] == {
        "months": 12,
        "mentors": shown(0.75, 4),
        "matchedMentors": shown(0.6667, 3),
        "comparison": shown(0.5556, 6),
        "differencePoints": shown(11.11, 3),
        "comparisonGroupSize": shown(6.0, 6),
    }
    mix = {row["generation"]: row for row in kpis["generationalMix"]}
    assert list(mix)[:3] == ["GEN_ALPHA", "GEN_Z", "MILLENNIAL"]
    assert mix["GEN_Z"] == {
        "generation": "GEN_Z",
        "participants": shown(4.0, 4),
        "mentors": shown(4.0, 4),
        "mentees": shown(0.0, 0),
        "share": shown(0.5, 4),
    }
    assert mix["GEN_X"]["share"] == shown(0.375, 3)
    assert mix["MILLENNIAL"] == {
        "generation": "MILLENNIAL",
        "participants": hidden(1),
        "mentors": shown(0.0, 0),
        "mentees": hidden(1),
        "share": hidden(1),
    }


def _buckets(api: Api, world: KpiWorld, period: str) -> dict[str, dict[str, Any]]:
    variables = {"id": world.program, "period": period}
    data = api.query(SERIES, variables, token=world.reader(api))
    return {bucket["startsOn"]: bucket for bucket in data["program"]["kpis"]["series"]}


def test_the_monthly_series_withholds_buckets_of_one_or_two_pairs(
    api: Api, world: KpiWorld
) -> None:
    buckets = _buckets(api, world, "MONTH")
    first, second, empty, fourth = (buckets[m.isoformat()] for m in world.month_starts)
    assert (first["sessions"], first["minutes"]) == (shown(4.0, 3), shown(110.0, 3))
    assert (second["sessions"], second["minutes"]) == (hidden(2), hidden(2))
    assert (empty["sessions"], empty["minutes"]) == (shown(0.0, 0), shown(0.0, 0))
    assert empty["satisfaction"] == {"value": None, "withheld": False, "sampleSize": 0}
    assert fourth["sessions"] == hidden(1)
    now = datetime.now(UTC)
    this_month = buckets[f"{now.year:04d}-{now.month:02d}-01"]
    assert this_month["feedback"] == shown(5.0, 5)
    assert this_month["satisfaction"] == shown(4.25, 5)
    assert all(b["newPairs"]["withheld"] for b in buckets.values() if b["newPairs"]["sampleSize"])
    starts = list(buckets)
    assert starts == sorted(starts)
    assert len(starts) >= 7


def test_the_weekly_series_starts_on_mondays_and_shows_weeks_of_three_pairs(
    api: Api, world: KpiWorld
) -> None:
    buckets = _buckets(api, world, "WEEK")
    days = [date.fromisoformat(start) for start in buckets]
    assert all(day.weekday() == 0 for day in days)
    assert all((b - a).days == 7 for a, b in itertools.pairwise(days))
    weeks: dict[str, list[str]] = {}
    for pair, starts_at in session_starts(world.month_starts):
        monday = starts_at.date() - timedelta(days=starts_at.weekday())
        weeks.setdefault(monday.isoformat(), []).append(pair)
    for start, bucket in buckets.items():
        held = weeks.get(start, [])
        pairs = len(set(held))
        expected = None if 0 < pairs < 3 else float(len(held))
        assert bucket["sessions"] == {
            "value": expected,
            "withheld": 0 < pairs < 3,
            "sampleSize": pairs,
        }


def test_the_tenant_roll_up_covers_every_program_of_the_tenant_only(
    api: Api, world: KpiWorld
) -> None:
    kpis = api.query(TENANT_KPIS, token=world.reader(api))["tenantKpis"]
    assert kpis["programId"] is None
    assert kpis["programCount"] == 2
    assert kpis["participation"]["enrolled"] == 10
    assert kpis["matching"]["activePairs"] == 3
    assert kpis["sessions"]["held"] == 10
    assert kpis["sessions"]["minutes"] == 280
    assert kpis["satisfaction"]["responses"] == 5


async def test_another_tenants_reader_sees_none_of_it(
    api: Api, world: KpiWorld, database: Database
) -> None:
    other = await seed_kpi_world(database)
    token = other.reader(api)
    data = api.query(PROGRAM_KPIS, {"id": world.program}, token=token)
    assert data["program"] is None
    roll_up = api.query(TENANT_KPIS, token=token)["tenantKpis"]
    assert roll_up["sessions"]["held"] == 10
    assert roll_up["participation"]["eligible"] == 15


def test_a_participant_sees_the_program_but_not_its_kpis(api: Api, world: KpiWorld) -> None:
    body = api.post(PROGRAM_KPIS, {"id": world.program}, token=world.participant(api)).json()
    assert body["data"]["program"] == {"name": "Reverse mentoring", "kpis": None}
    assert [error["extensions"]["code"] for error in body["errors"]] == ["NOT_ALLOWED"]
    assert body["errors"][0]["path"] == ["program", "kpis"]


@pytest.mark.parametrize("scope", ["rm:participant", "rm:sync"])
def test_the_roll_up_is_refused_without_a_kpi_scope(api: Api, world: KpiWorld, scope: str) -> None:
    token = api.token(world.slug, world.emails["S1"], scope)
    body = api.post(TENANT_KPIS, token=token).json()
    assert body["data"] == {"tenantKpis": None}
    assert [error["extensions"]["code"] for error in body["errors"]] == ["NOT_ALLOWED"]
