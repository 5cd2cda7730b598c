"""Where webhooks may go: public addresses only, unless the deployment allows private ones.

A tenant's admin chooses the URL and the service calls it from inside the customer's network.
Unchecked, a URL could reach a cloud metadata service (169.254.169.254), the database on
localhost or anything else on the private network: server-side request forgery. So, unless
RM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES allows it (the default outside production, where receivers
are usually local):
- creating an endpoint refuses `localhost` and address literals that are not public;
- every delivery resolves the host, refuses it if any of its addresses is not public, and
  connects to the checked address itself (the Host header and the TLS server name stay the
  URL's), so a DNS answer that changes a moment later cannot redirect the request.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import httpx

logger = logging.getLogger(__name__)

SETTING = "RM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES"
Resolver = Callable[[str, int], Awaitable[list[str]]]


# IPv6 ranges that carry an IPv4 address a gateway may reach: NAT64 (well-known and local
# prefixes), IPv4-compatible, SIIT, 6to4 and Teredo. Refused whatever the embedded address.
_TRANSLATED = tuple(
    ipaddress.ip_network(net)
    for net in (
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "::/96",
        "::ffff:0:0:0/96",
        "2002::/16",
        "2001::/32",
    )
)


def is_public(address: str) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged as IPv4)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif any(ip in net for net in _TRANSLATED):
            return False
    return ip.is_global and not ip.is_multicast


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def refusal(url: str) -> str | None:
    """Why a new endpoint's URL is refused before any lookup, or None."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    literal = _literal(host)
    if host == "localhost" or host.endswith(".localhost") or (literal and not is_public(literal)):
        return f"a webhook URL must point at a public address ({SETTING} allows private ones)"
    return None


async def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class PublicOnlyTransport(httpx.AsyncHTTPTransport):
    """An HTTP transport that connects only to checked public addresses (see the module)."""

    def __init__(
        self,
        *,
        resolver: Resolver = resolve,
        allowed: Callable[[str], bool] = is_public,
        **options: object,
    ) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.resolver, self.allowed = resolver, allowed

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        literal = _literal(host)
        try:
            addresses = [literal] if literal else await self.resolver(host, request.url.port or 0)
        except OSError as error:
            raise httpx.ConnectError(f"cannot resolve {host}: {error}", request=request) from error
        refused = [address for address in addresses if not self.allowed(address)]
        if not addresses or refused:
            # The address stays in the server's log: the attempt log is read by tenant admins.
            logger.warning("webhook to %s refused: it resolves to %s", host, refused or "nothing")
            raise httpx.ConnectError(
                f"{host} does not resolve to a public address only; {SETTING} allows it",
                request=request,
            )
        if literal is None:
            request.url = request.url.copy_with(host=addresses[0])
            request.extensions = {**request.extensions, "sni_hostname": host}
        return await super().handle_async_request(request)


def client(*, allow_private: bool, timeout: float) -> httpx.AsyncClient:
    """The webhook client: guarded unless private addresses are allowed."""
    if allow_private:
        return httpx.AsyncClient(timeout=timeout)
    return httpx.AsyncClient(timeout=timeout, transport=PublicOnlyTransport())
