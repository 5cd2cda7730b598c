"""The program dashboard over HTTP: who may open it, how a browser carries its token, and
what the page holds."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import update
from starlette.applications import Starlette

from rm_graphql.config import load_settings
from rm_graphql.dashboard import dashboard_routes
from rm_graphql.db import Database
from rm_graphql.models import Program
from rm_graphql.testing.server import running_server
from tests.support.api import Api
from tests.support.kpis import KpiWorld, seed_kpi_world


@pytest.fixture
async def world(database: Database) -> KpiWorld:
    return await seed_kpi_world(database)


def _url(site: Api, world: KpiWorld, program: str | None = None) -> str:
    return f"{site.base_url}/dashboard/programs/{program or world.program}"


def _get(url: str, token: str | None = None, **params: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(url, headers=headers, params=params, timeout=30)


@pytest.mark.parametrize("scope", ["rm:admin", "rm:program", "rm:kpi"])
def test_kpi_readers_get_the_page_with_its_charts(site: Api, world: KpiWorld, scope: str) -> None:
    response = _get(_url(site, world), world.reader(site, scope))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    assert "<script" not in page
    assert "Reverse mentoring" in page
    assert len(re.findall(r'<svg class="chart"', page)) == 6
    assert page.count('class="bar"') >= 15
    # The known world: 75 % of mentees matched, mentor goals withheld (two people).
    assert "<b>75%</b>" in page
    assert "withheld (n=2)" in page
    assert "4.25 / 5" in page


def test_the_program_id_may_be_the_row_id_and_weeks_may_be_asked_for(
    site: Api, world: KpiWorld
) -> None:
    response = _get(_url(site, world, str(world.program_id)), world.reader(site), period="week")
    assert response.status_code == 200
    assert '<a class="on" href="?period=WEEK">Weekly</a>' in response.text


def test_participants_are_refused_and_strangers_find_nothing(site: Api, world: KpiWorld) -> None:
    assert _get(_url(site, world), world.participant(site)).status_code == 403
    assert _get(_url(site, world)).status_code == 401
    assert _get(_url(site, world), "not-a-token").status_code == 401
    other_tenant = site.token("another-company", "hr@example.com", "rm:admin")
    assert _get(_url(site, world), other_tenant).status_code == 404
    assert _get(_url(site, world, "999999999"), world.reader(site)).status_code == 404
    assert _get(_url(site, world, "UGFpcjox"), world.reader(site)).status_code == 404


def test_a_browser_token_in_the_address_moves_into_a_cookie(site: Api, world: KpiWorld) -> None:
    with httpx.Client(timeout=30) as browser:
        first = browser.get(_url(site, world), params={"access_token": world.reader(site)})
        assert first.status_code == 303
        assert first.headers["location"] == f"/dashboard/programs/{world.program}"
        cookie = first.headers["set-cookie"]
        assert "rm_dashboard_token=" in cookie
        assert "HttpOnly" in cookie
        assert "Path=/dashboard" in cookie
        assert "SameSite=lax" in cookie
        page = browser.get(_url(site, world))
        assert page.status_code == 200
        assert "<svg" in page.text


def test_a_token_in_the_address_beside_another_header_is_not_stored(
    site: Api, world: KpiWorld
) -> None:
    response = _get(_url(site, world), world.reader(site), access_token="something-else")
    assert response.status_code == 200
    assert "set-cookie" not in response.headers


def test_a_cookie_obeys_the_same_rules_as_a_header(site: Api, world: KpiWorld) -> None:
    participant = {"rm_dashboard_token": world.participant(site)}
    assert httpx.get(_url(site, world), cookies=participant, timeout=30).status_code == 403
    forged = {"rm_dashboard_token": "eyJhbGciOiJub25lIn0.e30."}
    assert httpx.get(_url(site, world), cookies=forged, timeout=30).status_code == 401
    # The cookie is for the dashboard only: the API still wants its Authorization header.
    api = httpx.post(
        f"{site.base_url}/graphql",
        json={"query": "{ tenantKpis { programCount } }"},
        cookies={"rm_dashboard_token": world.reader(site)},
        timeout=30,
    )
    assert api.status_code == 401


async def test_names_are_escaped(site: Api, world: KpiWorld, database: Database) -> None:
    async with database.transaction() as session:
        name = "<img src=x onerror=alert(1)>"
        await session.execute(
            update(Program).where(Program.id == world.program_id).values(name=name)
        )
    page = _get(_url(site, world), world.reader(site)).text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_routes_check_tokens_themselves_when_mounted_bare(
    site: Api, world: KpiWorld, database: Database
) -> None:
    """A host that mounts only the routes (no bearer middleware) gets the same refusals."""
    settings = load_settings(
        database_url=site.app.state.settings.database_url, var_dir=site.key_dir
    )
    bare = Starlette(routes=dashboard_routes(database, settings))
    with running_server(bare) as base_url:
        url = f"{base_url}/dashboard/programs/{world.program}"
        assert _get(url).status_code == 401
        assert _get(url, world.participant(site)).status_code == 403
        assert _get(url, world.reader(site)).status_code == 200
