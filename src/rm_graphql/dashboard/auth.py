"""How a browser reaches the dashboard with the same bearer tokens as the API.

A browser cannot send an Authorization header on a link, so the dashboard also takes the token
as an `access_token` query parameter (RFC 6750 §2.3). The page then stores it in an HttpOnly
cookie (`rm_dashboard_token`, path /dashboard, SameSite=Lax) and redirects to the same address
without it, so the token leaves the address bar, history and Referer headers at once.
"""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from rm_graphql.auth.jwks import KeySourceUnavailable
from rm_graphql.auth.middleware import principal_from_scope, route_path
from rm_graphql.auth.principal import Principal
from rm_graphql.auth.tokens import InvalidToken, TokenValidator

DASHBOARD_PREFIX = "/dashboard"
TOKEN_PARAMETER = "access_token"  # noqa: S105 - a parameter name, not a secret
TOKEN_COOKIE = "rm_dashboard_token"  # noqa: S105
# RFC 6750 b64token: nothing that could break out of a header.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")


class TokensUnavailable(Exception):
    """The keys that verify tokens could not be loaded."""


def _query_token(scope: Scope) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    values = query.get(TOKEN_PARAMETER, [])
    return values[0] if len(values) == 1 else None


def _cookie_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookies: SimpleCookie = SimpleCookie()
            cookies.load(value.decode("latin-1"))
            if TOKEN_COOKIE in cookies:
                return cookies[TOKEN_COOKIE].value
    return None


def browser_token(scope: Scope) -> str | None:
    """The token a browser sent as `access_token` (first) or in the dashboard cookie."""
    token = _query_token(scope) or _cookie_token(scope)
    return token if token and TOKEN_PATTERN.fullmatch(token) else None


def _has_authorization(scope: Scope) -> bool:
    return any(name == b"authorization" for name, _ in scope.get("headers", []))


def _is_dashboard(scope: Scope) -> bool:
    path = route_path(scope)
    return path == DASHBOARD_PREFIX or path.startswith(DASHBOARD_PREFIX + "/")


class BrowserTokenBridge:
    """Outside the bearer middleware: on /dashboard only, and only when no Authorization header
    was sent, present a browser's token (query parameter or cookie) as a bearer token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_dashboard(scope) and not _has_authorization(scope):
            token = browser_token(scope)
            if token is not None:
                header = (b"authorization", f"Bearer {token}".encode("latin-1"))
                scope = {**scope, "headers": [*scope.get("headers", []), header]}
        await self.app(scope, receive, send)


async def authenticate(request: Request, validator: TokenValidator) -> Principal | None:
    """The caller: as the bearer middleware verified it, else verified here (when the routes
    are mounted without that middleware). None when there is no valid token."""
    principal = principal_from_scope(request.scope)
    if principal is not None:
        return principal
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    token = credentials.strip() if scheme.lower() == "bearer" else browser_token(request.scope)
    if not token:
        return None
    try:
        return await validator.validate(token)
    except InvalidToken:
        return None
    except KeySourceUnavailable as error:
        raise TokensUnavailable(str(error)) from error


def remember_token(request: Request) -> RedirectResponse | None:
    """When the caller signed in with the token in the address, keep it in a cookie and drop it
    from the address. A token beside a different Authorization header is never stored."""
    token = _query_token(request.scope)
    if token is None or not TOKEN_PATTERN.fullmatch(token):
        return None
    if request.headers.get("authorization", f"Bearer {token}") != f"Bearer {token}":
        return None
    rest = [(k, v) for k, v in request.query_params.multi_items() if k != TOKEN_PARAMETER]
    target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
    response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        path=request.scope.get("root_path", "").rstrip("/") + DASHBOARD_PREFIX,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response
