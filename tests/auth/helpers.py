"""Real loopback servers (protected app, JWKS endpoint) and token helpers for auth tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from joserfc import jwt
from joserfc.jwk import Key, RSAKey
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp
from starlette.websockets import WebSocket

from rm_graphql.auth import BearerAuthMiddleware, TokenValidator, principal_from_scope

ISSUER = "https://idp.example.test/"
AUDIENCE = "rm-graphql"
MOUNT = "/rm"


class ManualClock:
    """A clock the test moves forward by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Run `app` with uvicorn on a free loopback port in a thread; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@dataclass
class JWKSServerState:
    """What the fake identity provider publishes, and how often it was asked."""

    document: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    status_code: int = 200
    fetches: int = 0

    def publish(self, *keys: Key) -> None:
        """Publish the public halves of `keys`."""
        self.document = {"keys": [key.as_dict(private=False) for key in keys]}


def jwks_app(state: JWKSServerState) -> Starlette:
    """A tiny identity provider that serves a JWKS document."""

    async def jwks(request: Request) -> Response:
        state.fetches += 1
        return JSONResponse(state.document, status_code=state.status_code)

    return Starlette(routes=[Route("/.well-known/jwks.json", jwks)])


@contextmanager
def jwks_server(*keys: Key) -> Iterator[tuple[str, JWKSServerState]]:
    """Serve a JWKS with `keys`; yield its URL and its mutable state."""
    state = JWKSServerState()
    state.publish(*keys)
    with serve(jwks_app(state)) as base_url:
        yield f"{base_url}/.well-known/jwks.json", state


def protected_app(validator: TokenValidator, **middleware_options: Any) -> Starlette:
    """An app mounted under /rm whose /graphql echoes the principal and /healthz is open."""

    async def whoami(request: Request) -> Response:
        principal = request.state.principal
        return JSONResponse(
            {
                "tenant": principal.tenant,
                "subject": principal.subject,
                "email": principal.email,
                "scopes": sorted(principal.scopes),
                "is_admin": principal.is_admin,
            }
        )

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def socket_endpoint(websocket: WebSocket) -> None:
        principal = principal_from_scope(websocket.scope)
        await websocket.accept()
        await websocket.send_text(principal.tenant if principal else "anonymous")
        await websocket.close()

    inner = Starlette(
        routes=[
            Route("/graphql", whoami, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/metrics", healthz),
            WebSocketRoute("/graphql/ws", socket_endpoint),
        ],
        middleware=[Middleware(BearerAuthMiddleware, validator=validator, **middleware_options)],
    )
    return Starlette(routes=[Mount(MOUNT, app=inner)])


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid claims for tenant acme; an override of None removes the claim."""
    now = int(time.time())
    values: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "alice",
        "tenant": "acme",
        "email": "alice@acme.test",
        "scope": "rm:admin rm:kpi",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def sign(key: Key, payload: dict[str, Any], alg: str = "RS256", kid: str | None = None) -> str:
    """Sign `payload` with `key`, putting `kid` (default: the key's) in the header."""
    header = {"alg": alg, "kid": kid or key.kid}
    return jwt.encode(header, payload, key, algorithms=[alg])


def b64url(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(payload: dict[str, Any], kid: str) -> str:
    """A token with `alg: none` and an empty signature."""
    header = b64url(json.dumps({"alg": "none", "kid": kid}).encode())
    return f"{header}.{b64url(json.dumps(payload).encode())}."


def hmac_with_public_pem(key: RSAKey, payload: dict[str, Any]) -> str:
    """An HS256 token whose HMAC secret is the RSA public key PEM (key confusion attack)."""
    header = b64url(json.dumps({"alg": "HS256", "kid": key.kid, "typ": "JWT"}).encode())
    body = b64url(json.dumps(payload).encode())
    secret = key.as_pem(private=False)
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64url(signature)}"


def bearer(token: str) -> dict[str, str]:
    """An Authorization header for `token`."""
    return {"Authorization": f"Bearer {token}"}


def new_rsa_key(kid: str) -> RSAKey:
    """A fresh 2048-bit RSA signing key with `kid`."""
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig"})
