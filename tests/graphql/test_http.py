"""The HTTP surface of /graphql: tokens, GET, masking and limits."""

from __future__ import annotations

import httpx

from tests.support.api import Api, new_tenant


def test_a_missing_or_bad_token_is_401_with_a_bearer_challenge(api: Api) -> None:
    missing = api.post("{ me { subject } }", token=None)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    bad = api.post("{ me { subject } }", token="not-a-jwt")
    assert bad.status_code == 401
    assert 'error="invalid_token"' in bad.headers["www-authenticate"]
    assert "jwt" not in bad.text.lower()


def test_health_is_open_and_graphiql_page_loads_in_development(api: Api) -> None:
    assert httpx.get(f"{api.base_url}/healthz").status_code == 200
    page = httpx.get(f"{api.base_url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    sneaky = httpx.get(
        f"{api.base_url}/graphql",
        params={"query": "{ me { subject } }"},
        headers={"Accept": "text/html"},
    )
    assert sneaky.status_code == 401


def test_queries_via_get_with_a_token(api: Api) -> None:
    token = api.token(new_tenant(), "kpi@example.com", "rm:kpi")
    response = httpx.get(
        f"{api.base_url}/graphql",
        params={"query": "{ me { subject scopes } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json() == {"data": {"me": {"subject": "kpi@example.com", "scopes": ["rm:kpi"]}}}


def test_depth_and_alias_limits(api: Api) -> None:
    token = api.token(new_tenant(), "hr@example.com", "rm:admin")
    deep = (
        "{ me { participations { "
        + "program { participants { nodes { " * 6
        + "id"
        + " } } }" * 6
        + " } } }"
    )
    body = api.post(deep, token=token).json()
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]
    aliases = "{ " + " ".join(f"a{i}: apiVersion" for i in range(40)) + " }"
    assert "aliases" in api.post(aliases, token=token).json()["errors"][0]["message"]


def test_page_size_is_capped(api: Api) -> None:
    token = api.token(new_tenant(), "hr@example.com", "rm:admin")
    body = api.post("{ programs(first: 1000) { totalCount } }", token=token).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_graphql_response_json_uses_status_codes_per_the_spec(api: Api) -> None:
    token = api.token(new_tenant(), "kpi@example.com", "rm:kpi")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/graphql-response+json"}
    url = f"{api.base_url}/graphql"
    broken = httpx.post(url, json={"query": "{ me { "}, headers=headers)
    assert broken.status_code == 400
    assert broken.headers["content-type"].startswith("application/graphql-response+json")
    assert "data" not in broken.json()
    invalid = httpx.post(url, json={"query": "{ noSuchField }"}, headers=headers)
    assert invalid.status_code == 400
    fine = httpx.post(url, json={"query": "{ apiVersion }"}, headers=headers)
    assert fine.status_code == 200
    assert fine.headers["content-type"].startswith("application/graphql-response+json")
    plain = httpx.post(
        url, json={"query": "{ noSuchField }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("application/json")
