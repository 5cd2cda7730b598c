"""create_app(settings) -> the Starlette application: /graphql, /healthz, /readyz."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from rm_graphql import migrate
from rm_graphql.config import Settings, load_settings
from rm_graphql.dashboard import install_dashboard
from rm_graphql.db import Database
from rm_graphql.graphql.view import GraphQLView
from rm_graphql.jobs.worker import embedded_worker
from rm_graphql.observability import RequestIdMiddleware, metrics
from rm_graphql.security import protect
from rm_graphql.sync.callback import receive_callback
from rm_graphql.sync.webhooks import receive_webhook

logger = logging.getLogger(__name__)


async def healthz(_request: Request) -> JSONResponse:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Readiness: the database answers and its schema is at the newest migration."""
    database: Database = request.app.state.database
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            at_head = await connection.run_sync(migrate.at_head)
    except Exception:
        logger.exception("readiness check failed")
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if not at_head:
        return JSONResponse({"status": "unavailable", "migrations": "behind"}, status_code=503)
    return JSONResponse({"status": "ok"})


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    *,
    run_worker: bool | None = None,
) -> Starlette:
    """Build the ASGI app; a host may mount it under a prefix of its own.

    Its lifespan opens the job queue and, unless told otherwise (`run_worker=False` or
    RM_WORKER_IN_PROCESS=false on PostgreSQL), runs a worker in the same process.
    """
    settings = settings or load_settings()
    owns_database = database is None
    database = database or Database.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with embedded_worker(settings, database, run_worker=run_worker) as queue:
            app.state.jobs = queue
            yield
        if graphql.fast_path is not None:
            await graphql.fast_path.close()
        if owns_database:
            await database.dispose()

    graphql = GraphQLView(database, settings)
    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            # Signed by the HRIS, not by a bearer token (see rm_graphql.sync.webhooks).
            Route("/webhooks/{connection}", receive_webhook, methods=["POST"]),
            # The HRIS sends the admin's browser back here; the single-use state authorizes.
            Route("/oauth/hris/callback", receive_callback, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.jobs = None
    app.add_middleware(_Protected, settings=settings)
    app.add_middleware(RequestIdMiddleware)
    install_dashboard(app, database, settings)
    return app


class _Protected:
    """Starlette middleware adapter for `protect` (bearer tokens on the API paths)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = protect(app, settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
