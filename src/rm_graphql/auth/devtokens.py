"""A local development signing key and tokens minted with it (never trusted in production)."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, KeyParameters

from rm_graphql.auth.jwks import StaticKeySource
from rm_graphql.auth.principal import KNOWN_SCOPES, TENANT_SLUG
from rm_graphql.auth.tokens import DEV_KEY_ID, TokenValidator, TokenValidatorConfig

DEV_KEY_FILENAME = "dev-jwk.json"
DEV_ALGORITHM = "ES256"
DEV_ISSUER = "rm-graphql-dev"
DEV_AUDIENCE = "rm-graphql"
DEFAULT_LIFETIME_SECONDS = 3600
MAX_LIFETIME_SECONDS = 30 * 24 * 3600


class DevKeyError(RuntimeError):
    """The development key file is unusable or unsafe."""


def load_or_create_dev_key(key_dir: Path) -> ECKey:
    """Return the private development key in `key_dir`, creating it (mode 0600) once."""
    path = key_dir / DEV_KEY_FILENAME
    if not path.exists():
        _create_key_file(path)
    return _load_key_file(path)


def _create_key_file(path: Path) -> None:
    """Write a new P-256 key atomically; a concurrent creator's key wins if it was first."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    parameters: KeyParameters = {"kid": DEV_KEY_ID, "alg": DEV_ALGORITHM, "use": "sig"}
    key = ECKey.generate_key("P-256", parameters=parameters, private=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(key.as_dict(private=True), handle, indent=2)
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)


def _load_key_file(path: Path) -> ECKey:
    """Read the development key, refusing a file others can read."""
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise DevKeyError(f"{path} is readable by other users; run: chmod 600 {path}")
    try:
        key = ECKey.import_key(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as error:
        raise DevKeyError(f"{path} does not hold a valid EC JWK: {error}") from error
    if key.kid != DEV_KEY_ID or not key.is_private:
        raise DevKeyError(f"{path} is not a private development key with kid {DEV_KEY_ID!r}")
    return key


def dev_public_jwks(key_dir: Path) -> dict[str, Any]:
    """Return the public JWKS of the development key (creating the key if needed)."""
    key = load_or_create_dev_key(key_dir)
    return {"keys": [key.as_dict(private=False)]}


def dev_key_source(key_dir: Path) -> StaticKeySource:
    """Return a key source that trusts only the development key."""
    return StaticKeySource.from_jwks(dev_public_jwks(key_dir))


def dev_token_validator(
    key_dir: Path, *, issuer: str = DEV_ISSUER, audience: str = DEV_AUDIENCE
) -> TokenValidator:
    """Return a validator that accepts dev tokens (for `demo` and local runs only)."""
    config = TokenValidatorConfig(issuer=issuer, audience=audience, allow_dev_key=True)
    return TokenValidator(config, dev_key_source(key_dir))


def mint_dev_token(
    key_dir: Path,
    tenant: str,
    subject: str,
    scopes: list[str],
    *,
    issuer: str = DEV_ISSUER,
    audience: str = DEV_AUDIENCE,
    lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS,
    email: str | None = None,
    tenant_claim: str = "tenant",
) -> str:
    """Sign a development token for `tenant`/`subject` with the given scopes."""
    _check_mint_arguments(tenant, subject, scopes, lifetime_seconds)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        tenant_claim: tenant,
        "scope": " ".join(dict.fromkeys(scopes)),
        "iat": now,
        "nbf": now,
        "exp": now + lifetime_seconds,
        "jti": secrets.token_urlsafe(16),
    }
    if email:
        claims["email"] = email
    header = {"alg": DEV_ALGORITHM, "kid": DEV_KEY_ID}
    key = load_or_create_dev_key(key_dir)
    return jwt.encode(header, claims, key, algorithms=[DEV_ALGORITHM])


def _check_mint_arguments(
    tenant: str, subject: str, scopes: list[str], lifetime_seconds: int
) -> None:
    """Refuse arguments that would only produce a token the validator rejects."""
    if not TENANT_SLUG.fullmatch(tenant):
        raise ValueError(f"tenant must be a slug (a-z, 0-9, -), got {tenant!r}")
    if not subject.strip():
        raise ValueError("subject must not be empty")
    unknown = sorted(set(scopes) - KNOWN_SCOPES)
    if unknown or not scopes:
        raise ValueError(f"scopes must be among {sorted(KNOWN_SCOPES)}, got {scopes!r}")
    if not 0 < lifetime_seconds <= MAX_LIFETIME_SECONDS:
        raise ValueError(f"lifetime_seconds must be within 1..{MAX_LIFETIME_SECONDS}")
