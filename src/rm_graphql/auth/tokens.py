"""Bearer token (JWT) validation: signature, algorithm, time and audience checks."""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import Key
from joserfc.jwt import JWTClaimsRegistry

from rm_graphql.auth.cache import VerifiedTokenCache
from rm_graphql.auth.jwks import KeyNotFound, KeySource
from rm_graphql.auth.principal import ClaimError, ClaimNames, Principal, principal_from_claims

DEV_KEY_ID = "rm-dev"
DEFAULT_ALGORITHMS: tuple[str, ...] = ("RS256", "ES256", "PS256", "EdDSA")
SUPPORTED_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
    | {"ES256", "ES384", "ES512", "ES256K", "EdDSA", "Ed25519"}
)
MAX_TOKEN_LENGTH = 8192
MAX_LEEWAY_SECONDS = 600


class InvalidToken(Exception):
    """The bearer token is not acceptable; `reason` is for logs only, never for the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TokenValidatorConfig:
    """What a valid token must look like for this deployment."""

    issuer: str
    audience: str | tuple[str, ...]
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    leeway_seconds: int = 60
    claim_names: ClaimNames = field(default_factory=ClaimNames)
    allow_dev_key: bool = False
    max_lifetime_seconds: int | None = None

    def __post_init__(self) -> None:
        if not self.issuer:
            raise ValueError("issuer is required")
        if not self.audiences:
            raise ValueError("audience is required")
        if not self.algorithms or not set(self.algorithms) <= SUPPORTED_ALGORITHMS:
            unsupported = sorted(set(self.algorithms) - SUPPORTED_ALGORITHMS)
            raise ValueError(f"only asymmetric algorithms are allowed, not {unsupported}")
        if not 0 <= self.leeway_seconds <= MAX_LEEWAY_SECONDS:
            raise ValueError(f"leeway_seconds must be within 0..{MAX_LEEWAY_SECONDS}")
        if not self.claim_names.tenant:
            raise ValueError("at least one tenant claim name is required")

    @property
    def audiences(self) -> tuple[str, ...]:
        """Accepted audiences; a token must name at least one of them."""
        if isinstance(self.audience, str):
            return (self.audience,) if self.audience else ()
        return tuple(item for item in self.audience if item)


class TokenValidator:
    """Turns a bearer token into a Principal, or raises InvalidToken.

    With a `cache`, a token that passed every check is remembered (by its hash) until its
    `exp` or the cache's maximum age, so repeating it skips the signature check.
    """

    def __init__(
        self,
        config: TokenValidatorConfig,
        key_source: KeySource,
        *,
        clock: Callable[[], float] = time.time,
        cache: VerifiedTokenCache | None = None,
    ) -> None:
        self.config = config
        self._key_source = key_source
        self._clock = clock
        self._cache = cache

    async def validate(self, token: str) -> Principal:
        """Return the principal of a valid token, from the cache when it is still valid there."""
        _check_size(token)
        if self._cache is None:
            return (await self._verify(token))[0]
        key_set_version = self._key_source.key_set_version
        cached = self._cache.get(token, now=self._clock(), key_set_version=key_set_version)
        if cached is not None:
            return cached
        principal, claims = await self._verify(token)
        now = self._clock()
        if _not_yet_valid(claims, now):
            return principal  # accepted thanks to the leeway: verify again until nbf passes
        self._cache.put(
            token,
            principal,
            now=now,
            expires_at=float(claims["exp"]),
            key_set_version=key_set_version,
        )
        return principal

    async def _verify(self, token: str) -> tuple[Principal, dict[str, Any]]:
        """Verify signature, algorithm, issuer, audience and times; return principal and claims."""
        header = _unverified_header(token)
        algorithm = header.get("alg")
        if algorithm not in self.config.algorithms:
            raise InvalidToken(f"algorithm {algorithm!r} is not allowed")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise InvalidToken("kid is not a string")
        key = await self._trusted_key(kid)
        if key.alg is not None and key.alg != algorithm:
            raise InvalidToken(f"key {key.kid!r} is for {key.alg}, token uses {algorithm}")
        try:
            claims = jwt.decode(token, key, algorithms=[algorithm]).claims
        except (JoseError, ValueError) as error:
            raise InvalidToken(f"signature or payload rejected: {error}") from error
        self._check_claims(claims)
        try:
            return principal_from_claims(claims, self.config.claim_names), claims
        except ClaimError as error:
            raise InvalidToken(str(error)) from error

    async def _trusted_key(self, kid: str | None) -> Key:
        """Resolve the verification key, refusing the development key unless allowed."""
        if kid == DEV_KEY_ID and not self.config.allow_dev_key:
            raise InvalidToken("development key is not trusted here")
        try:
            key = await self._key_source.get_key(kid)
        except KeyNotFound as error:
            raise InvalidToken(str(error)) from error
        if key.kid == DEV_KEY_ID and not self.config.allow_dev_key:
            raise InvalidToken("development key is not trusted here")
        return key

    def _check_claims(self, claims: dict[str, Any]) -> None:
        """Check iss, aud, exp, nbf and iat with the configured leeway."""
        registry = JWTClaimsRegistry(
            now=int(self._clock()),
            leeway=self.config.leeway_seconds,
            iss={"essential": True, "value": self.config.issuer},
            aud={"essential": True, "values": list(self.config.audiences)},
            exp={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError as error:
            raise InvalidToken(f"claims rejected: {error}") from error
        self._check_lifetime(claims)

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        """Refuse tokens that live longer than max_lifetime_seconds (needs iat)."""
        limit = self.config.max_lifetime_seconds
        if limit is None:
            return
        issued_at = claims.get("iat")
        if not isinstance(issued_at, int | float):
            raise InvalidToken("iat is required to bound the token lifetime")
        if claims["exp"] - issued_at > limit:
            raise InvalidToken("token lifetime exceeds the configured maximum")


def _not_yet_valid(claims: dict[str, Any], now: float) -> bool:
    """True if `nbf` is still ahead (the token passed only thanks to the leeway)."""
    not_before = claims.get("nbf")
    return isinstance(not_before, int | float) and not_before > now


def _check_size(token: str) -> None:
    """Refuse non-strings and oversized tokens before doing any work on them."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("token is not a string or is too long")


def _unverified_header(token: str) -> dict[str, Any]:
    """Decode the JOSE header of a compact JWS without trusting it."""
    segments = token.split(".")
    if len(segments) != 3:
        raise InvalidToken("token is not a compact JWS")
    try:
        raw = base64.urlsafe_b64decode(segments[0] + "=" * (-len(segments[0]) % 4))
        header = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise InvalidToken("token header is not base64url JSON") from error
    if not isinstance(header, dict):
        raise InvalidToken("token header is not a JSON object")
    return header
