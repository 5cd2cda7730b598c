"""Bearer authentication over real HTTP: accepted tokens and every kind of refusal."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from joserfc.jwk import ECKey, RSAKey
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from rm_graphql.auth import RemoteJWKSKeySource, TokenValidator, TokenValidatorConfig

from .helpers import (
    AUDIENCE,
    ISSUER,
    MOUNT,
    bearer,
    claims,
    hmac_with_public_pem,
    jwks_server,
    protected_app,
    serve,
    sign,
    unsigned_token,
)

INVALID_CHALLENGE = 'Bearer realm="rm-graphql", error="invalid_token"'
INVALID_BODY = {"error": "invalid_token"}


@pytest.fixture(scope="module")
def base_url(rsa_key: RSAKey, ec_key: ECKey) -> Iterator[str]:
    """The protected app, trusting a loopback JWKS with the RSA and EC keys."""
    with jwks_server(rsa_key, ec_key) as (jwks_url, _state):
        config = TokenValidatorConfig(issuer=ISSUER, audience=AUDIENCE, leeway_seconds=60)
        validator = TokenValidator(config, RemoteJWKSKeySource(jwks_url))
        with serve(protected_app(validator)) as url:
            yield url + MOUNT


def test_valid_token_reaches_the_app_with_its_principal(base_url: str, rsa_key: RSAKey) -> None:
    response = httpx.get(f"{base_url}/graphql", headers=bearer(sign(rsa_key, claims())))
    assert response.status_code == 200
    assert response.json() == {
        "tenant": "acme",
        "subject": "alice",
        "email": "alice@acme.test",
        "scopes": ["rm:admin", "rm:kpi"],
        "is_admin": True,
    }


def test_ec_token_and_audience_list_are_accepted(base_url: str, ec_key: ECKey) -> None:
    token = sign(ec_key, claims(aud=["other-api", AUDIENCE]), alg="ES256")
    response = httpx.get(f"{base_url}/graphql", headers=bearer(token))
    assert response.status_code == 200
    assert response.json()["tenant"] == "acme"


TokenFactory = Callable[[RSAKey, RSAKey], str]

REFUSED_TOKENS: dict[str, TokenFactory] = {
    "forged signature": lambda key, attacker: sign(attacker, claims(), kid=key.kid),
    "expired": lambda key, _: sign(key, claims(iat=0, nbf=0, exp=1_000)),
    "not yet valid": lambda key, _: sign(key, claims(nbf=4_000_000_000)),
    "issued in the future": lambda key, _: sign(key, claims(iat=4_000_000_000)),
    "no expiry": lambda key, _: sign(key, claims(exp=None)),
    "wrong audience": lambda key, _: sign(key, claims(aud="someone-else")),
    "no audience": lambda key, _: sign(key, claims(aud=None)),
    "wrong issuer": lambda key, _: sign(key, claims(iss="https://evil.example.test/")),
    "alg none": lambda key, _: unsigned_token(claims(), kid=key.kid or ""),
    "HS/RS key confusion": lambda key, _: hmac_with_public_pem(key, claims()),
    "disallowed RS512": lambda key, _: sign(key, claims(), alg="RS512"),
    "unknown kid": lambda key, attacker: sign(attacker, claims()),
    "missing tenant": lambda key, _: sign(key, claims(tenant=None)),
    "tenant not a slug": lambda key, _: sign(key, claims(tenant="Acme Corp")),
    "no known scope": lambda key, _: sign(key, claims(scope="openid profile")),
    "missing subject": lambda key, _: sign(key, claims(sub=None)),
    "garbage": lambda key, _: "not-a-jwt",
    "garbage with dots": lambda key, _: "a.b.c",
    "truncated": lambda key, _: sign(key, claims()).rsplit(".", 1)[0],
}


@pytest.mark.parametrize("case", list(REFUSED_TOKENS))
def test_bad_tokens_get_401_without_details(
    base_url: str, rsa_key: RSAKey, attacker_key: RSAKey, case: str
) -> None:
    token = REFUSED_TOKENS[case](rsa_key, attacker_key)
    response = httpx.post(f"{base_url}/graphql", headers=bearer(token), json={"query": "{x}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == INVALID_CHALLENGE
    assert response.json() == INVALID_BODY
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic YWxpY2U6c2VjcmV0"}, {"Authorization": "Bearer"}],
    ids=["no header", "basic scheme", "empty bearer"],
)
def test_missing_token_gets_a_plain_bearer_challenge(
    base_url: str, headers: dict[str, str]
) -> None:
    response = httpx.get(f"{base_url}/graphql", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="rm-graphql"')
    assert response.json() in ({"error": "unauthorized"}, INVALID_BODY)


def test_two_authorization_headers_are_refused(base_url: str, rsa_key: RSAKey) -> None:
    token = sign(rsa_key, claims())
    headers = [("Authorization", f"Bearer {token}"), ("Authorization", "Bearer other")]
    response = httpx.get(f"{base_url}/graphql", headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
def test_open_paths_need_no_token(base_url: str, path: str) -> None:
    response = httpx.get(f"{base_url}{path}")
    assert response.status_code == 200
    assert response.text == "ok"


def test_paths_near_open_ones_stay_protected(base_url: str) -> None:
    for path in ("/healthz/../graphql", "/healthzx", "/graphql?x=/healthz"):
        response = httpx.get(f"{base_url}{path}")
        assert response.status_code == 401, path


def test_refusal_is_logged_with_request_id_but_never_the_token(
    base_url: str, rsa_key: RSAKey, caplog: pytest.LogCaptureFixture
) -> None:
    token = sign(rsa_key, claims(aud="someone-else"))
    with caplog.at_level(logging.INFO, logger="rm_graphql.auth"):
        response = httpx.get(
            f"{base_url}/graphql", headers={**bearer(token), "X-Request-ID": "req-42"}
        )
    assert response.status_code == 401
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1
    assert "req-42" in refusals[0]
    assert "aud" in refusals[0]
    assert "aud" not in response.text
    assert all(token not in record.getMessage() for record in caplog.records)
    assert all(token.split(".")[2] not in record.getMessage() for record in caplog.records)


def websocket_url(base_url: str) -> str:
    """The WebSocket endpoint of the protected app."""
    return base_url.replace("http://", "ws://") + "/graphql/ws"


def test_websocket_needs_a_valid_token(base_url: str, rsa_key: RSAKey) -> None:
    with pytest.raises(InvalidStatus):
        connect(websocket_url(base_url), open_timeout=5).close()
    headers: Any = bearer(sign(rsa_key, claims()))
    with connect(websocket_url(base_url), additional_headers=headers, open_timeout=5) as ws:
        assert ws.recv(timeout=5) == "acme"
