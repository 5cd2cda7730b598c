"""Connecting BambooHR over OAuth 2.0 authorization code through the API, against the fake."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rm_graphql.testing import FakeBambooHR, Organisation, running_server
from tests.support.api import Api, new_tenant
from tests.sync.graphql import create_connection, trigger, wait_for
from tests.sync.support import FAST_OPTIONS

Fake = tuple[FakeBambooHR, str]
REDIRECT = "https://portal.example.com/hris/callback"
ORG_SIZE = 30

START = """mutation($input: StartHrisAuthorizationInput!) {
  startHrisAuthorization(input: $input) {
    __typename
    ... on HrisAuthorization { authorizationUrl expiresAt }
    ... on ValidationError { fields { path message } }
    ... on Error { code message }
  }
}"""
COMPLETE = """mutation($input: CompleteHrisAuthorizationInput!) {
  completeHrisAuthorization(input: $input) {
    __typename
    ... on HrisConnection { id name hasCredentials }
    ... on ValidationError { fields { path message } }
    ... on Error { code message }
  }
}"""


@pytest.fixture
def bamboo() -> Iterator[Fake]:
    fake = FakeBambooHR(Organisation(seed=11, size=ORG_SIZE))
    with running_server(fake.app) as base_url:
        yield fake, base_url


def _oauth_connection(api: Api, admin: str, bamboo: Fake) -> dict[str, Any]:
    fake, base_url = bamboo
    return create_connection(
        api,
        admin,
        {
            "name": "bamboo-oauth",
            "kind": "BAMBOOHR",
            "baseUrl": base_url,
            "options": {"company": fake.company, **FAST_OPTIONS},
            "credentials": {
                "client_id": fake.oauth.client_id,
                "client_secret": fake.oauth.client_secret,
            },
        },
    )


def _start(api: Api, token: str, connection_id: str, redirect: str = REDIRECT) -> dict[str, Any]:
    variables = {"input": {"connectionId": connection_id, "redirectUri": redirect}}
    result: dict[str, Any] = api.query(START, variables, token=token)["startHrisAuthorization"]
    return result


def _complete(api: Api, token: str, state: str, code: str) -> dict[str, Any]:
    variables = {"input": {"state": state, "code": code}}
    result: dict[str, Any] = api.query(COMPLETE, variables, token=token)[
        "completeHrisAuthorization"
    ]
    return result


def _grant(authorization_url: str) -> tuple[str, str]:
    """What the admin's browser does: open the vendor URL, get sent back with code and state."""
    answer = httpx.get(authorization_url, follow_redirects=False)
    assert answer.status_code == 302
    back = httpx.URL(answer.headers["location"])
    assert str(back.copy_with(query=None)) == REDIRECT
    return back.params["state"], back.params["code"]


def test_an_admin_connects_bamboohr_and_the_sync_uses_the_granted_token(
    sync_app: Api, bamboo: Fake
) -> None:
    fake, base_url = bamboo
    admin = sync_app.token(new_tenant(), "hr@example.com", "rm:admin")
    connection = _oauth_connection(sync_app, admin, bamboo)
    started = _start(sync_app, admin, connection["id"])
    assert started["__typename"] == "HrisAuthorization", started
    url = httpx.URL(started["authorizationUrl"])
    assert str(url).startswith(f"{base_url}/authorize.php")
    assert url.params["client_id"] == fake.oauth.client_id
    assert url.params["redirect_uri"] == REDIRECT
    assert url.params["response_type"] == "code"
    assert url.params["code_challenge_method"] == "S256"
    assert len(url.params["code_challenge"]) == 43
    assert fake.oauth.client_secret not in str(url)
    state, code = _grant(started["authorizationUrl"])

    completed = _complete(sync_app, admin, state, code)
    assert completed["__typename"] == "HrisConnection", completed
    assert completed["hasCredentials"] is True
    assert fake.oauth.stats["code_exchanges"] == fake.oauth.stats["pkce_checked"] == 1

    run = wait_for(sync_app, admin, trigger(sync_app, admin, connection["id"])["id"])
    assert run["status"] == "SUCCEEDED", run
    assert run["createdCount"] > 0
    assert fake.oauth.stats["invalid_client"] == 0

    again = _complete(sync_app, admin, state, code)
    assert again["__typename"] == "ValidationError"
    assert again["fields"] == [{"path": ["state"], "message": again["fields"][0]["message"]}]


def test_a_state_works_once_in_its_own_tenant_and_a_bad_code_changes_nothing(
    sync_app: Api, bamboo: Fake
) -> None:
    tenant = new_tenant()
    admin = sync_app.token(tenant, "hr@example.com", "rm:admin")
    connection = _oauth_connection(sync_app, admin, bamboo)
    state, code = _grant(_start(sync_app, admin, connection["id"])["authorizationUrl"])

    stranger = sync_app.token(new_tenant(), "hr@example.com", "rm:admin")
    assert _complete(sync_app, stranger, state, code)["__typename"] == "ValidationError"
    participant = sync_app.token(tenant, "someone@example.com", "rm:participant")
    assert _complete(sync_app, participant, state, code)["__typename"] == "NotAllowed"
    for forged in ("", "abc", f"{state}x", state.split(".")[0] + ".guess"):
        refused = _complete(sync_app, admin, forged, code)
        assert refused["fields"][0]["path"] == ["state"], (forged, refused)

    # Someone who saw the state and brings a code from a flow of their own (with another
    # challenge, or none) gets nothing: PKCE ties the code to this flow's verifier.
    fake, base_url = bamboo
    for challenge in ({"code_challenge": "A" * 43, "code_challenge_method": "S256"}, {}):
        params = {
            "request": "authorize",
            "client_id": fake.oauth.client_id,
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "state": state,
            **challenge,
        }
        answer = httpx.get(f"{base_url}/authorize.php", params=params)
        foreign = httpx.URL(answer.headers["location"]).params["code"]
        injected = _complete(sync_app, admin, state, foreign)
        assert injected["fields"][0]["path"] == ["code"], injected

    wrong = _complete(sync_app, admin, state, "not-a-code")
    assert wrong["__typename"] == "ValidationError"
    assert wrong["fields"][0]["path"] == ["code"]
    assert _complete(sync_app, admin, state, code)["__typename"] == "HrisConnection"


def test_only_oauth_connections_start_and_redirects_must_be_absolute(
    sync_app: Api, bamboo: Fake
) -> None:
    fake, base_url = bamboo
    admin = sync_app.token(new_tenant(), "hr@example.com", "rm:admin")
    keyed = create_connection(
        sync_app,
        admin,
        {
            "name": "bamboo-key",
            "kind": "BAMBOOHR",
            "baseUrl": base_url,
            "options": {"company": fake.company},
            "credentials": {"api_key": fake.api_key},
        },
    )
    refused = _start(sync_app, admin, keyed["id"])
    assert refused["fields"][0]["path"] == ["connectionId"]
    oauth = _oauth_connection(sync_app, admin, bamboo)
    for redirect in ("/relative", "ftp://portal.example.com/cb", "https://p.example.com/#x"):
        bad = _start(sync_app, admin, oauth["id"], redirect)
        assert bad["fields"][0]["path"] == ["redirectUri"], (redirect, bad)
    participant = sync_app.token(new_tenant(), "someone@example.com", "rm:participant")
    assert _start(sync_app, participant, oauth["id"])["__typename"] == "NotAllowed"


def test_a_standalone_deployment_takes_the_redirect_itself(sync_app: Api, bamboo: Fake) -> None:
    admin = sync_app.token(new_tenant(), "hr@example.com", "rm:admin")
    connection = _oauth_connection(sync_app, admin, bamboo)
    callback = f"{sync_app.base_url}/oauth/hris/callback"
    started = _start(sync_app, admin, connection["id"], callback)
    page = httpx.get(started["authorizationUrl"], follow_redirects=True)
    assert page.status_code == 200, page.text
    assert "bamboo-oauth" in page.text
    assert page.headers["cache-control"] == "no-store"
    run = wait_for(sync_app, admin, trigger(sync_app, admin, connection["id"])["id"])
    assert run["status"] == "SUCCEEDED", run

    replayed = httpx.get(str(page.url))
    assert replayed.status_code == 400
    assert "start the authorization again" in replayed.text
    denied = httpx.get(
        callback,
        params={"error": "access_denied", "error_description": "<b>spoof</b>", "state": "1.x"},
    )
    assert denied.status_code == 400
    assert "did not grant access" in denied.text
    assert "spoof" not in denied.text  # the vendor's text is not echoed on our origin
    forged = httpx.get(callback, params={"state": "<script>", "code": "x"})
    assert forged.status_code == 400
    assert "<script>" not in forged.text
