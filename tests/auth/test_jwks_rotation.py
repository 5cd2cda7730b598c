"""JWKS caching over real HTTP: rotation, rate-limited refresh, TTL and outages."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from joserfc.jwk import OctKey, RSAKey

from rm_graphql.auth import RemoteJWKSKeySource, TokenValidator, TokenValidatorConfig
from rm_graphql.auth.jwks import verification_keys

from .helpers import (
    AUDIENCE,
    ISSUER,
    MOUNT,
    JWKSServerState,
    ManualClock,
    bearer,
    claims,
    jwks_server,
    new_rsa_key,
    protected_app,
    serve,
    sign,
)

MIN_REFRESH = 30.0
CACHE_TTL = 600.0


@dataclass
class Deployment:
    """A protected app trusting a loopback JWKS server."""

    url: str
    jwks: JWKSServerState
    clock: ManualClock

    def get(self, token: str) -> int:
        """GET /graphql with `token`; return the status code."""
        return httpx.get(f"{self.url}/graphql", headers=bearer(token)).status_code


@pytest.fixture
def deployment(rsa_key: RSAKey) -> Iterator[Deployment]:
    """A fresh JWKS server publishing `rsa_key` and an app using it."""
    clock = ManualClock()
    with jwks_server(rsa_key) as (jwks_url, state):
        source = RemoteJWKSKeySource(
            jwks_url, cache_ttl=CACHE_TTL, min_refresh_interval=MIN_REFRESH, clock=clock
        )
        config = TokenValidatorConfig(issuer=ISSUER, audience=AUDIENCE)
        with serve(protected_app(TokenValidator(config, source))) as url:
            yield Deployment(url + MOUNT, state, clock)


def test_rotation_accepts_the_new_kid_after_one_refresh(
    deployment: Deployment, rsa_key: RSAKey
) -> None:
    assert deployment.get(sign(rsa_key, claims())) == 200
    assert deployment.jwks.fetches == 1
    new_key = new_rsa_key("idp-rsa-2")
    deployment.jwks.publish(new_key)
    deployment.clock.advance(MIN_REFRESH + 1)

    assert deployment.get(sign(new_key, claims())) == 200
    assert deployment.jwks.fetches == 2
    assert deployment.get(sign(new_key, claims())) == 200
    assert deployment.jwks.fetches == 2
    assert deployment.get(sign(rsa_key, claims())) == 401  # retired key no longer trusted


def test_unknown_kid_refresh_is_rate_limited(deployment: Deployment, rsa_key: RSAKey) -> None:
    assert deployment.get(sign(rsa_key, claims())) == 200
    new_key = new_rsa_key("idp-rsa-3")
    deployment.jwks.publish(rsa_key, new_key)

    # The previous fetch was just now, so the unknown kid cannot force another one yet.
    assert deployment.get(sign(new_key, claims())) == 401
    for _ in range(10):
        assert deployment.get(sign(new_key, claims(), kid=secrets.token_hex(8))) == 401
    assert deployment.jwks.fetches == 1

    deployment.clock.advance(MIN_REFRESH + 1)
    assert deployment.get(sign(new_key, claims())) == 200
    assert deployment.jwks.fetches == 2


async def test_concurrent_requests_share_a_single_refresh(
    deployment: Deployment, rsa_key: RSAKey
) -> None:
    assert deployment.get(sign(rsa_key, claims())) == 200
    new_key = new_rsa_key("idp-rsa-4")
    deployment.jwks.publish(new_key)
    deployment.clock.advance(MIN_REFRESH + 1)
    rotated = [sign(new_key, claims()) for _ in range(10)]
    random_kids = [sign(new_key, claims(), kid=secrets.token_hex(8)) for _ in range(10)]
    async with httpx.AsyncClient() as client:
        rotated_responses = await asyncio.gather(
            *(client.get(f"{deployment.url}/graphql", headers=bearer(t)) for t in rotated)
        )
        sprayed_responses = await asyncio.gather(
            *(client.get(f"{deployment.url}/graphql", headers=bearer(t)) for t in random_kids)
        )
    assert [response.status_code for response in rotated_responses] == [200] * 10
    assert [response.status_code for response in sprayed_responses] == [401] * 10
    assert deployment.jwks.fetches == 2


def test_cache_expires_after_its_ttl(deployment: Deployment, rsa_key: RSAKey) -> None:
    token = sign(rsa_key, claims())
    assert deployment.get(token) == 200
    deployment.clock.advance(CACHE_TTL / 2)
    assert deployment.get(token) == 200
    assert deployment.jwks.fetches == 1
    deployment.clock.advance(CACHE_TTL / 2 + 1)
    assert deployment.get(token) == 200
    assert deployment.jwks.fetches == 2


def test_identity_provider_outage_gives_503_then_recovers(
    deployment: Deployment, rsa_key: RSAKey
) -> None:
    deployment.jwks.status_code = 500
    response = httpx.get(f"{deployment.url}/graphql", headers=bearer(sign(rsa_key, claims())))
    assert response.status_code == 503
    assert response.json() == {"error": "temporarily_unavailable"}

    deployment.jwks.status_code = 200
    assert deployment.get(sign(rsa_key, claims())) == 503  # retry waits for the interval
    deployment.clock.advance(MIN_REFRESH + 1)
    assert deployment.get(sign(rsa_key, claims())) == 200
    assert deployment.jwks.fetches == 2


def test_outage_after_a_good_fetch_keeps_serving_cached_keys(
    deployment: Deployment, rsa_key: RSAKey
) -> None:
    token = sign(rsa_key, claims())
    assert deployment.get(token) == 200
    deployment.jwks.status_code = 500
    deployment.clock.advance(CACHE_TTL + 1)
    assert deployment.get(token) == 200
    assert deployment.jwks.fetches == 2


def test_jwks_url_must_be_https_off_loopback() -> None:
    with pytest.raises(ValueError, match="https"):
        RemoteJWKSKeySource("http://idp.example.test/jwks.json")
    RemoteJWKSKeySource("https://idp.example.test/jwks.json")


def test_only_public_signature_keys_are_taken_from_a_jwks(rsa_key: RSAKey) -> None:
    signing = rsa_key.as_dict(private=True)
    encryption = {**new_rsa_key("enc").as_dict(private=False), "use": "enc"}
    symmetric = OctKey.generate_key(256, parameters={"kid": "shared"}).as_dict(private=True)
    verify_only = {**rsa_key.as_dict(private=False), "kid": "ops", "key_ops": ["verify"]}
    sign_only = {**rsa_key.as_dict(private=False), "kid": "no-verify", "key_ops": ["sign"]}
    document = {"keys": [signing, encryption, symmetric, verify_only, sign_only, "junk"]}

    keys = verification_keys(document)

    assert [key.kid for key in keys] == [rsa_key.kid, "ops"]
    assert not any(key.is_private for key in keys)
    with pytest.raises(ValueError, match="JWKS"):
        verification_keys({"keys": "nope"})
