"""Connecting an HRIS over OAuth 2.0 authorization code: start, then complete with the code.

An admin starts: we return the vendor's authorization URL with a fresh `state`, and keep only
that state's SHA-256, its redirect URI and its expiry, sealed in the connection's credentials.
The vendor sends the admin's browser to the redirect URI (a page of the host platform) with a
`code` and the `state`; the host passes both back. Completing checks the state (same tenant,
same connection, not expired, not used), trades the code for tokens at the vendor's token
endpoint, and seals the tokens into the connection, where every later run refreshes them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.audit.service import record
from rm_graphql.auth.principal import Scope
from rm_graphql.connectors import (
    ConfigurationError,
    Connector,
    ConnectorError,
    InMemoryTokenStore,
)
from rm_graphql.connectors.oauth import OAuthSession
from rm_graphql.crypto import DecryptionError, SecretBox
from rm_graphql.errors import NotFound, ValidationFailed
from rm_graphql.models import HrisConnection
from rm_graphql.sync import repository
from rm_graphql.sync.connections import credentials_of
from rm_graphql.sync.sources import TOKEN_KEY, SourceConfig, build_connector
from rm_graphql.tenancy.service import Actor, system_actor

PENDING_KEY = "oauth_pending"  # inside the sealed credentials
STATE_SECONDS = 900


@dataclass(frozen=True)
class Authorization:
    """Where to send the admin, and until when the state is good."""

    url: str
    expires_at: float  # epoch seconds


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _redirect_problem(uri: str) -> str | None:
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
        return "must be an absolute http(s) URL without a fragment"
    return None


async def start(
    session: AsyncSession, actor: Actor, box: SecretBox, connection_id: int, redirect_uri: str
) -> Authorization:
    """A vendor authorization URL with a fresh single-use state (admins)."""
    actor.require(Scope.ADMIN)
    problem = _redirect_problem(redirect_uri)
    if problem:
        raise ValidationFailed.single("redirectUri", problem)
    connection = await repository.connection(
        session, actor.tenant_id, connection_id, for_update=True
    )
    if connection is None:
        raise NotFound("no such HRIS connection")
    credentials = _credentials(connection, box)
    connector, oauth = _oauth_connector(connection, credentials, redirect_uri)
    state = f"{connection.id}.{secrets.token_urlsafe(32)}"
    verifier = secrets.token_urlsafe(48)  # PKCE: the code is only good with this secret
    try:
        url = oauth.authorization_url(state, verifier)
    except ConnectorError as error:
        raise ValidationFailed.single("connectionId", str(error)) from error
    finally:
        await connector.aclose()
    expires_at = time.time() + STATE_SECONDS
    credentials[PENDING_KEY] = {
        "state_sha256": _digest(state),
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
        "expires_at": expires_at,
    }
    connection.credentials_encrypted = box.encrypt(credentials)
    record(session, actor, "hris_connection.authorization_started", "HrisConnection",
           connection.id)  # fmt: skip
    return Authorization(url, expires_at)


async def complete(
    session: AsyncSession, actor: Actor, box: SecretBox, state: str, code: str
) -> HrisConnection:
    """Trade the vendor's code for tokens, sealed into the connection the state names."""
    actor.require(Scope.ADMIN)
    connection = await _pending_connection(session, state, actor.tenant_id)
    return await _finish(session, actor, box, connection, state, code)


async def complete_at_callback(
    session: AsyncSession, box: SecretBox, state: str, code: str
) -> HrisConnection:
    """The vendor's redirect straight to us (standalone deployments): the state authorizes.

    A state is issued only to an admin, unguessable, kept only as a hash, bound to one
    connection and expiring, as an OAuth client's callback relies on it.
    """
    connection = await _pending_connection(session, state, None)
    actor = system_actor(connection.tenant_id, "oauth-callback")
    return await _finish(session, actor, box, connection, state, code)


async def _finish(
    session: AsyncSession,
    actor: Actor,
    box: SecretBox,
    connection: HrisConnection,
    state: str,
    code: str,
) -> HrisConnection:
    credentials = _credentials(connection, box)
    pending = credentials.get(PENDING_KEY)
    if not (
        isinstance(pending, dict)
        and hmac.compare_digest(str(pending.get("state_sha256", "")), _digest(state))
        and float(pending.get("expires_at", 0)) > time.time()
    ):
        raise _bad_state()
    if not code:
        raise ValidationFailed.single("code", "is required")
    redirect_uri = str(pending.get("redirect_uri", ""))
    connector, oauth = _oauth_connector(connection, credentials, redirect_uri)
    try:
        token = await oauth.exchange_code(code, pending.get("code_verifier"))
    except (ConnectorError, httpx.HTTPError, TypeError, ValueError) as error:
        # TypeError/ValueError: Authlib on a 200 whose body is not a token object
        raise ValidationFailed.single("code", f"the HRIS refused the code: {error}") from error
    finally:
        await connector.aclose()
    del credentials[PENDING_KEY]
    credentials[TOKEN_KEY] = dict(token)
    connection.credentials_encrypted = box.encrypt(credentials)
    record(session, actor, "hris_connection.authorized", "HrisConnection", connection.id)
    return connection


async def _pending_connection(
    session: AsyncSession, state: str, tenant_id: int | None
) -> HrisConnection:
    """The connection a state names (in the caller's tenant); anything else is a bad state."""
    head, _, _ = state.partition(".")
    if not head.isascii() or not head.isdigit() or len(head) > 18:
        raise _bad_state()
    connection = (
        await repository.connection_by_id(session, int(head), for_update=True)
        if tenant_id is None
        else await repository.connection(session, tenant_id, int(head), for_update=True)
    )
    if connection is None:
        raise _bad_state()
    return connection


def _credentials(connection: HrisConnection, box: SecretBox) -> dict[str, Any]:
    try:
        return credentials_of(connection, box)
    except DecryptionError as error:
        message = "stored credentials cannot be decrypted (RM_ENCRYPTION_KEYS): store them again"
        raise ValidationFailed.single("connectionId", message) from error


def _bad_state() -> ValidationFailed:
    return ValidationFailed.single(
        "state", "unknown, used or expired: start the authorization again"
    )


def _oauth_connector(
    connection: HrisConnection,
    credentials: dict[str, Any],
    redirect_uri: str,
) -> tuple[Connector, OAuthSession]:
    """The connection's connector with its OAuth session, for this redirect URI.

    Its tokens land in memory: complete() seals them into the row in its own transaction.
    """
    if "client_id" not in credentials:
        raise ValidationFailed.single(
            "connectionId", "this connection has no OAuth client (client_id, client_secret)"
        )
    options = {**connection.options, "redirect_uri": redirect_uri}
    config = SourceConfig(connection.kind, connection.base_url, options, credentials)
    try:
        connector = build_connector(config, InMemoryTokenStore())
    except ConfigurationError as error:
        raise ValidationFailed.single("connectionId", str(error)) from error
    oauth = getattr(connector, "oauth", None)
    if not isinstance(oauth, OAuthSession):
        raise ValidationFailed.single("connectionId", "this source has no authorization code flow")
    return connector, oauth
