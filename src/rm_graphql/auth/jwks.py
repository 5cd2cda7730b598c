"""Where verification keys come from: a static key set or a remote JWKS URL."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry, Key, KeyParameters

logger = logging.getLogger(__name__)

VERIFICATION_KEY_TYPES = frozenset({"RSA", "EC", "OKP"})
MAX_JWKS_BYTES = 256 * 1024
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class KeyNotFound(LookupError):
    """No trusted key matches the token's `kid`."""


class KeySourceUnavailable(RuntimeError):
    """No keys could be loaded yet (the identity provider is unreachable)."""


class KeySource(Protocol):
    """Anything that resolves a `kid` to a public verification key."""

    @property
    def key_set_version(self) -> int:
        """A number that changes whenever a key that was trusted stops being trusted."""
        ...

    async def get_key(self, kid: str | None) -> Key:
        """Return the key for `kid`, or raise KeyNotFound / KeySourceUnavailable."""
        ...


def find_key(keys: Sequence[Key], kid: str | None) -> Key:
    """Pick the key with this kid; a lone key without a kid matches any token."""
    for key in keys:
        if kid is not None and key.kid == kid:
            return key
    if len(keys) == 1 and (kid is None or keys[0].kid is None):
        return keys[0]
    raise KeyNotFound(f"no trusted key for kid {kid!r}")


def verification_keys(document: object) -> tuple[Key, ...]:
    """Parse a JWKS document into public signature keys, skipping anything else."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")
    keys = [_verification_key(entry) for entry in document["keys"]]
    return tuple(key for key in keys if key is not None)


def _verification_key(entry: object) -> Key | None:
    """Import one JWK if it is an asymmetric signature key, as its public half."""
    if not isinstance(entry, dict) or entry.get("kty") not in VERIFICATION_KEY_TYPES:
        return None
    if entry.get("use", "sig") != "sig":
        return None
    key_ops = entry.get("key_ops")
    if key_ops is not None and "verify" not in key_ops:
        return None
    try:
        key = JWKRegistry.import_key(entry)
        if key.is_private:
            key = JWKRegistry.import_key(key.as_dict(private=False))
    except (JoseError, ValueError, TypeError) as error:
        logger.info("ignoring unusable JWK kid=%r: %s", entry.get("kid"), error)
        return None
    return key


def _identities(keys: Sequence[Key]) -> frozenset[tuple[str | None, str]]:
    """Each key as (kid, RFC 7638 thumbprint), so a kid reused for a new key counts as new."""
    return frozenset((key.kid, key.thumbprint()) for key in keys)


def _pem_key_type(pem: bytes) -> str:
    """Return the JWK key type of a PEM public key (RSA, EC or OKP)."""
    public_key = serialization.load_pem_public_key(pem)
    if isinstance(public_key, rsa.RSAPublicKey):
        return "RSA"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return "EC"
    if isinstance(public_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        return "OKP"
    raise ValueError("unsupported public key type")


class StaticKeySource:
    """A fixed set of trusted keys (configured PEM, JWKS document or the dev key)."""

    def __init__(self, keys: Sequence[Key]) -> None:
        if not keys:
            raise ValueError("a static key source needs at least one key")
        if any(key.is_private for key in keys):
            raise ValueError("configure public keys only")
        self._keys = tuple(keys)

    @property
    def key_set_version(self) -> int:
        """Always 0: a static key set never withdraws a key."""
        return 0

    @classmethod
    def from_pem(
        cls, pem: str | bytes, *, kid: str | None = None, alg: str | None = None
    ) -> StaticKeySource:
        """Trust one PEM public key; without a kid it matches tokens with any kid."""
        pem_bytes = pem.encode() if isinstance(pem, str) else pem
        parameters: KeyParameters = {"use": "sig"}
        if kid:
            parameters["kid"] = kid
        if alg:
            parameters["alg"] = alg
        key = JWKRegistry.import_key(pem_bytes, _pem_key_type(pem_bytes), parameters)
        return cls([key])

    @classmethod
    def from_jwks(cls, document: Mapping[str, Any]) -> StaticKeySource:
        """Trust the public signature keys of a JWKS document."""
        return cls(verification_keys(dict(document)))

    async def get_key(self, kid: str | None) -> Key:
        """Return the key for `kid`."""
        return find_key(self._keys, kid)


def check_jwks_url(url: str) -> None:
    """Refuse JWKS URLs that are not HTTPS, except on loopback."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return
    raise ValueError("the JWKS URL must use https (plain http only on loopback)")


class RemoteJWKSKeySource:
    """Keys fetched from a JWKS URL, cached for `cache_ttl` and refreshed on unknown kids.

    Any refresh (scheduled or forced by an unknown kid) waits at least
    `min_refresh_interval` seconds after the previous attempt, so a flood of
    tokens with random kids cannot hammer the identity provider.
    """

    def __init__(
        self,
        url: str,
        *,
        cache_ttl: float = 300.0,
        min_refresh_interval: float = 30.0,
        timeout: float = 5.0,
        http_client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_jwks_url(url)
        if cache_ttl <= 0 or min_refresh_interval < 0 or min_refresh_interval > cache_ttl:
            raise ValueError("need 0 <= min_refresh_interval <= cache_ttl and cache_ttl > 0")
        self._url = url
        self._cache_ttl = cache_ttl
        self._min_refresh_interval = min_refresh_interval
        self._timeout = timeout
        self._http_client = http_client
        self._clock = clock
        self._keys: tuple[Key, ...] | None = None
        self._fetched_at = -math.inf
        self._last_attempt = -math.inf
        self._generation = 0
        self._key_set_version = 0
        self._lock = asyncio.Lock()

    @property
    def fetch_attempts(self) -> int:
        """How many JWKS fetches have completed (successfully or not)."""
        return self._generation

    @property
    def key_set_version(self) -> int:
        """Bumped when a fetch drops (or replaces) a key; a newly added key leaves it alone."""
        return self._key_set_version

    async def get_key(self, kid: str | None) -> Key:
        """Return the key for `kid`, refreshing once (rate limited) if it is unknown."""
        if self._clock() - self._fetched_at >= self._cache_ttl:
            await self._refresh()
        try:
            return self._lookup(kid)
        except KeyNotFound:
            if not await self._refresh():
                raise
        return self._lookup(kid)

    def _lookup(self, kid: str | None) -> Key:
        """Find the key in the cache, telling 'no keys at all' from 'unknown kid'."""
        if self._keys is None:
            raise KeySourceUnavailable("no JWKS has been fetched yet")
        return find_key(self._keys, kid)

    async def _refresh(self) -> bool:
        """Fetch the JWKS unless rate limited; return True if the cache may have changed."""
        seen_generation = self._generation
        async with self._lock:
            if self._generation != seen_generation:
                return True  # another task fetched while this one waited
            if self._clock() - self._last_attempt < self._min_refresh_interval:
                return False
            self._last_attempt = self._clock()
            try:
                await self._fetch()
            finally:
                self._generation += 1  # only now may waiters trust the cache again
            return True

    async def _fetch(self) -> None:
        """Download and parse the JWKS; on failure keep the previous keys."""
        try:
            keys = verification_keys(await self._download())
        except (httpx.HTTPError, ValueError) as error:
            logger.warning("JWKS fetch from %s failed: %s", self._url, error)
            return
        if not keys:
            logger.warning("JWKS at %s holds no usable signature keys", self._url)
        if self._keys is not None and not _identities(self._keys) <= _identities(keys):
            self._key_set_version += 1
        self._keys = keys
        self._fetched_at = self._clock()

    async def _download(self) -> object:
        """GET the JWKS document, refusing bodies over MAX_JWKS_BYTES."""
        if self._http_client is not None:
            return await self._get_json(self._http_client)
        async with httpx.AsyncClient(timeout=self._timeout) as client:
            return await self._get_json(client)

    async def _get_json(self, client: httpx.AsyncClient) -> object:
        """Stream the response body with a size cap and decode it as JSON."""
        headers = {"accept": "application/jwk-set+json, application/json"}
        async with client.stream("GET", self._url, headers=headers) as response:
            response.raise_for_status()
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_JWKS_BYTES:
                    raise ValueError("JWKS document too large")
        return json.loads(body)
