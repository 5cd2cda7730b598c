"""`GET /oauth/hris/callback`: where an HRIS sends the admin's browser back, for standalone use.

A host platform usually receives the redirect on a page of its own and passes `code` and
`state` to `completeHrisAuthorization`. A deployment without such a page registers this route
as the redirect URI: it completes the authorization itself (the single-use state, issued to an
admin, authorizes it; PKCE binds the code to the flow that state started) and shows one line.
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from rm_graphql.db import Database
from rm_graphql.errors import ValidationFailed
from rm_graphql.security import secret_box
from rm_graphql.sync.authorization import complete_at_callback

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>rm-graphql: {title}</title></head><body><h1>{title}</h1><p>{message}</p></body></html>"""


def _page(title: str, message: str, status: int) -> HTMLResponse:
    body = PAGE.format(title=html.escape(title), message=html.escape(message))
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return HTMLResponse(body, status_code=status, headers=headers)


async def receive_callback(request: Request) -> Response:
    """Complete the authorization the state names, and say how it went."""
    params = request.query_params
    if params.get("error"):
        # The vendor's own wording is not echoed on our origin.
        return _page("Not connected", "The HRIS did not grant access; start again.", 400)
    database: Database = request.app.state.database
    box = secret_box(request.app.state.settings)
    try:
        async with database.transaction() as session:
            connection = await complete_at_callback(
                session, box, params.get("state", ""), params.get("code", "")
            )
            name = connection.name
    except ValidationFailed as error:
        return _page("Not connected", error.problems[0].message, 400)
    return _page("Connected", f"The HRIS connection {name!r} is authorized; close this page.", 200)
