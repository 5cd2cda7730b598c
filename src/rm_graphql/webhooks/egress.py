"""Where webhooks may go: public addresses only, unless the deployment allows private ones.

A tenant's admin chooses the URL and the service calls it from inside the customer's network.
Unchecked, a URL could reach a cloud metadata service (169.254.169.254), the database on
localhost or anything else on the private network: server-side request forgery. So, unless
RM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES allows it (the default outside production, where receivers
are usually local):
- creating an endpoint refuses `localhost` and address literals that are not public;
- every delivery resolves the host when it opens a connection, refuses it if any of its
  addresses is not public, and connects to the checked address itself (the Host header, the
  TLS server name and the connection pool's key stay the URL's host), so a DNS answer that
  changes a moment later cannot redirect the request.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

import httpcore
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


class PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to checked public addresses.

    Checking here, where the connection is made, keeps the URL's host everywhere above: the
    Host header, the TLS server name and certificate check, and the connection pool's key, so
    a kept-alive connection is never reused for another host name on the same address.
    """

    def __init__(self, resolver: Resolver, allowed: Callable[[str], bool]) -> None:
        self.resolver, self.allowed = resolver, allowed
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        literal = _literal(host)
        try:
            addresses = [literal] if literal else await self.resolver(host, port)
        except OSError as error:
            raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from error
        refused = [address for address in addresses if not self.allowed(address)]
        if not addresses or refused:
            # The address stays in the server's log: the attempt log is read by tenant admins.
            logger.warning("webhook to %s refused: it resolves to %s", host, refused or "nothing")
            raise httpcore.ConnectError(
                f"{host} does not resolve to a public address only; {SETTING} allows it"
            )
        return await self.inner.connect_tcp(
            addresses[0], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks do not use Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class PublicOnlyTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with its connections opened by PublicOnlyBackend."""

    def __init__(
        self,
        *,
        resolver: Resolver = resolve,
        allowed: Callable[[str], bool] = is_public,
        **options: object,
    ) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        # httpx builds its httpcore pool without a backend argument; give it ours.
        self._pool._network_backend = PublicOnlyBackend(resolver, allowed)


def client(*, allow_private: bool, timeout: float) -> httpx.AsyncClient:
    """The webhook client: guarded unless private addresses are allowed."""
    if allow_private:
        return httpx.AsyncClient(timeout=timeout)
    return httpx.AsyncClient(timeout=timeout, transport=PublicOnlyTransport())
