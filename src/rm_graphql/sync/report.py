"""What the sync CLI shows: a progress bar while it runs, then a summary, diff and problems."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from datetime import date, datetime
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from rm_graphql.sync.plan import Change
from rm_graphql.sync.progress import SyncPhase, SyncProgress
from rm_graphql.sync.runs import RunReport

_PHASE_TEXT = {
    SyncPhase.FETCHING: "Fetching from the HRIS",
    SyncPhase.PLANNING: "Comparing with stored employees",
    SyncPhase.WRITING: "Writing changes",
}


class ProgressDisplay:
    """A Rich progress bar on a terminal; one plain line per phase everywhere."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.phase: SyncPhase | None = None
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> ProgressDisplay:
        if self.console.is_terminal:
            self.bar = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                MofNCompleteColumn(), TimeElapsedColumn(), console=self.console, transient=True,
            )  # fmt: skip
            self.bar.start()
            self.task = self.bar.add_task("Connecting", total=None)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.stop()

    def update(self, progress: SyncProgress) -> None:
        """Listener for SyncProgress.step."""
        if progress.phase is not self.phase:
            self.phase = progress.phase
            self.console.print(_phase_line(progress), highlight=False)
        if self.bar is None or self.task is None:
            return
        description = _PHASE_TEXT.get(progress.phase, progress.phase.value.title())
        if progress.phase is SyncPhase.WRITING:
            self.bar.update(
                self.task, description=description, total=progress.to_write,
                completed=progress.written,
            )  # fmt: skip
        else:
            self.bar.update(self.task, description=description, completed=progress.records)


def _phase_line(progress: SyncProgress) -> str:
    if progress.phase is SyncPhase.PLANNING:
        return f"planning: {progress.records} record(s) from {progress.pages} page(s)"
    if progress.phase is SyncPhase.WRITING:
        return f"writing: {progress.to_write} change(s)"
    return progress.phase.value.lower()


def show(value: Any) -> str:
    """A value as one short cell."""
    if value is None:
        return "—"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, Mapping):
        return json.dumps(dict(value), sort_keys=True)
    return str(value)


def change_json(change: Change) -> dict[str, Any]:
    return {
        "change": change.kind.value,
        "externalId": change.external_id,
        "name": change.display_name,
        "fields": {field.name: [show(field.old), show(field.new)] for field in change.fields},
    }


def report_json(report: RunReport) -> dict[str, Any]:
    """The run as JSON (for scripts and tests)."""
    run, outcome = report.run, report.outcome
    body: dict[str, Any] = {
        "run": run.id, "status": run.status.value, "dryRun": run.dry_run,
        "created": run.created_count, "updated": run.updated_count,
        "unchanged": run.unchanged_count, "terminated": run.terminated_count,
        "invalid": run.invalid_count, "watermark": run.watermark,
        "durationMs": run.duration_ms, "error": run.error,
    }  # fmt: skip
    if outcome is not None:
        body["skippedErased"] = outcome.plan.skipped_erased
        body["invalidRecords"] = run.invalid_records
        if run.dry_run:
            body["changes"] = [change_json(change) for change in outcome.plan.changes]
    return body


def print_report(console: Console, report: RunReport, *, show: int) -> None:
    """Summary table, then (dry runs) the diff, then the invalid records."""
    run = report.run
    colour = "green" if report.error is None else "red"
    dry = " (dry run: nothing written)" if run.dry_run else ""
    console.print(f"[bold]Sync run {run.id}[/] [{colour}]{run.status.value}[/]{dry}")
    summary = Table(show_header=False, box=None, padding=(0, 2))
    counts = {
        "Created": run.created_count, "Updated": run.updated_count,
        "Unchanged": run.unchanged_count, "Terminated": run.terminated_count,
        "Invalid": run.invalid_count,
    }  # fmt: skip
    if report.outcome is not None and report.outcome.plan.skipped_erased:
        counts["Skipped (erased)"] = report.outcome.plan.skipped_erased
    for name, value in counts.items():
        summary.add_row(name, str(value))
    summary.add_row("Watermark", run.watermark or "—")
    summary.add_row("Duration", f"{(run.duration_ms or 0) / 1000:.2f} s")
    console.print(summary)
    if report.error is not None:
        console.print(f"[red]{run.error}[/]")
    if report.outcome is not None and run.dry_run:
        _print_changes(console, report.outcome.plan.changes, show)
    _print_invalid(console, run.invalid_records, show)


def _print_changes(console: Console, changes: list[Change], limit: int) -> None:
    if not changes:
        console.print("No changes.")
        return
    table = Table("Change", "External id", "Name", "Fields", title="Diff")
    for change in changes[:limit]:
        fields = "; ".join(f"{f.name}: {show(f.old)} → {show(f.new)}" for f in change.fields)
        table.add_row(change.kind.value, change.external_id, change.display_name, fields or "new")
    console.print(table)
    if len(changes) > limit:
        console.print(f"… and {len(changes) - limit} more change(s) (--show N lists more)")


def _print_invalid(console: Console, invalid: list[dict[str, str]], limit: int) -> None:
    if not invalid:
        return
    table = Table("External id", "Row", "Reason", title="Invalid records (not written)")
    for item in invalid[:limit]:
        table.add_row(item.get("externalId") or "—", item.get("row", "—"), item.get("reason", ""))
    console.print(table)
    if len(invalid) > limit:
        console.print(f"… and {len(invalid) - limit} more")
