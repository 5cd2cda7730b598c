"""`rm-graphql demo`: set everything up on embedded SQLite, run a program, print, then serve."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from rm_graphql import migrate
from rm_graphql.config import Settings
from rm_graphql.db import Database
from rm_graphql.demo import scenario
from rm_graphql.demo.scenario import Demo
from rm_graphql.demo.simulate import simulate
from rm_graphql.demo.summary import print_summary


def demo_settings(settings: Settings, database_url: str | None) -> Settings:
    """A fresh embedded SQLite database under RM_VAR_DIR unless a URL is given."""
    if database_url:
        return settings.model_copy(update={"database_url": database_url})
    path = Path(settings.var_dir) / "demo.db"
    for leftover in (path, path.with_suffix(".db-wal"), path.with_suffix(".db-shm")):
        leftover.unlink(missing_ok=True)
    return settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{path}"})


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    )


async def run_program(demo: Demo, employees: int) -> None:
    """Every step of a program, from the HRIS to six weeks of sessions."""
    console = demo.console
    with console.status(f"Syncing {employees} employees from the fake BambooHR..."):
        report = await scenario.sync_hris(demo, employees)
    outcome = report.outcome
    if outcome is None:
        raise RuntimeError(f"the sync failed: {report.error}")
    console.print(
        f"[green]✓[/] Synced BambooHR: {outcome.created} created, {len(outcome.invalid)} invalid"
    )
    cohort = await scenario.create_program(demo)
    with _progress(console) as progress:
        email_of = await scenario.enrol(demo, cohort, progress)
    console.print(
        f"[green]✓[/] {len(cohort)} volunteers enrolled (juniors as mentors, leaders as mentees)"
    )
    with console.status("Matching (integer program, certified optimal)..."):
        run = await scenario.run_matching(demo)
    console.print(f"[green]✓[/] Matching run {run.id}: {run.status.value} with {run.solver}")
    pair_ids = await scenario.publish_and_accept(demo, email_of)
    console.print(f"[green]✓[/] {len(pair_ids)} pairs published and accepted by both sides")
    by_email = {volunteer.email: volunteer for volunteer in cohort}
    with _progress(console) as progress:
        await simulate(demo, pair_ids, email_of, by_email, progress)
    await print_summary(demo)


def run_demo(
    settings: Settings,
    *,
    employees: int,
    seed: int,
    serve: bool,
    port: int,
    database_url: str | None,
    console: Console,
) -> int:
    """The main job: migrate, sync, enrol, match, publish, simulate, summarise, then serve."""
    settings = demo_settings(settings, database_url)
    started = time.perf_counter()
    with console.status("Migrating a fresh database..."):
        migrate.upgrade(settings.database_url)
    database = Database.from_settings(settings)
    demo = Demo(settings=settings, database=database, console=console, seed=seed)

    async def main() -> None:
        try:
            await run_program(demo, employees)
        finally:
            await database.dispose()

    asyncio.run(main())
    console.print(f"[bold]Demo ready in {time.perf_counter() - started:.1f} s.[/]")
    if serve:
        from rm_graphql.demo.serve import serve_demo

        serve_demo(settings, port, demo.program_id, console)
    return 0
