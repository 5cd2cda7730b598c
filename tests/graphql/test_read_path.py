"""The dashboard read path: SQL statements per request do not grow with the number of pairs.

Normal execution (Strawberry and its DataLoaders) is measured here; the compiled read path
answers in one statement, which tests/graphql/test_fastpath.py checks.
"""

from __future__ import annotations

from pathlib import Path

from strawberry.relay import to_base64

from rm_graphql.db import Database
from tests.support.api import Api, new_tenant
from tests.support.fastpath import normal_execution
from tests.support.seed import seed_pairs

DASHBOARD = (
    Path(__file__).parents[2] / "schema" / "operations" / "program-dashboard.graphql"
).read_text()


async def _dashboard_statements(api: Api, database: Database, pairs: int) -> tuple[int, int]:
    slug = new_tenant()
    program_id = await seed_pairs(database, slug, pairs)
    admin = api.token(slug, "hr@example.com", "rm:admin")
    variables = {"id": to_base64("Program", program_id), "first": 100}
    with normal_execution(api), api.statements() as statements:
        data = api.query(DASHBOARD, variables, token=admin)
    nodes = data["program"]["pairs"]["nodes"]
    assert data["program"]["pairs"]["totalCount"] == pairs
    assert all(node["mentor"]["employee"]["email"] for node in nodes)
    return len(statements), len(nodes)


async def test_statement_count_is_the_same_for_10_and_500_pairs(
    api: Api, database: Database
) -> None:
    small, small_nodes = await _dashboard_statements(api, database, 10)
    large, large_nodes = await _dashboard_statements(api, database, 500)
    assert (small_nodes, large_nodes) == (10, 100)
    assert small == large
    assert 0 < small <= 8
