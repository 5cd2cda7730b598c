"""Clock-skew leeway, configurable claim names and scope forms, over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from joserfc.jwk import RSAKey

from rm_graphql.auth import (
    ClaimNames,
    InvalidToken,
    StaticKeySource,
    TokenValidator,
    TokenValidatorConfig,
)

from .helpers import AUDIENCE, ISSUER, MOUNT, bearer, claims, protected_app, serve, sign

LEEWAY = 60


@pytest.fixture(scope="module")
def skew_url(rsa_key: RSAKey) -> Iterator[str]:
    """An app with a 60 s leeway trusting the RSA key as a configured PEM."""
    source = StaticKeySource.from_pem(rsa_key.as_pem(private=False))
    config = TokenValidatorConfig(issuer=ISSUER, audience=AUDIENCE, leeway_seconds=LEEWAY)
    with serve(protected_app(TokenValidator(config, source))) as url:
        yield url + MOUNT


def status(url: str, key: RSAKey, payload: dict[str, Any]) -> int:
    """GET /graphql with a token for `payload`; return the status code."""
    return httpx.get(f"{url}/graphql", headers=bearer(sign(key, payload))).status_code


@pytest.mark.parametrize(
    ("claim", "offset", "expected"),
    [
        ("exp", -LEEWAY // 2, 200),  # expired a moment ago: within the skew
        ("exp", -LEEWAY - 30, 401),
        ("nbf", LEEWAY // 2, 200),  # valid in a moment: within the skew
        ("nbf", LEEWAY + 30, 401),
        ("iat", LEEWAY // 2, 200),
        ("iat", LEEWAY + 30, 401),
    ],
)
def test_leeway_applies_both_ways(
    skew_url: str, rsa_key: RSAKey, claim: str, offset: int, expected: int
) -> None:
    now = int(time.time())
    payload = claims(iat=now - 120, nbf=now - 120, exp=now + 300)
    payload[claim] = now + offset
    assert status(skew_url, rsa_key, payload) == expected


@pytest.fixture(scope="module")
def custom_claims_url(rsa_key: RSAKey) -> Iterator[str]:
    """An app reading the tenant from a namespaced claim and the subject from `oid`."""
    names = ClaimNames(
        tenant=("https://rm-graphql/tenant", "tenant"),
        subject="oid",
        email="upn",
        scope_string="permissions",
        scope_list="roles",
    )
    config = TokenValidatorConfig(issuer=ISSUER, audience=AUDIENCE, claim_names=names)
    source = StaticKeySource([RSAKey.import_key(rsa_key.as_dict(private=False))])
    with serve(protected_app(TokenValidator(config, source))) as url:
        yield url + MOUNT


def test_configured_claim_names_build_the_principal(
    custom_claims_url: str, rsa_key: RSAKey
) -> None:
    payload = claims(
        sub=None,
        tenant=None,
        scope=None,
        email=None,
        oid="user-7",
        upn="bob@globex.test",
        roles=["rm:participant", "unrelated"],
        permissions="rm:kpi",
        **{"https://rm-graphql/tenant": "globex"},
    )
    response = httpx.get(f"{custom_claims_url}/graphql", headers=bearer(sign(rsa_key, payload)))
    assert response.status_code == 200
    assert response.json() == {
        "tenant": "globex",
        "subject": "user-7",
        "email": "bob@globex.test",
        "scopes": ["rm:kpi", "rm:participant"],
        "is_admin": False,
    }


@pytest.mark.parametrize(
    "overrides",
    [
        {"oid": None},
        {"https://rm-graphql/tenant": None},
        {"https://rm-graphql/tenant": "globex", "tenant": "acme"},
        {"roles": ["openid"], "permissions": None},
        {"roles": 7},
    ],
    ids=["no subject", "no tenant", "conflicting tenants", "no known scope", "bad scope type"],
)
def test_custom_claims_are_required(
    custom_claims_url: str, rsa_key: RSAKey, overrides: dict[str, Any]
) -> None:
    base = {
        "oid": "user-7",
        "https://rm-graphql/tenant": "globex",
        "roles": ["rm:participant"],
        "permissions": None,
    }
    payload = claims(**{"sub": None, "tenant": None, "scope": None, **base, **overrides})
    assert status(custom_claims_url, rsa_key, payload) == 401


@pytest.mark.parametrize(
    "options",
    [
        {"algorithms": ("HS256",)},
        {"algorithms": ("RS256", "none")},
        {"algorithms": ()},
        {"issuer": ""},
        {"audience": ""},
        {"leeway_seconds": -1},
        {"claim_names": ClaimNames(tenant=())},
    ],
)
def test_unsafe_validator_configs_are_refused(options: dict[str, Any]) -> None:
    settings: dict[str, Any] = {"issuer": ISSUER, "audience": AUDIENCE, **options}
    with pytest.raises(ValueError, match=r"allowed|required|leeway"):
        TokenValidatorConfig(**settings)


async def test_max_lifetime_refuses_long_lived_tokens(rsa_key: RSAKey) -> None:
    config = TokenValidatorConfig(issuer=ISSUER, audience=AUDIENCE, max_lifetime_seconds=3600)
    source = StaticKeySource.from_pem(rsa_key.as_pem(private=False))
    validator = TokenValidator(config, source)
    now = int(time.time())
    principal = await validator.validate(sign(rsa_key, claims(iat=now, exp=now + 600)))
    assert principal.tenant == "acme"
    with pytest.raises(InvalidToken, match="lifetime"):
        await validator.validate(sign(rsa_key, claims(iat=now, exp=now + 7200)))
