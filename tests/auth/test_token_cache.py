"""The verified-token cache: repeats skip the signature check, and nothing outlives validity."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc.jwk import RSAKey

from rm_graphql.auth import (
    InvalidToken,
    KeyNotFound,
    RemoteJWKSKeySource,
    StaticKeySource,
    TokenValidator,
    TokenValidatorConfig,
    VerifiedTokenCache,
)
from rm_graphql.auth import tokens as tokens_module
from rm_graphql.auth.devtokens import mint_dev_token
from rm_graphql.config import ConfigError, load_settings
from rm_graphql.security import token_validator

from .helpers import (
    AUDIENCE,
    ISSUER,
    MOUNT,
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
JWKS_TTL = 300.0


@dataclass
class SignatureChecks:
    """How many times the real JWS verification ran."""

    count: int = 0


@pytest.fixture
def signature_checks(monkeypatch: pytest.MonkeyPatch) -> SignatureChecks:
    """Count calls of joserfc's jwt.decode (as tokens.py calls it); the crypto stays real."""
    checks = SignatureChecks()
    real_decode = tokens_module.jwt.decode

    def counting_decode(*args: Any, **kwargs: Any) -> Any:
        checks.count += 1
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(tokens_module.jwt, "decode", counting_decode)
    return checks


@pytest.fixture
def clock() -> ManualClock:
    """A wall clock starting now, moved by hand."""
    return ManualClock(float(int(time.time())))


def cached_validator(
    key: RSAKey,
    clock: ManualClock,
    *,
    leeway: int = 0,
    max_age: float = 60,
    max_entries: int = 4096,
) -> TokenValidator:
    """A validator trusting `key`, with a verified-token cache."""
    config = TokenValidatorConfig(issuer=ISSUER, audience=AUDIENCE, leeway_seconds=leeway)
    cache = VerifiedTokenCache(max_age_seconds=max_age, max_entries=max_entries)
    source = StaticKeySource.from_pem(key.as_pem(private=False))
    return TokenValidator(config, source, clock=clock, cache=cache)


def token_at(key: RSAKey, clock: ManualClock, lifetime: int = 300, **overrides: Any) -> str:
    """A token issued at the manual clock's now, valid for `lifetime` seconds."""
    now = int(clock())
    return sign(key, claims(iat=now, nbf=now, exp=now + lifetime, **overrides))


async def test_repeated_token_skips_the_signature_check(
    rsa_key: RSAKey, clock: ManualClock, signature_checks: SignatureChecks
) -> None:
    validator = cached_validator(rsa_key, clock)
    token = token_at(rsa_key, clock)

    first = await validator.validate(token)
    again = [await validator.validate(token) for _ in range(5)]

    assert signature_checks.count == 1
    assert again == [first] * 5
    assert first.tenant == "acme"
    assert first.subject == "alice"


async def test_cached_token_is_refused_once_a_fresh_check_would_refuse_it(
    rsa_key: RSAKey, clock: ManualClock, signature_checks: SignatureChecks
) -> None:
    validator = cached_validator(rsa_key, clock, leeway=10, max_age=600)
    token = token_at(rsa_key, clock, lifetime=30)
    await validator.validate(token)

    clock.advance(29)
    await validator.validate(token)
    assert signature_checks.count == 1

    clock.advance(1)  # at exp: only the leeway keeps it valid, so it is checked every time
    await validator.validate(token)
    clock.advance(5)
    await validator.validate(token)
    assert signature_checks.count == 3

    clock.advance(5)  # exp + leeway: a fresh check refuses it, and so must the cache
    with pytest.raises(InvalidToken, match="expired"):
        await validator.validate(token)


async def test_entries_expire_after_the_maximum_age(
    rsa_key: RSAKey, clock: ManualClock, signature_checks: SignatureChecks
) -> None:
    validator = cached_validator(rsa_key, clock, max_age=60)
    token = token_at(rsa_key, clock, lifetime=3600)
    await validator.validate(token)

    clock.advance(59)
    await validator.validate(token)
    assert signature_checks.count == 1
    clock.advance(1)
    await validator.validate(token)
    assert signature_checks.count == 2
    clock.advance(30)
    await validator.validate(token)
    assert signature_checks.count == 2


@pytest.mark.parametrize(("cache_seconds", "expected_checks"), [(0, 3), (60, 1)])
async def test_cache_seconds_setting_sizes_or_disables_the_cache(
    tmp_path: Path, signature_checks: SignatureChecks, cache_seconds: int, expected_checks: int
) -> None:
    settings = load_settings(var_dir=tmp_path, auth_token_cache_seconds=cache_seconds)
    validator = token_validator(settings)
    token = mint_dev_token(tmp_path, "acme", "alice", ["rm:admin"])

    for _ in range(3):
        assert (await validator.validate(token)).tenant == "acme"

    assert signature_checks.count == expected_checks


def test_negative_cache_seconds_is_refused() -> None:
    with pytest.raises(ConfigError, match="RM_AUTH_TOKEN_CACHE_SECONDS"):
        load_settings(auth_token_cache_seconds=-1)


RefusedToken = Callable[[RSAKey, RSAKey, ManualClock], str]

REFUSED: dict[str, RefusedToken] = {
    "forged signature": lambda key, attacker, clock: sign(
        attacker, claims(), kid=key.kid or "idp-rsa-1"
    ),
    "wrong audience": lambda key, _, clock: token_at(key, clock, aud="someone-else"),
    "expired": lambda key, _, clock: token_at(key, clock, lifetime=-120),
    "no known scope": lambda key, _, clock: token_at(key, clock, scope="openid"),
}


@pytest.mark.parametrize("make_token", REFUSED.values(), ids=list(REFUSED))
async def test_refused_tokens_are_never_cached(
    rsa_key: RSAKey,
    attacker_key: RSAKey,
    clock: ManualClock,
    signature_checks: SignatureChecks,
    make_token: RefusedToken,
) -> None:
    validator = cached_validator(rsa_key, clock)
    token = make_token(rsa_key, attacker_key, clock)

    for _ in range(3):
        with pytest.raises(InvalidToken):
            await validator.validate(token)

    assert signature_checks.count == 3


async def test_token_not_yet_valid_is_checked_every_time_until_nbf(
    rsa_key: RSAKey, clock: ManualClock, signature_checks: SignatureChecks
) -> None:
    validator = cached_validator(rsa_key, clock, leeway=60)
    now = int(clock())
    token = sign(rsa_key, claims(iat=now, nbf=now + 30, exp=now + 300))

    await validator.validate(token)  # accepted thanks to the leeway
    await validator.validate(token)
    assert signature_checks.count == 2

    clock.advance(31)
    await validator.validate(token)
    await validator.validate(token)
    assert signature_checks.count == 3


async def test_cache_holds_at_most_max_entries_dropping_the_least_recently_used(
    rsa_key: RSAKey, clock: ManualClock, signature_checks: SignatureChecks
) -> None:
    cache = VerifiedTokenCache(max_age_seconds=60, max_entries=3)
    config = TokenValidatorConfig(issuer=ISSUER, audience=AUDIENCE)
    source = StaticKeySource.from_pem(rsa_key.as_pem(private=False))
    validator = TokenValidator(config, source, clock=clock, cache=cache)
    tokens = [token_at(rsa_key, clock, sub=f"user-{number}") for number in range(5)]

    for token in tokens[:3]:
        await validator.validate(token)
    await validator.validate(tokens[0])  # now the most recently used
    await validator.validate(tokens[3])  # evicts tokens[1]
    await validator.validate(tokens[4])  # evicts tokens[2]
    assert len(cache) == 3
    assert signature_checks.count == 5

    for token in (tokens[0], tokens[3], tokens[4]):
        await validator.validate(token)
    assert signature_checks.count == 5
    await validator.validate(tokens[1])
    assert signature_checks.count == 6
    assert len(cache) == 3


async def test_key_set_version_changes_only_when_a_key_is_withdrawn(rsa_key: RSAKey) -> None:
    added = new_rsa_key("idp-rsa-added")
    reused_kid = new_rsa_key(rsa_key.kid or "idp-rsa-1")  # same kid, different key material
    with jwks_server(rsa_key) as (jwks_url, state):
        clock = ManualClock()
        source = RemoteJWKSKeySource(jwks_url, min_refresh_interval=MIN_REFRESH, clock=clock)
        await source.get_key(rsa_key.kid)
        assert source.key_set_version == 0

        state.publish(rsa_key, added)
        clock.advance(MIN_REFRESH + 1)
        await source.get_key(added.kid)
        assert source.key_set_version == 0

        state.publish(reused_kid, added)
        clock.advance(MIN_REFRESH + 1)
        with pytest.raises(KeyNotFound):
            await source.get_key("unknown-kid-forces-a-refresh")
    assert source.key_set_version == 1
    assert state.fetches == 3


def test_same_token_twice_then_expired_over_http(
    rsa_key: RSAKey, clock: ManualClock, signature_checks: SignatureChecks
) -> None:
    validator = cached_validator(rsa_key, clock, leeway=60)
    token = token_at(rsa_key, clock, lifetime=120)
    with serve(protected_app(validator)) as url:
        first = httpx.get(f"{url}{MOUNT}/graphql", headers=bearer(token))
        second = httpx.get(f"{url}{MOUNT}/graphql", headers=bearer(token))
        assert (first.status_code, second.status_code) == (200, 200)
        assert first.json() == second.json()
        assert signature_checks.count == 1

        clock.advance(120 + 60)
        expired = httpx.get(f"{url}{MOUNT}/graphql", headers=bearer(token))
    assert expired.status_code == 401
    assert expired.json() == {"error": "invalid_token"}


def test_withdrawn_key_empties_the_cache_over_http(
    rsa_key: RSAKey, clock: ManualClock, signature_checks: SignatureChecks
) -> None:
    new_key = new_rsa_key("idp-rsa-next")
    jwks_clock = ManualClock()
    with jwks_server(rsa_key) as (jwks_url, state):
        source = RemoteJWKSKeySource(
            jwks_url, cache_ttl=JWKS_TTL, min_refresh_interval=MIN_REFRESH, clock=jwks_clock
        )
        config = TokenValidatorConfig(issuer=ISSUER, audience=AUDIENCE)
        cache = VerifiedTokenCache(max_age_seconds=600)
        validator = TokenValidator(config, source, clock=clock, cache=cache)
        old_token, new_token = token_at(rsa_key, clock), token_at(new_key, clock)
        with serve(protected_app(validator)) as url:

            def get(token: str) -> int:
                return httpx.get(f"{url}{MOUNT}/graphql", headers=bearer(token)).status_code

            assert [get(old_token), get(old_token)] == [200, 200]
            state.publish(rsa_key, new_key)  # a key added: the cache stays
            jwks_clock.advance(MIN_REFRESH + 1)
            assert [get(new_token), get(old_token)] == [200, 200]
            assert (signature_checks.count, state.fetches) == (2, 2)

            state.publish(new_key)  # the old key withdrawn
            jwks_clock.advance(JWKS_TTL)
            assert get(token_at(new_key, clock, sub="bob")) == 200  # the scheduled refresh
            assert state.fetches == 3
            assert get(old_token) == 401
            assert get(new_token) == 200
    assert signature_checks.count == 4  # bob, then new_token again: the cache was emptied
