"""An OAuth 2.0 authorization server core for the fakes: codes, expiring tokens, rotation."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response


def derived_secret(seed: int, purpose: str) -> str:
    """A deterministic credential for a fake, so demos can print stable values."""
    return hashlib.sha256(f"rm-graphql-fake:{seed}:{purpose}".encode()).hexdigest()[:32]


class TokenAuthority:
    """Issues and checks tokens for one OAuth client; thread-safe (served from uvicorn)."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        access_ttl: int = 3600,
        rotate_refresh_tokens: bool = True,
        return_refresh_token: bool = True,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.access_ttl = access_ttl
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.return_refresh_token = return_refresh_token
        self.stats: Counter[str] = Counter()
        self._codes: dict[str, tuple[str, str | None]] = {}  # code -> redirect URI, challenge
        self._access: dict[str, float] = {}
        self._refresh: set[str] = set()
        self._lock = threading.Lock()

    def issue_refresh_token(self) -> str:
        """Provision a refresh token directly (Workday admins generate one for an API client)."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._refresh.add(token)
        return token

    def authorize_redirect(self, request: Request) -> Response:
        """The authorization endpoint: auto-approve and redirect back with a one-time code."""
        params = request.query_params
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != self.client_id or not redirect_uri:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        challenge = params.get("code_challenge")
        if challenge is not None and params.get("code_challenge_method") != "S256":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = (redirect_uri, challenge)
        query = urlencode({"code": code, "state": params.get("state", "")})
        return RedirectResponse(f"{redirect_uri}?{query}", status_code=302)

    async def token_endpoint(self, request: Request) -> Response:
        """The token endpoint: authorization_code and refresh_token grants."""
        form = dict(parse_qsl((await request.body()).decode()))
        if not self._client_authenticated(request, form):
            self.stats["invalid_client"] += 1
            return _oauth_error("invalid_client", "client authentication failed", 401)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            return self._exchange_code(
                str(form.get("code", "")), form.get("redirect_uri"), form.get("code_verifier")
            )
        if grant == "refresh_token":
            return self._refresh_grant(str(form.get("refresh_token", "")))
        return _oauth_error("unsupported_grant_type", f"grant {grant!r} not supported")

    def _client_authenticated(self, request: Request, form: dict[str, Any]) -> bool:
        """Accept client_secret_post or client_secret_basic."""
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            decoded = base64.b64decode(header[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        else:
            client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        return secrets.compare_digest(f"{client_id}:{client_secret}", self._client_pair())

    def _client_pair(self) -> str:
        return f"{self.client_id}:{self.client_secret}"

    def _exchange_code(self, code: str, redirect_uri: object, verifier: object) -> Response:
        """Codes are single-use, bound to their redirect URI and, with PKCE, to the verifier."""
        with self._lock:
            issued = self._codes.pop(code, None)
        if issued is None or (redirect_uri is not None and redirect_uri != issued[0]):
            self.stats["invalid_grant"] += 1
            return _oauth_error("invalid_grant", "authorization code invalid or already used")
        challenge = issued[1]
        # RFC 9700 2.1.1: a verifier for a code issued without a challenge is refused too
        # (a PKCE downgrade), so a code from someone else's flow never fits ours.
        if (challenge is None and verifier is not None) or (
            challenge is not None
            and not (
                isinstance(verifier, str) and secrets.compare_digest(_s256(verifier), challenge)
            )
        ):
            self.stats["invalid_grant"] += 1
            return _oauth_error("invalid_grant", "code_verifier does not match the challenge")
        self.stats["pkce_checked" if challenge else "code_exchanges_without_pkce"] += 1
        self.stats["code_exchanges"] += 1
        return self._token_response(refresh_token=self.issue_refresh_token())

    def _refresh_grant(self, refresh_token: str) -> Response:
        """Refresh; with rotation the presented refresh token is revoked."""
        with self._lock:
            known = refresh_token in self._refresh
            if known and self.rotate_refresh_tokens:
                self._refresh.discard(refresh_token)
        if not known:
            self.stats["invalid_grant"] += 1
            return _oauth_error("invalid_grant", "refresh token invalid, revoked or reused")
        self.stats["refreshes"] += 1
        rotated = self.issue_refresh_token() if self.rotate_refresh_tokens else refresh_token
        return self._token_response(refresh_token=rotated)

    def _token_response(self, refresh_token: str) -> Response:
        access = secrets.token_urlsafe(24)
        with self._lock:
            self._access[access] = time.monotonic() + self.access_ttl
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.access_ttl,
            "scope": "openid offline_access employee report field",
        }
        if self.return_refresh_token:
            body["refresh_token"] = refresh_token
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    def bearer_valid(self, request: Request) -> bool:
        """True when the request carries a live access token."""
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return False
        with self._lock:
            expires = self._access.get(header[7:])
        return expires is not None and expires > time.monotonic()

    def expire_access_tokens(self) -> None:
        """Expire every access token now (the server's clock is ahead of the client's)."""
        with self._lock:
            self._access = dict.fromkeys(self._access, 0.0)

    def revoke_refresh_tokens(self) -> None:
        """Revoke every refresh token (a user disconnected the app)."""
        with self._lock:
            self._refresh.clear()


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    """An RFC 6749 error body."""
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _s256(verifier: str) -> str:
    """RFC 7636 S256: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
