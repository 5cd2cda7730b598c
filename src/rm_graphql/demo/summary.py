"""The demo's printed summary: who was paired and why, who was not, and how it went."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.demo.scenario import Demo
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


async def print_summary(demo: Demo) -> None:
    rows = await demo.as_admin(_pairs_with_people, demo.program_id)
    async with demo.database.transaction(readonly=True) as session:
        run = await session.get_one(MatchingRun, demo.run_id)
    print_pairs(demo.console, rows, run)
