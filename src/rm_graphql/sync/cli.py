"""`rm-graphql sync ...`: sync now from an HRIS (flags or a stored connection), with progress."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from rm_graphql.config import ConfigError, Settings, load_settings
from rm_graphql.db import Database
from rm_graphql.errors import DomainError
from rm_graphql.models.enums import ConnectionKind, SyncMode
from rm_graphql.sync import runs
from rm_graphql.sync.progress import SyncProgress
from rm_graphql.sync.report import ProgressDisplay, print_report, report_json
from rm_graphql.sync.service import SyncError
from rm_graphql.sync.sources import SourceConfig, problems

console = Console(stderr=True, soft_wrap=True)
KINDS = {kind.value.lower(): kind for kind in ConnectionKind}


def add_sync_commands(subparsers: Any) -> None:
    """Add `sync` (and its sources) to the rm-graphql command's subparsers."""
    sync = subparsers.add_parser(
        "sync",
        help="sync employees from an HRIS now",
        description="Sync from a source given by flags, or from a stored --connection NAME.",
    )
    sync.add_argument("--connection", metavar="NAME", help="a stored HRIS connection")
    _common(sync, argparse.SUPPRESS)
    sources = sync.add_subparsers(dest="source", metavar="SOURCE")
    _bamboohr(sources)
    _workday(sources)
    _scim(sources)
    csv = sources.add_parser("csv", help="an HR export file with a header row")
    csv.add_argument("file", type=Path, help="the CSV file")
    csv.add_argument("--delimiter", default=",")
    _common(csv, argparse.SUPPRESS)
    sync.set_defaults(handler=cmd_sync, source=None)


def _common(parser: argparse.ArgumentParser, default: Any) -> None:
    """Options accepted before or after the source name."""
    parser.add_argument("--tenant", default=default, help="tenant slug (created if new)")
    parser.add_argument(
        "--dry-run", action="store_true", default=default, help="show the diff only"
    )
    parser.add_argument("--incremental", action="store_true", default=default,
                        help="only changes since the last successful run")  # fmt: skip
    parser.add_argument("--profile", type=Path, default=default, help="mapping profile TOML")
    parser.add_argument("--timeout", type=float, default=default, help="HTTP timeout (s)")
    parser.add_argument("--show", type=int, default=default, help="changes to list (default 50)")
    parser.add_argument("--json", action="store_true", default=default, help="JSON summary")


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


def _bamboohr(sources: Any) -> None:
    parser = sources.add_parser("bamboohr", help="BambooHR with an API key")
    parser.add_argument("--base-url", help="https://api.bamboohr.com, or an API base ending /v1")
    parser.add_argument("--company", help="the company subdomain")
    parser.add_argument("--api-key", default=_env("RM_BAMBOOHR_API_KEY"),
                        help="API key (or RM_BAMBOOHR_API_KEY)")  # fmt: skip
    _common(parser, argparse.SUPPRESS)


def _workday(sources: Any) -> None:
    parser = sources.add_parser("workday", help="Workday REST workers or a RaaS report")
    parser.add_argument("--base-url", required=True, help="https://wd2-impl-services1.workday.com")
    parser.add_argument("--workday-tenant", required=True, help="the Workday tenant name")
    parser.add_argument("--client-id", default=_env("RM_WORKDAY_CLIENT_ID"))
    parser.add_argument("--client-secret", default=_env("RM_WORKDAY_CLIENT_SECRET"))
    parser.add_argument("--refresh-token", default=_env("RM_WORKDAY_REFRESH_TOKEN"))
    parser.add_argument("--api-version", default="v1")
    parser.add_argument("--report-owner", help="RaaS report owner (with --report-name)")
    parser.add_argument("--report-name", help="RaaS report name")
    _common(parser, argparse.SUPPRESS)


def _scim(sources: Any) -> None:
    parser = sources.add_parser("scim", help="a SCIM 2.0 service provider")
    parser.add_argument("--base-url", required=True, help="the URL before /Users")
    parser.add_argument("--token", default=_env("RM_SCIM_TOKEN"), help="bearer token")
    _common(parser, argparse.SUPPRESS)


def source_config(args: argparse.Namespace) -> SourceConfig:
    """The source the flags describe; secrets stay in memory."""
    kind = KINDS[args.source]
    options: dict[str, Any] = {"timeout": args.timeout, "mapping_profile": args.profile}
    credentials: dict[str, Any] = {}
    if kind is ConnectionKind.BAMBOOHR:
        options["company"] = args.company
        credentials["api_key"] = args.api_key
    elif kind is ConnectionKind.WORKDAY:
        options.update(tenant=args.workday_tenant, api_version=args.api_version,
                       report_owner=args.report_owner, report_name=args.report_name)  # fmt: skip
        credentials.update(client_id=args.client_id, client_secret=args.client_secret,
                           refresh_token=args.refresh_token)  # fmt: skip
    elif kind is ConnectionKind.SCIM:
        credentials["token"] = args.token
    else:
        options.update(path=str(args.file), delimiter=args.delimiter)
    base_url = getattr(args, "base_url", None)
    kept = {key: str(value) if isinstance(value, Path) else value
            for key, value in options.items() if value is not None}  # fmt: skip
    secrets = {key: value for key, value in credentials.items() if value}
    return SourceConfig(kind, base_url, kept, secrets)


DEFAULTS = {"tenant": None, "dry_run": False, "incremental": False, "profile": None,
            "timeout": None, "show": 50, "json": False}  # fmt: skip


def _defaults(args: argparse.Namespace) -> None:
    """Fill options that were suppressed at both levels."""
    for name, value in DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, value)


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    """Run one sync; exit 0 on success, 1 when the run failed, 2 on bad usage."""
    _defaults(args)
    if not args.tenant:
        console.print("[red]rm-graphql sync:[/] --tenant is required")
        return 2
    if (args.source is None) == (args.connection is None):
        console.print("[red]rm-graphql sync:[/] give a SOURCE (bamboohr, ...) or --connection NAME")
        return 2
    config = None if args.connection else source_config(args)
    wrong = problems(config) if config is not None else []
    if wrong:
        for problem in wrong:
            console.print(f"[red]rm-graphql sync:[/] {'.'.join(problem.path)}: {problem.message}")
        return 2
    return asyncio.run(_run(args, settings, config))


async def _run(args: argparse.Namespace, settings: Settings, config: SourceConfig | None) -> int:
    database = Database.from_settings(settings)
    mode = SyncMode.INCREMENTAL if args.incremental else SyncMode.FULL
    try:
        with ProgressDisplay(console) as display:
            progress = SyncProgress(listeners=[display.update])
            report = await runs.run_direct(
                database, settings, args.tenant, config, connection_name=args.connection,
                mode=mode, dry_run=args.dry_run, progress=progress,
            )  # fmt: skip
    except (DomainError, SyncError) as error:
        console.print(f"[red]rm-graphql sync:[/] {error}")
        return 1
    finally:
        await database.dispose()
    if args.json:
        print(json.dumps(report_json(report), indent=2, default=str))
    else:
        # Piped output keeps whole lines: scripts and logs grep them.
        print_report(
            Console() if sys.stdout.isatty() else Console(width=200), report, show=args.show
        )
    return 0 if report.error is None else 1


def main(argv: list[str] | None = None) -> int:
    """`python -m rm_graphql.sync.cli sync ...`: the same command before it is wired in."""
    parser = argparse.ArgumentParser(prog="rm-graphql")
    add_sync_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"rm-graphql: configuration error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level)
    return cmd_sync(args, settings)


if __name__ == "__main__":
    sys.exit(main())
