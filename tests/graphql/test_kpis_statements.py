"""KPIs are SQL aggregates: the statements a KPI query runs do not grow with the program."""

from __future__ import annotations

from typing import Any

from rm_graphql.db import Database
from tests.support.api import Api
from tests.support.kpis_bulk import seed_busy_program

ALL_KPIS = """query { tenantKpis {
  participation { enrolled ofEligible { value } }
  matching { activePairs matchRate { value } medianDaysToMatch { value }
             crossDepartmentReach { value } }
  sessions { held minutes perPairPerMonth { value } shareWithinCap { value } }
  goals { goals overall { value } }
  satisfaction { responses average { value } nps { value } }
  skillUplift { overall { value } byTopic { topicSlug } }
  retention { mentors { sampleSize } comparison { value } }
  generationalMix { generation participants { value } }
  weeks: series(period: WEEK) { startsOn sessions { value } satisfaction { value } }
  months: series(period: MONTH) { startsOn sessions { value } newPairs { value } }
} }"""


async def _run(api: Api, database: Database, pairs: int) -> tuple[int, dict[str, Any]]:
    slug = await seed_busy_program(database, pairs, sessions_per_pair=2)
    token = api.token(slug, "leader@example.com", "rm:kpi")
    api.query(ALL_KPIS, token=token)  # a fresh pool connection runs set-up statements
    counts = []
    # The app's in-process job worker shares the engine; its periodic checks may land inside
    # one block, so the fewest statements over three runs is the query's own count.
    for _ in range(3):
        with api.statements() as statements:
            kpis: dict[str, Any] = api.query(ALL_KPIS, token=token)["tenantKpis"]
        counts.append(sum(1 for s in statements if not s.upper().startswith("BEGIN")))
    return min(counts), kpis


async def test_statement_count_is_the_same_for_5_and_200_pairs(
    api: Api, database: Database
) -> None:
    small, small_kpis = await _run(api, database, 5)
    large, large_kpis = await _run(api, database, 200)
    assert (small_kpis["matching"]["activePairs"], large_kpis["matching"]["activePairs"]) == (
        5,
        200,
    )
    assert (small_kpis["sessions"]["held"], large_kpis["sessions"]["held"]) == (10, 400)
    assert large_kpis["satisfaction"]["responses"] == 200
    assert large_kpis["goals"]["overall"]["value"] == 0.5
    assert small == large
    # Tenant and caller (2), the groups' aggregates (11) and three per series (6).
    assert small == 19
