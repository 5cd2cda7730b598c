"""Webhooks reach only public addresses unless the deployment allows private ones (no SSRF)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from rm_graphql.config import load_settings
from rm_graphql.testing.server import running_server_async
from rm_graphql.webhooks import egress
from rm_graphql.webhooks import service as webhooks
from tests.webhooks.test_service import BOX, SECRET, new_tenant


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fd00::1", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:93.184.215.14", True),
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 to 169.254.169.254
        ("64:ff9b::5db8:d70e", False),  # NAT64, even to a public address
        ("64:ff9b:1::a00:1", False),
        ("2002:a00:1::1", False),  # 6to4 around 10.0.0.1
        ("2001:0:4136:e378::1", False),  # Teredo
        ("::7f00:1", False),  # IPv4-compatible 127.0.0.1
        ("::ffff:0:a00:1", False),  # SIIT 10.0.0.1
    ],
)
def test_only_globally_routable_unicast_addresses_are_public(address: str, public: bool) -> None:
    assert egress.is_public(address) is public


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("https://hooks.example.com/rm", False),  # names are checked when delivering
        ("https://93.184.215.14/rm", False),
        ("http://localhost:8080/rm", True),
        ("http://api.localhost/rm", True),
        ("http://LOCALHOST./rm", True),
        ("http://127.0.0.1:9000/rm", True),
        ("http://169.254.169.254/latest/meta-data", True),
        ("http://[::1]/rm", True),
        ("http://10.0.0.5/rm", True),
    ],
)
async def test_new_endpoints_must_name_a_public_host(
    session: AsyncSession, url: str, refused: bool
) -> None:
    tenant = await new_tenant(session)
    if refused:
        with pytest.raises(webhooks.WebhookError, match="public address"):
            await webhooks.create_endpoint(
                session, tenant.id, BOX, url, SECRET, ["*"], allow_private=False
            )
    else:
        endpoint = await webhooks.create_endpoint(
            session, tenant.id, BOX, url, SECRET, ["*"], allow_private=False
        )
        assert endpoint.url == url
    allowed = await webhooks.create_endpoint(session, tenant.id, BOX, url, SECRET, ["*"])
    assert allowed.url == url


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[str]]]:
    """A real HTTP receiver on loopback that records the Host header of every request."""
    hosts: list[str] = []

    async def hook(request: Request) -> PlainTextResponse:
        hosts.append(request.headers["host"])
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    async with running_server_async(app) as base_url:
        yield base_url, hosts


async def test_a_delivery_to_loopback_is_refused_before_connecting(
    receiver: tuple[str, list[str]],
) -> None:
    base_url, hosts = receiver
    port = httpx.URL(base_url).port
    async with httpx.AsyncClient(transport=egress.PublicOnlyTransport()) as client:
        for url in (f"{base_url}/hook", f"http://localhost:{port}/hook"):
            with pytest.raises(httpx.ConnectError, match="public address only"):
                await client.post(url, content=b"{}")
    assert hosts == []


async def test_the_connection_goes_to_the_checked_address_with_the_urls_host(
    receiver: tuple[str, list[str]],
) -> None:
    base_url, hosts = receiver
    port = httpx.URL(base_url).port
    answers = {
        "hooks.test": ["127.0.0.1"],
        "other.test": ["127.0.0.1"],
        "mixed.test": ["127.0.0.1", "10.0.0.1"],
    }
    asked: list[str] = []

    async def resolver(host: str, _port: int) -> list[str]:
        asked.append(host)
        return answers[host]

    transport = egress.PublicOnlyTransport(
        resolver=resolver, allowed=lambda address: address == "127.0.0.1"
    )
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.post(f"http://hooks.test:{port}/hook", content=b"{}")
        await client.post(f"http://hooks.test:{port}/hook", content=b"{}")  # kept alive
        await client.post(f"http://other.test:{port}/hook", content=b"{}")  # not shared
        with pytest.raises(httpx.ConnectError, match="not resolve to a public address only"):
            await client.post(f"http://mixed.test:{port}/hook", content=b"{}")
    assert response.status_code == 200
    assert hosts == [f"hooks.test:{port}", f"hooks.test:{port}", f"other.test:{port}"]
    assert asked == ["hooks.test", "other.test", "mixed.test"]


async def test_an_unresolvable_host_is_a_connect_error() -> None:
    async def resolver(host: str, _port: int) -> list[str]:
        raise OSError("Name or service not known")

    transport = egress.PublicOnlyTransport(resolver=resolver)
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ConnectError, match="cannot resolve"):
            await client.post("https://nowhere.invalid/hook", content=b"{}")


def test_private_addresses_are_allowed_by_default_only_outside_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings().webhooks_reach_private_addresses
    monkeypatch.setenv("RM_ENV", "production")
    monkeypatch.setenv("RM_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("RM_ENCRYPTION_KEYS", "k" * 40)
    monkeypatch.setenv("RM_AUTH_ISSUER", "https://id.example.com/")
    monkeypatch.setenv("RM_AUTH_JWKS_URL", "https://id.example.com/jwks.json")
    assert not load_settings().webhooks_reach_private_addresses
    monkeypatch.setenv("RM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true")
    assert load_settings().webhooks_reach_private_addresses
