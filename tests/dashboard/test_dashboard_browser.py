"""The dashboard in headless Chromium (Debian's `chromium`): the charts are really drawn.

Needs /usr/bin/chromium (apt-get install -y chromium) and Playwright for Python (never
`playwright install`). Skipped when either is missing, unless RM_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from rm_graphql.db import Database
from tests.support.api import Api
from tests.support.kpis import KpiWorld, seed_kpi_world

CHROMIUM = os.environ.get("RM_CHROMIUM", "/usr/bin/chromium")
CHART_IDS = ["rates", "series", "uplift", "retention", "ratings", "generations"]
# Per chart: how many drawn bars it has, its withheld placeholders, and its size on screen.
MEASURE = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const visible = el => { const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0 };
  const box = svg.getBoundingClientRect();
  return { id: svg.id, width: box.width, height: box.height,
           bars: [...svg.querySelectorAll('rect.bar')].filter(visible).length,
           withheld: [...svg.querySelectorAll('rect.withheld')].filter(visible).length,
           lines: [...svg.querySelectorAll('polyline.line')].filter(visible).length };
})"""


def _browser_missing() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM}"
    return None


@pytest.fixture(scope="module")
async def chromium() -> AsyncIterator[Any]:
    missing = _browser_missing()
    if missing:
        if os.environ.get("RM_REQUIRE_BROWSER"):
            pytest.fail(f"RM_REQUIRE_BROWSER is set but {missing}")
        pytest.skip(missing)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        await browser.close()


@pytest.fixture
async def world(database: Database) -> KpiWorld:
    return await seed_kpi_world(database)


async def _open(chromium: Any, site: Api, world: KpiWorld, query: str = "") -> Any:
    page = await chromium.new_page(viewport={"width": 1280, "height": 900})
    url = f"{site.base_url}/dashboard/programs/{world.program}?access_token="
    response = await page.goto(url + world.reader(site) + query)
    assert response is not None
    assert response.status == 200
    assert "access_token" not in page.url  # moved into a cookie by the redirect
    return page


async def test_every_chart_is_drawn_with_visible_marks(
    chromium: Any, site: Api, world: KpiWorld, tmp_path: Path
) -> None:
    page = await _open(chromium, site, world)
    charts = {chart["id"]: chart for chart in await page.evaluate(MEASURE)}
    assert list(charts) == CHART_IDS
    assert all(chart["width"] > 300 and chart["height"] > 60 for chart in charts.values())
    assert charts["rates"]["bars"] == 8  # nine rates; mentor goals withheld
    assert charts["rates"]["withheld"] == 1
    # Monthly sessions: one month of three pairs shown, two months of fewer pairs hatched.
    assert (charts["series"]["bars"], charts["series"]["withheld"]) == (1, 2)
    assert charts["series"]["lines"] == 0  # feedback came in one month only: a dot, no line
    assert (charts["uplift"]["bars"], charts["uplift"]["withheld"]) == (1, 1)
    assert charts["retention"]["bars"] == 3
    assert charts["ratings"]["bars"] == 4
    assert charts["generations"]["bars"] == 2  # Gen Z and Gen X; empty bands draw nothing
    assert charts["generations"]["withheld"] == 1
    screenshot = await page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert len(set(screenshot[100:])) > 200  # a rich image, not a blank page
    await page.close()


async def test_the_weekly_view_draws_its_columns(chromium: Any, site: Api, world: KpiWorld) -> None:
    page = await _open(chromium, site, world, "&period=WEEK")
    series = next(chart for chart in await page.evaluate(MEASURE) if chart["id"] == "series")
    assert series["bars"] + series["withheld"] >= 3
    assert await page.locator("nav a.on").inner_text() == "Weekly"
    await page.close()
