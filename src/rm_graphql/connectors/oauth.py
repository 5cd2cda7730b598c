"""API sessions: static credentials, or OAuth 2.0 through Authlib with one refresh on 401."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.integrations.base_client import OAuthError

with warnings.catch_warnings():
    # Authlib 1.9 nudges towards the httpx2 fork; we deliberately stay on httpx.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client

from rm_graphql.connectors.base import AuthenticationError, ReconnectRequired, TokenStore
from rm_graphql.connectors.http import HttpOptions, RetryingTransport, check_response

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OAuthClientConfig:
    """An OAuth 2.0 client registration at a vendor."""

    client_id: str
    client_secret: str
    token_url: str
    authorize_url: str | None = None
    redirect_uri: str | None = None
    scope: str | None = None
    auth_method: Literal["client_secret_post", "client_secret_basic"] = "client_secret_post"
    # PKCE (RFC 7636, S256) on the authorization code flow; a server without it ignores it.
    pkce: bool = False


class ApiSession(Protocol):
    """Sends authenticated API requests."""

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request (retries for throttling already applied)."""
        ...

    def stream(
        self, method: str, url: str, **kwargs: Any
    ) -> AbstractAsyncContextManager[httpx.Response]:
        """Send one request and hand over the response before its body is read."""
        ...

    async def aclose(self) -> None:
        """Close connections."""


class StaticSession:
    """A session with fixed credentials (an API key or a long-lived bearer token)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request."""
        return await self.client.request(method, url, **kwargs)

    @asynccontextmanager
    async def stream(self, method: str, url: str, **kwargs: Any) -> AsyncIterator[httpx.Response]:
        """Send one request; the body is read by the caller, as it arrives."""
        async with self.client.stream(method, url, **kwargs) as response:
            yield response

    async def aclose(self) -> None:
        """Close connections."""
        await self.client.aclose()


class OAuthSession:
    """OAuth 2.0 session: tokens from a TokenStore, rotation persisted, 401 -> one refresh."""

    def __init__(
        self,
        config: OAuthClientConfig,
        token_store: TokenStore,
        options: HttpOptions,
        *,
        base_url: str = "",
        initial_refresh_token: str | None = None,
    ) -> None:
        self.config = config
        self.token_store = token_store
        self.refreshes = 0
        self._initial_refresh_token = initial_refresh_token
        self._loaded = False
        self._refresh_lock = asyncio.Lock()
        self.client = AsyncOAuth2Client(
            client_id=config.client_id,
            client_secret=config.client_secret,
            token_endpoint=config.token_url,
            token_endpoint_auth_method=config.auth_method,
            redirect_uri=config.redirect_uri,
            scope=config.scope,
            code_challenge_method="S256" if config.pkce else None,
            update_token=self._on_new_token,
            base_url=base_url,
            transport=RetryingTransport(options.retry),
            timeout=options.timeout,
            headers={"Accept": "application/json", "User-Agent": options.user_agent},
        )

    def authorization_url(self, state: str, code_verifier: str | None = None) -> str:
        """The vendor URL an admin opens to grant access (authorization code flow).

        With PKCE, pass the same secret `code_verifier` to `exchange_code` later.
        """
        if self.config.authorize_url is None:
            raise AuthenticationError("this OAuth client has no authorization endpoint")
        url, _ = self.client.create_authorization_url(
            self.config.authorize_url, state=state, code_verifier=code_verifier
        )
        return str(url)

    async def exchange_code(self, code: str, code_verifier: str | None = None) -> dict[str, Any]:
        """Trade an authorization code for tokens and persist them."""
        extra = {"code_verifier": code_verifier} if code_verifier else {}
        try:
            token = await self.client.fetch_token(
                self.config.token_url, grant_type="authorization_code", code=code, **extra
            )
        except OAuthError as error:
            raise _oauth_error(error) from error
        await self.token_store.save(dict(token))
        self._loaded = True
        return dict(token)

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send a request; on 401 refresh the token exactly once and retry once."""
        await self._ensure_token()
        used_token = self._access_token()
        response = await self._send(method, url, **kwargs)
        if response.status_code != 401:
            return response
        logger.info("access token rejected with 401; refreshing once")
        await self._refresh_after_rejection(used_token)
        response = await self._send(method, url, **kwargs)
        if response.status_code == 401:
            check_response(response)
        return response

    @asynccontextmanager
    async def stream(self, method: str, url: str, **kwargs: Any) -> AsyncIterator[httpx.Response]:
        """Like `request` (one refresh and one retry on 401), the body left unread."""
        await self._ensure_token()
        used_token = self._access_token()
        async with self._open(method, url, **kwargs) as response:
            if response.status_code != 401:
                yield response
                return
        logger.info("access token rejected with 401; refreshing once")
        await self._refresh_after_rejection(used_token)
        async with self._open(method, url, **kwargs) as response:
            if response.status_code == 401:
                await response.aread()
                check_response(response)
            yield response

    @asynccontextmanager
    async def _open(self, method: str, url: str, **kwargs: Any) -> AsyncIterator[httpx.Response]:
        """Authlib's streaming request (it refreshes proactively when the token has expired)."""
        try:
            async with self.client.stream(method, url, **kwargs) as response:
                yield response
        except OAuthError as error:
            raise _oauth_error(error) from error

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send through Authlib, which refreshes proactively when the token has expired."""
        try:
            response: httpx.Response = await self.client.request(method, url, **kwargs)
        except OAuthError as error:
            raise _oauth_error(error) from error
        return response

    async def _refresh_after_rejection(self, used_token: str | None) -> None:
        """Refresh unless a concurrent request already did (rotation forbids reuse)."""
        async with self._refresh_lock:
            if self._access_token() != used_token:
                return
            refresh_token = (self.client.token or {}).get("refresh_token")
            if not refresh_token:
                raise ReconnectRequired(
                    "the access token was rejected and there is no refresh token"
                )
            try:
                await self.client.refresh_token(self.config.token_url, refresh_token=refresh_token)
            except OAuthError as error:
                raise _oauth_error(error) from error

    async def _ensure_token(self) -> None:
        """Load the token from the store once (or seed it from a configured refresh token)."""
        if self._loaded:
            return
        token = await self.token_store.load()
        if token is None and self._initial_refresh_token:
            # expires_at=0 makes Authlib refresh before the first request.
            token = {"refresh_token": self._initial_refresh_token, "expires_at": 0}
        if token is None:
            raise ReconnectRequired("no OAuth token stored: complete the authorization flow")
        self.client.token = token
        self._loaded = True

    def _access_token(self) -> str | None:
        """The current access token, if any."""
        token: Mapping[str, Any] = self.client.token or {}
        value = token.get("access_token")
        return str(value) if value else None

    async def _on_new_token(self, token: Mapping[str, Any], **_: Any) -> None:
        """Authlib callback after every refresh: persist the (possibly rotated) token."""
        self.refreshes += 1
        await self.token_store.save(dict(token))

    async def aclose(self) -> None:
        """Close connections."""
        await self.client.aclose()


def _oauth_error(error: OAuthError) -> AuthenticationError:
    """Translate Authlib's error: invalid_grant means the admin must reconnect."""
    code = getattr(error, "error", "oauth_error")
    description = getattr(error, "description", "") or ""
    if code in ("invalid_grant", "token_invalid", "missing_token"):
        return ReconnectRequired(f"OAuth grant no longer valid ({code}): {description}".strip())
    return AuthenticationError(f"OAuth error {code}: {description}".strip())
