"""Wiring the auth package to Settings: which keys to trust, which paths need a token."""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Receive, Scope, Send

from rm_graphql.auth.cache import VerifiedTokenCache
from rm_graphql.auth.devtokens import DEV_AUDIENCE, DEV_ISSUER, dev_key_source
from rm_graphql.auth.jwks import KeySource, RemoteJWKSKeySource, StaticKeySource
from rm_graphql.auth.middleware import BearerAuthMiddleware
from rm_graphql.auth.principal import ClaimNames
from rm_graphql.auth.tokens import TokenValidator, TokenValidatorConfig
from rm_graphql.config import Settings
from rm_graphql.crypto import SecretBox

PROTECTED_PREFIXES = ("/graphql", "/dashboard", "/api")


def secret_box(settings: Settings) -> SecretBox:
    """Encryption for secrets at rest: RM_ENCRYPTION_KEYS, or (development) one from the secret."""
    keys = [key.get_secret_value() for key in settings.encryption_keys]
    return SecretBox(keys or [settings.secret_key.get_secret_value()])


def key_source(settings: Settings) -> KeySource:
    """JWKS URL, else a configured public key, else (development only) the local dev key."""
    if settings.auth_jwks_url:
        return RemoteJWKSKeySource(settings.auth_jwks_url)
    if settings.auth_public_key:
        return StaticKeySource.from_pem(settings.auth_public_key.get_secret_value().encode())
    return dev_key_source(settings.var_dir)


def token_validator(settings: Settings) -> TokenValidator:
    uses_dev_key = not (settings.auth_jwks_url or settings.auth_public_key)
    config = TokenValidatorConfig(
        issuer=settings.auth_issuer or DEV_ISSUER,
        audience=settings.auth_audience if not uses_dev_key else DEV_AUDIENCE,
        algorithms=tuple(settings.auth_algorithms) if not uses_dev_key else ("ES256",),
        leeway_seconds=settings.auth_leeway_seconds,
        claim_names=ClaimNames(
            tenant=tuple(settings.auth_tenant_claim),
            subject=settings.auth_subject_claim,
            email=settings.auth_email_claim,
            scope_string=settings.auth_scope_claim,
        ),
        allow_dev_key=not settings.is_production,
    )
    cache_seconds = settings.auth_token_cache_seconds
    cache = VerifiedTokenCache(max_age_seconds=cache_seconds) if cache_seconds else None
    return TokenValidator(config, key_source(settings), cache=cache)


class DevelopmentIdePassthrough:
    """In development, let a browser load the GraphiQL page itself without a token.

    Only a plain GET of the page (no query string, asking for HTML) skips authentication;
    every operation still needs a bearer token.
    """

    def __init__(self, app: ASGIApp, authenticated: ASGIApp) -> None:
        self.app = app
        self.authenticated = authenticated

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _is_ide_page(scope):
            await self.app(scope, receive, send)
        else:
            await self.authenticated(scope, receive, send)


def _is_ide_page(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "GET" or scope.get("query_string"):
        return False
    accept = dict(scope.get("headers", [])).get(b"accept", b"")
    return str(scope.get("path", "")).endswith("/graphql") and b"text/html" in accept


def protect(app: ASGIApp, settings: Settings) -> ASGIApp:
    """Put bearer authentication in front of the API."""
    authenticated = BearerAuthMiddleware(
        app, token_validator(settings), protected_prefixes=PROTECTED_PREFIXES
    )
    if settings.is_production:
        return authenticated
    return DevelopmentIdePassthrough(app, authenticated)


def erasure_key(settings: Settings) -> bytes:
    """The key of the keyed hash that tombstones of erased people are stored under."""
    secret = settings.secret_key.get_secret_value().encode()
    return hashlib.sha256(b"rm-graphql erasure tombstones\x00" + secret).digest()
