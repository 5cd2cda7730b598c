"""With private addresses not allowed (production's default), the API refuses such webhooks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rm_graphql.app import create_app
from rm_graphql.config import load_settings
from rm_graphql.testing.server import running_server
from tests.support.api import Api, new_tenant

SECRET = "whsec-0123456789abcdef"
CREATE = """mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  __typename ... on WebhookEndpoint { url } ... on ValidationError { fields { path message } } } }"""


@pytest.fixture(scope="module")
def guarded(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    key_dir: Path = tmp_path_factory.mktemp("egress-keys")
    settings = load_settings(
        database_url=database_url, var_dir=key_dir, webhook_allow_private_addresses=False
    )
    app = create_app(settings)
    with running_server(app) as base_url:
        yield Api(base_url=base_url, key_dir=key_dir, app=app)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://10.0.0.7/hook",
    ],
)
def test_non_public_webhook_urls_are_a_validation_error(guarded: Api, url: str) -> None:
    admin = guarded.token(new_tenant(), "hr@example.com", "rm:admin")
    variables = {"input": {"url": url, "secret": SECRET, "eventTypes": ["*"]}}
    result = guarded.query(CREATE, variables, token=admin)["createWebhookEndpoint"]
    assert result["__typename"] == "ValidationError"
    assert result["fields"][0]["path"] == ["url"]
    assert "public address" in result["fields"][0]["message"]


def test_a_public_host_name_is_accepted(guarded: Api) -> None:
    admin = guarded.token(new_tenant(), "hr@example.com", "rm:admin")
    url = "https://hooks.example.com/rm"
    variables = {"input": {"url": url, "secret": SECRET, "eventTypes": ["*"]}}
    result = guarded.query(CREATE, variables, token=admin)["createWebhookEndpoint"]
    assert result == {"__typename": "WebhookEndpoint", "url": url}
