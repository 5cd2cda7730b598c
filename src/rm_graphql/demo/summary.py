"""The demo's printed summary: who was paired and why, who was not, and how it went."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.demo.scenario import Demo
from rm_graphql.kpis import service as kpis
from rm_graphql.kpis.figures import KpiReport, KpiValue
from rm_graphql.models import MatchingRun
from rm_graphql.pairing import repository
from rm_graphql.tenancy.service import Actor

SHOWN_PAIRS = 12


def _why(breakdown: dict[str, float]) -> str:
    top = sorted(breakdown.items(), key=lambda item: -item[1])[:3]
    return ", ".join(f"{name.replace('_', ' ')} {points:.1f}" for name, points in top if points > 0)


async def _pairs_with_people(session: AsyncSession, actor: Actor, program_id: int) -> list[Any]:
    return list(await repository.pairs_with_people(session, actor.tenant_id, program_id))


def print_pairs(console: Console, rows: list[Any], run: MatchingRun) -> None:
    table = Table(
        title=f"Pairs ({len(rows)}), best first: why they were matched", title_justify="left"
    )
    for column in ("mentor (teaches digital)", "mentee (teaches business)", "score", "why"):
        table.add_column(column, overflow="fold")
    for row in rows[:SHOWN_PAIRS]:
        table.add_row(
            f"{row.mentor}\n[dim]{row.mentor_title}, {row.mentor_department}[/]",
            f"{row.mentee}\n[dim]{row.mentee_title}, {row.mentee_department}[/]",
            f"{row.score:.1f}",
            _why(row.score_breakdown),
        )
    console.print(table)
    unmatched = run.diagnostics.get("unmatched", [])
    reasons: dict[str, int] = {}
    for item in unmatched:
        reasons[item["reason"]] = reasons.get(item["reason"], 0) + 1
    console.print(
        f"Solver: {run.solver}; objective {run.objective_value:.1f}, "
        f"bound {run.bound}, gap {run.gap} "
        f"({run.diagnostics.get('status')}). Unmatched: {len(unmatched)} "
        + (f"({', '.join(f'{k}: {v}' for k, v in sorted(reasons.items()))})" if reasons else "")
    )


def _figure(value: KpiValue, unit: str = "") -> str:
    if value.withheld or value.value is None:
        return "[dim]withheld (< 3)[/]" if value.withheld else "[dim]n/a[/]"
    if unit == "%":
        return f"{value.value * 100:.0f}%"
    return f"{value.value:.1f}{unit}"


def print_kpis(console: Console, kpis: KpiReport) -> None:
    table = Table(title="Program KPIs after six weeks", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("Enrolled of invited", _figure(kpis.participation.of_invited, "%")),
        ("Match rate (mentees)", _figure(kpis.matching.match_rate, "%")),
        ("Acceptance rate", _figure(kpis.matching.acceptance_rate, "%")),
        ("Cross-department pairs", _figure(kpis.matching.cross_department_reach, "%")),
        ("Sessions per pair per month", _figure(kpis.sessions.per_pair_per_month)),
        ("Average session minutes", _figure(kpis.sessions.average_minutes)),
        ("Sessions within the 30-minute cap", _figure(kpis.sessions.share_within_cap, "%")),
        ("Goals completed", _figure(kpis.goals.overall, "%")),
        ("Satisfaction (1-5)", _figure(kpis.satisfaction.average)),
        ("NPS", _figure(kpis.satisfaction.nps)),
        ("Skill uplift (post - pre)", _figure(kpis.uplift.overall)),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


async def print_summary(demo: Demo) -> None:
    rows = await demo.as_admin(_pairs_with_people, demo.program_id)
    async with demo.database.transaction(readonly=True) as session:
        run = await session.get_one(MatchingRun, demo.run_id)
    print_pairs(demo.console, rows, run)
    print_kpis(demo.console, await demo.as_admin(kpis.report, demo.program_id))
