"""Pure ASGI middleware that requires a valid bearer token on protected paths."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, MutableMapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from rm_graphql.auth.jwks import KeySourceUnavailable
from rm_graphql.auth.principal import Principal
from rm_graphql.auth.tokens import InvalidToken, TokenValidator

logger = logging.getLogger(__name__)

PRINCIPAL_KEY = "principal"
DEFAULT_OPEN_PATHS = ("/healthz", "/readyz", "/metrics")
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
WEBSOCKET_POLICY_VIOLATION = 1008
WEBSOCKET_TRY_AGAIN_LATER = 1013


class MissingCredentials(InvalidToken):
    """The request carries no bearer token at all (RFC 6750: no error code)."""

    def __init__(self) -> None:
        super().__init__("no bearer token in the Authorization header")


def principal_from_scope(scope: MutableMapping[str, Any]) -> Principal | None:
    """Return the Principal the middleware stored in `scope["state"]`, if any."""
    principal = scope.get("state", {}).get(PRINCIPAL_KEY)
    return principal if isinstance(principal, Principal) else None


def route_path(scope: MutableMapping[str, Any]) -> str:
    """Return the path relative to the mount point (`root_path`)."""
    path: str = scope.get("path", "/")
    root_path: str = scope.get("root_path", "").rstrip("/")
    if root_path and (path == root_path or path.startswith(root_path + "/")):
        return path[len(root_path) :] or "/"
    return path


def _under(path: str, prefix: str) -> bool:
    """True if `path` is `prefix` or below it, on a path-segment boundary."""
    prefix = prefix.rstrip("/")
    return not prefix or path == prefix or path.startswith(prefix + "/")


class BearerAuthMiddleware:
    """Validate `Authorization: Bearer` on protected paths and store the Principal.

    A valid token puts the Principal in `scope["state"]["principal"]`, which
    Starlette exposes as `request.state.principal`. Paths in `open_paths` match
    exactly and are never checked; other paths are checked when they are under
    one of `protected_prefixes` (relative to the mount point).
    """

    def __init__(
        self,
        app: ASGIApp,
        validator: TokenValidator,
        *,
        protected_prefixes: Iterable[str] = ("/",),
        open_paths: Iterable[str] = DEFAULT_OPEN_PATHS,
        realm: str = "rm-graphql",
    ) -> None:
        self.app = app
        self.validator = validator
        self.protected_prefixes = tuple(protected_prefixes)
        self.open_paths = frozenset(path.rstrip("/") or "/" for path in open_paths)
        self.realm = realm.replace('"', "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Authenticate HTTP and WebSocket requests on protected paths."""
        if scope["type"] not in ("http", "websocket") or not self._is_protected(scope):
            await self.app(scope, receive, send)
            return
        try:
            principal = await self.validator.validate(_bearer_token(scope))
        except InvalidToken as error:
            _log_refusal(scope, error.reason)
            await self._refuse(scope, send, missing=isinstance(error, MissingCredentials))
            return
        except KeySourceUnavailable as error:
            logger.warning("token keys unavailable (request_id=%s): %s", _request_id(scope), error)
            await self._unavailable(scope, send)
            return
        scope.setdefault("state", {})[PRINCIPAL_KEY] = principal
        await self.app(scope, receive, send)

    def _is_protected(self, scope: Scope) -> bool:
        """True if the request path needs a token."""
        path = route_path(scope)
        if (path.rstrip("/") or "/") in self.open_paths:
            return False
        return any(_under(path, prefix) for prefix in self.protected_prefixes)

    async def _refuse(self, scope: Scope, send: Send, *, missing: bool) -> None:
        """Send 401 (or close the WebSocket) without saying why."""
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": WEBSOCKET_POLICY_VIOLATION})
            return
        challenge = f'Bearer realm="{self.realm}"'
        if not missing:
            challenge += ', error="invalid_token"'
        body = {"error": "unauthorized" if missing else "invalid_token"}
        await _send_json(send, 401, body, [(b"www-authenticate", challenge.encode())])

    async def _unavailable(self, scope: Scope, send: Send) -> None:
        """Send 503 when no verification keys could be loaded."""
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": WEBSOCKET_TRY_AGAIN_LATER})
            return
        body = {"error": "temporarily_unavailable"}
        await _send_json(send, 503, body, [(b"retry-after", b"30")])


def _bearer_token(scope: Scope) -> str:
    """Extract the token from exactly one `Authorization: Bearer <token>` header."""
    values: list[bytes] = [
        value for name, value in scope.get("headers", []) if name == b"authorization"
    ]
    if not values:
        raise MissingCredentials()
    if len(values) > 1:
        raise InvalidToken("several Authorization headers")
    scheme, _, token = values[0].decode("latin-1").strip().partition(" ")
    if scheme.lower() != "bearer":
        raise MissingCredentials()
    token = token.strip()
    if not token or " " in token:
        raise InvalidToken("malformed bearer credentials")
    return token


def _request_id(scope: Scope) -> str:
    """Return a log-safe request id from state or the X-Request-ID header."""
    candidate: object = scope.get("state", {}).get("request_id")
    if candidate is None:
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                candidate = value.decode("latin-1")
                break
    if isinstance(candidate, str) and REQUEST_ID_PATTERN.fullmatch(candidate):
        return candidate
    return "-"


def _log_refusal(scope: Scope, reason: str) -> None:
    """Log why a token was refused (never the token itself)."""
    logger.info(
        "bearer token refused (request_id=%s, path=%r): %s",
        _request_id(scope),
        route_path(scope),
        reason,
    )


async def _send_json(
    send: Send, status: int, body: dict[str, str], headers: list[tuple[bytes, bytes]]
) -> None:
    """Send a small JSON response that is never cached."""
    content = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
                (b"cache-control", b"no-store"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})
