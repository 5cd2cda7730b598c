"""The rm-graphql command line: serve, worker, migrate, match, token, fake-hris, export-schema."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from rm_graphql import __version__
from rm_graphql.config import ConfigError, Settings, load_settings
from rm_graphql.observability import configure_logging
from rm_graphql.sync.cli import add_sync_commands

console = Console(stderr=True)
SCHEMA_PATH = Path("schema/schema.graphql")

Handler = Callable[[argparse.Namespace, Settings], int]


def cmd_version(_args: argparse.Namespace, _settings: Settings) -> int:
    print(f"rm-graphql {__version__}")
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from rm_graphql import migrate

    if args.downgrade:
        migrate.downgrade(settings.database_url, args.downgrade)
        console.print(f"[green]Downgraded[/] to {args.downgrade}")
    else:
        migrate.upgrade(settings.database_url, args.revision)
        console.print(f"[green]Database at[/] {args.revision}")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from rm_graphql.app import create_app
    from rm_graphql.graphql.fastpath.runtime import tune_gc

    host = args.host or settings.host
    port = args.port or settings.port
    if args.migrate:
        cmd_migrate(argparse.Namespace(downgrade=None, revision="head"), settings)
    app = create_app(settings, run_worker=False if args.no_worker else None)
    tune_gc()  # what is alive after start-up stays out of every later collection
    console.print(f"GraphQL at [bold]http://{host}:{port}/graphql[/]")
    # log_config=None: uvicorn logs through our handlers (JSON lines, secrets masked).
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), log_config=None)
    return 0


def cmd_rotate_secrets(_args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from rm_graphql.db import Database
    from rm_graphql.rotation import rotate_secrets
    from rm_graphql.security import secret_box

    async def rotate() -> int:
        database = Database.from_settings(settings)
        try:
            async with database.transaction() as session:
                return await rotate_secrets(session, secret_box(settings))
        finally:
            await database.dispose()

    changed = asyncio.run(rotate())
    console.print(f"Re-encrypted {changed} secret(s) under the newest key")
    return 0


def cmd_export_schema(args: argparse.Namespace, _settings: Settings) -> int:
    from rm_graphql.graphql.schema import schema

    sdl = schema.as_str() + "\n"
    target: Path = args.output
    if args.check:
        current = target.read_text() if target.exists() else ""
        if current != sdl:
            console.print(f"[red]{target} differs from the code[/]: run `make export-schema`")
            return 1
        console.print(f"{target} is up to date")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(sdl)
    console.print(f"Wrote {target}")
    return 0


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    from rm_graphql.auth.devtokens import DevKeyError, mint_dev_token

    if settings.is_production:
        console.print("[red]rm-graphql token:[/] the development key is refused in production")
        return 2
    try:
        token = mint_dev_token(
            settings.var_dir,
            args.tenant,
            args.subject,
            args.scopes.replace(",", " ").split(),
            email=args.email,
            lifetime_seconds=args.lifetime,
        )
    except (DevKeyError, ValueError) as error:
        console.print(f"[red]rm-graphql token:[/] {error}")
        return 2
    print(token)
    return 0


def cmd_match(args: argparse.Namespace, _settings: Settings) -> int:
    from rm_graphql.pairing.offline import run_offline

    return run_offline(args.participants, args.rules, args.output, args.explain, Console())


def cmd_fake_hris(args: argparse.Namespace, _settings: Settings) -> int:
    from rm_graphql.testing.launcher import serve_fake

    serve_fake(args.kind, employees=args.employees, port=args.port, seed=args.seed)
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from rm_graphql.demo.run import run_demo

    if settings.log_level != "DEBUG":
        logging.getLogger().setLevel(logging.WARNING)  # the demo speaks through its console

    return run_demo(
        settings,
        employees=args.employees,
        seed=args.seed,
        serve=not args.no_serve,
        port=args.port or settings.port,
        database_url=args.database_url,
        console=Console(),
    )


def _add_operations(commands: Any) -> None:
    """Commands that run the engine's work: worker, offline matching, fake HRIS servers."""
    # Listed for --help; main() hands `worker ...` to the worker's own parser.
    commands.add_parser("worker", help="run a job worker (PostgreSQL): --concurrency N --queue Q")

    match = commands.add_parser("match", help="offline planning: match a participants CSV")
    match.add_argument("--participants", type=Path, required=True, help="participants CSV")
    match.add_argument("--rules", type=Path, help="rules TOML")
    match.add_argument("--output", type=Path, help="write the pairs to this CSV")
    match.add_argument("--explain", action="store_true", help="say why people are unmatched")
    match.set_defaults(handler=cmd_match)

    demo = commands.add_parser("demo", help="a whole program on a fake BambooHR, then serve it")
    demo.add_argument("--employees", type=int, default=300, help="size of the organisation")
    demo.add_argument("--seed", type=int, default=7, help="same seed, same demo")
    demo.add_argument("--no-serve", action="store_true", help="stop after the summary")
    demo.add_argument("--port", type=int, help="listen port (default: RM_PORT)")
    demo.add_argument("--database-url", help="default: a fresh var/demo.db")
    demo.set_defaults(handler=cmd_demo)

    fake = commands.add_parser("fake-hris", help="serve a fake HRIS for demos and tests")
    fake.add_argument("kind", choices=["bamboohr", "workday", "scim"])
    fake.add_argument("--employees", type=int, default=300)
    fake.add_argument("--port", type=int, default=8070)
    fake.add_argument("--seed", type=int, default=7)
    fake.set_defaults(handler=cmd_fake_hris)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rm-graphql", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("version", help="print the version").set_defaults(handler=cmd_version)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--revision", default="head", help="target revision (default: head)")
    migrate.add_argument("--downgrade", metavar="REVISION", help="downgrade to REVISION instead")
    migrate.set_defaults(handler=cmd_migrate)

    serve = commands.add_parser("serve", help="serve the GraphQL API")
    serve.add_argument("--host", help="listen address (default: RM_HOST)")
    serve.add_argument("--port", type=int, help="listen port (default: RM_PORT)")
    serve.add_argument("--migrate", action="store_true", help="migrate to head before serving")
    serve.add_argument(
        "--no-worker", action="store_true", help="do not run a job worker in this process"
    )
    serve.set_defaults(handler=cmd_serve)

    token = commands.add_parser("token", help="print a development bearer token")
    token.add_argument("--tenant", required=True, help="tenant slug, e.g. acme")
    token.add_argument("--subject", required=True, help="subject, e.g. alice@example.com")
    token.add_argument("--scopes", default="rm:admin", help="space or comma separated scopes")
    token.add_argument("--email", help="email claim (defaults to none)")
    token.add_argument("--lifetime", type=int, default=3600, help="seconds (default 3600)")
    token.set_defaults(handler=cmd_token)

    rotate = commands.add_parser(
        "rotate-secrets", help="re-encrypt stored secrets under the newest RM_ENCRYPTION_KEYS key"
    )
    rotate.set_defaults(handler=cmd_rotate_secrets)

    export = commands.add_parser("export-schema", help="write the GraphQL SDL contract")
    export.add_argument("--output", type=Path, default=SCHEMA_PATH)
    export.add_argument("--check", action="store_true", help="fail if the file differs")
    export.set_defaults(handler=cmd_export_schema)
    _add_operations(commands)
    add_sync_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["worker"]:  # the worker parses its own options
        from rm_graphql.jobs import worker

        return worker.main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"rm-graphql: configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(
        settings.log_level, json_lines=settings.is_production or not sys.stderr.isatty()
    )
    handler: Handler = args.handler
    return handler(args, settings)


if __name__ == "__main__":
    sys.exit(main())
