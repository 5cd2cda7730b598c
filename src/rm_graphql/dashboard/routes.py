"""`GET /dashboard/programs/{id}`: one program's KPIs as an HTML page with SVG charts.

The same rule as the API: a verified bearer token of the program's tenant with rm:admin,
rm:program or rm:kpi. Participants are refused (403), another tenant's program is not found.
"""

from __future__ import annotations

import logging
import uuid
from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route
from strawberry.relay import from_base64

from rm_graphql.auth.tokens import TokenValidator
from rm_graphql.config import Settings
from rm_graphql.dashboard.auth import (
    BrowserTokenBridge,
    TokensUnavailable,
    authenticate,
    remember_token,
)
from rm_graphql.dashboard.page import render
from rm_graphql.db import Database
from rm_graphql.errors import NotAllowed, NotFound
from rm_graphql.kpis import service
from rm_graphql.kpis.figures import Period
from rm_graphql.security import token_validator
from rm_graphql.tenancy.service import resolve_actor

logger = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
REFUSALS = {
    401: ("Sign in needed", "Open the dashboard from your HR portal, or send a bearer token."),
    403: ("Not for this account", "Program KPIs need the rm:admin, rm:program or rm:kpi scope."),
    404: ("No such program", "This program does not exist for your organisation."),
    503: ("Try again shortly", "The keys that verify sign-ins could not be loaded."),
}


def _refusal(status: int) -> HTMLResponse:
    title, message = REFUSALS[status]
    body = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        '</head><body style="font:15px system-ui,sans-serif;padding:48px;color:#1f2937">'
        f"<h1>{escape(title)}</h1><p>{escape(message)}</p></body></html>"
    )
    headers = dict(SECURITY_HEADERS)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="rm-graphql"'
    return HTMLResponse(body, status_code=status, headers=headers)


def program_id_of(value: str) -> int | None:
    """A program's row id from the path: plain digits or its relay global id."""
    if value.isdigit():
        return int(value)
    try:
        type_name, node_id = from_base64(value)
    except (ValueError, TypeError):
        return None
    return int(node_id) if type_name == "Program" and node_id.isdigit() else None


def _request_id(request: Request) -> str:
    assigned = request.scope.get("state", {}).get("request_id")
    return assigned if isinstance(assigned, str) else uuid.uuid4().hex


async def _program_page(
    request: Request, database: Database, validator: TokenValidator
) -> Response:
    try:
        principal = await authenticate(request, validator)
    except TokensUnavailable:
        logger.warning("dashboard: token keys unavailable")
        return _refusal(503)
    if principal is None:
        return _refusal(401)
    remembered = remember_token(request)
    if remembered is not None:
        return remembered
    program_id = program_id_of(request.path_params["program_id"])
    if program_id is None:
        return _refusal(404)
    period = (
        Period.WEEK if request.query_params.get("period", "").upper() == "WEEK" else Period.MONTH
    )
    try:
        async with database.transaction(readonly=True) as session:
            actor = await resolve_actor(session, principal, _request_id(request))
            report = await service.report(session, actor, program_id, period)
    except NotAllowed:
        return _refusal(403)
    except NotFound:
        return _refusal(404)
    return HTMLResponse(render(report), headers=SECURITY_HEADERS)


def dashboard_routes(database: Database, settings: Settings) -> list[BaseRoute]:
    """The dashboard's routes, to add to the app's route list (the bearer middleware in front)."""
    validator = token_validator(settings)

    async def program_dashboard(request: Request) -> Response:
        return await _program_page(request, database, validator)

    return [Route("/dashboard/programs/{program_id}", program_dashboard, methods=["GET"])]


def install_dashboard(app: Starlette, database: Database, settings: Settings) -> None:
    """Serve the dashboard from `app`: its routes, and browser tokens outside the bearer check.

    Call before the app starts (Starlette builds its middleware stack on the first request).
    """
    app.router.routes.extend(dashboard_routes(database, settings))
    app.add_middleware(BrowserTokenBridge)
