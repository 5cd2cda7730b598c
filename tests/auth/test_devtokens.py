"""Development key and tokens: file safety, minting, and refusal outside development."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from rm_graphql.auth import (
    DEV_KEY_ID,
    RemoteJWKSKeySource,
    StaticKeySource,
    TokenValidator,
    TokenValidatorConfig,
)
from rm_graphql.auth.devtokens import (
    DEV_AUDIENCE,
    DEV_ISSUER,
    DEV_KEY_FILENAME,
    DevKeyError,
    dev_key_source,
    dev_public_jwks,
    dev_token_validator,
    load_or_create_dev_key,
    mint_dev_token,
)
from rm_graphql.auth.tokens import InvalidToken

from .helpers import MOUNT, bearer, jwks_server, protected_app, serve

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@posix_only
def test_dev_key_is_created_once_with_private_permissions(tmp_path: Path) -> None:
    key_dir = tmp_path / "var"
    first = load_or_create_dev_key(key_dir)
    path = key_dir / DEV_KEY_FILENAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.kid == DEV_KEY_ID
    assert load_or_create_dev_key(key_dir).as_dict(private=True) == first.as_dict(private=True)
    assert [p.name for p in key_dir.iterdir()] == [DEV_KEY_FILENAME]


@posix_only
def test_dev_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    load_or_create_dev_key(tmp_path)
    (tmp_path / DEV_KEY_FILENAME).chmod(0o644)
    with pytest.raises(DevKeyError, match="chmod 600"):
        load_or_create_dev_key(tmp_path)


def test_public_jwks_holds_no_private_part(tmp_path: Path) -> None:
    (key,) = dev_public_jwks(tmp_path)["keys"]
    assert key["kid"] == DEV_KEY_ID
    assert "d" not in key


async def test_minted_token_validates_in_development(tmp_path: Path) -> None:
    token = mint_dev_token(
        tmp_path, "acme", "alice@example.com", ["rm:admin"], email="alice@example.com"
    )
    principal = await dev_token_validator(tmp_path).validate(token)
    assert (principal.tenant, principal.subject, principal.is_admin) == (
        "acme",
        "alice@example.com",
        True,
    )


async def test_mint_honours_issuer_audience_and_lifetime(tmp_path: Path) -> None:
    token = mint_dev_token(
        tmp_path, "acme", "bob", ["rm:kpi"], issuer="iss-x", audience="aud-x", lifetime_seconds=5
    )
    payload = jwt.decode(token, load_or_create_dev_key(tmp_path)).claims
    assert payload["exp"] - payload["iat"] == 5
    validator = dev_token_validator(tmp_path, issuer="iss-x", audience="aud-x")
    assert (await validator.validate(token)).scopes == {"rm:kpi"}
    with pytest.raises(InvalidToken):
        await dev_token_validator(tmp_path).validate(token)


@pytest.mark.parametrize(
    ("tenant", "subject", "scopes"),
    [("Acme Corp", "a", ["rm:admin"]), ("acme", " ", ["rm:admin"]), ("acme", "a", ["admin"])],
)
def test_mint_refuses_tokens_that_could_never_validate(
    tmp_path: Path, tenant: str, subject: str, scopes: list[str]
) -> None:
    with pytest.raises(ValueError, match=r"tenant|subject|scopes"):
        mint_dev_token(tmp_path, tenant, subject, scopes)


def production_config(*, allow_dev_key: bool) -> TokenValidatorConfig:
    """A validator config with the dev issuer/audience and the given dev-key policy."""
    return TokenValidatorConfig(
        issuer=DEV_ISSUER, audience=DEV_AUDIENCE, allow_dev_key=allow_dev_key
    )


@pytest.mark.parametrize(("allow_dev_key", "expected"), [(True, 200), (False, 401)])
def test_dev_key_is_refused_unless_allowed(
    tmp_path: Path, allow_dev_key: bool, expected: int
) -> None:
    token = mint_dev_token(tmp_path, "acme", "alice", ["rm:participant"])
    validator = TokenValidator(
        production_config(allow_dev_key=allow_dev_key), dev_key_source(tmp_path)
    )
    with serve(protected_app(validator)) as url:
        response = httpx.get(f"{url}{MOUNT}/graphql", headers=bearer(token))
    assert response.status_code == expected


def test_dev_key_published_in_a_jwks_is_still_refused(tmp_path: Path) -> None:
    token = mint_dev_token(tmp_path, "acme", "alice", ["rm:admin"])
    dev_key = ECKey.import_key(dev_public_jwks(tmp_path)["keys"][0])
    with jwks_server(dev_key) as (jwks_url, _state):
        source = RemoteJWKSKeySource(jwks_url)
        validator = TokenValidator(production_config(allow_dev_key=False), source)
        with serve(protected_app(validator)) as url:
            response = httpx.get(f"{url}{MOUNT}/graphql", headers=bearer(token))
    assert response.status_code == 401


async def test_dev_public_key_configured_as_pem_is_still_refused(tmp_path: Path) -> None:
    token = mint_dev_token(tmp_path, "acme", "alice", ["rm:admin"])
    pem = load_or_create_dev_key(tmp_path).as_pem(private=False)
    validator = TokenValidator(
        production_config(allow_dev_key=False), StaticKeySource.from_pem(pem)
    )
    with pytest.raises(InvalidToken, match="development key"):
        await validator.validate(token)
    allowed = TokenValidator(production_config(allow_dev_key=True), StaticKeySource.from_pem(pem))
    assert (await allowed.validate(token)).tenant == "acme"


async def test_dev_key_is_refused_for_tokens_without_a_kid(tmp_path: Path) -> None:
    dev_key = load_or_create_dev_key(tmp_path)
    payload = jwt.decode(mint_dev_token(tmp_path, "acme", "alice", ["rm:admin"]), dev_key).claims
    token = jwt.encode({"alg": "ES256"}, payload, dev_key, algorithms=["ES256"])
    validator = TokenValidator(production_config(allow_dev_key=False), dev_key_source(tmp_path))
    with pytest.raises(InvalidToken, match="development key"):
        await validator.validate(token)
