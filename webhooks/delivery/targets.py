"""Where client webhooks may go (SSRF protection). In production: https to public
addresses only. Elsewhere (sandbox, demo, tests) http and loopback are allowed too; private
ranges, link-local (cloud metadata), multicast and reserved addresses never are.

Checked three times: the URL when an endpoint is saved, its DNS answer then, and at every
connect (the session's resolver drops disallowed addresses, so a DNS answer that changes
after the check cannot steer a delivery inside). Redirects are never followed."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

MAX_URL_LENGTH = 2000
RESPONSE_CAP_BYTES = 64 * 1024  # read no more of an endpoint's answer than this


class TargetRefused(ValueError):
    pass


def address_allowed(address: str, *, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_loopback
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, allow_loopback: bool) -> str:
    """The URL if its form is acceptable; `TargetRefused` saying why not."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused("The URL is too long.")
    parts = urlsplit(url.strip())
    schemes = ("https", "http") if allow_loopback else ("https",)
    if parts.scheme not in schemes:
        raise TargetRefused("The URL must start with https://.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host.")
    if parts.username or parts.password:
        raise TargetRefused("The URL must not carry credentials.")
    try:
        _ = parts.port
    except ValueError as exc:
        raise TargetRefused("The URL's port is not valid.") from exc
    if _is_ip(parts.hostname) and not address_allowed(
        parts.hostname, allow_loopback=allow_loopback
    ):
        raise TargetRefused("The URL points at a private, loopback or reserved address.")
    if parts.scheme == "http" and not _is_loopback_host(parts.hostname):
        raise TargetRefused("The URL must start with https:// (http only for loopback).")
    return url.strip()


async def check_resolves(url: str, *, allow_loopback: bool) -> None:
    """Every address the host resolves to now must be allowed."""
    host = urlsplit(url).hostname or ""
    if _is_ip(host):
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise TargetRefused(f"The host {host} does not resolve.") from exc
    if not infos or not all(
        address_allowed(str(info[4][0]), allow_loopback=allow_loopback) for info in infos
    ):
        raise TargetRefused("The URL's host resolves to a private, loopback or reserved address.")


class GuardedResolver(AbstractResolver):
    """Resolves as usual, then keeps only the allowed addresses (none: the connect fails)."""

    def __init__(self, *, allow_loopback: bool) -> None:
        self._inner = DefaultResolver()
        self._allow_loopback = allow_loopback

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        allowed = [
            r for r in found if address_allowed(r["host"], allow_loopback=self._allow_loopback)
        ]
        if not allowed:
            raise OSError(f"{host} resolves to no address webhooks may be sent to")
        return allowed

    async def close(self) -> None:
        await self._inner.close()


def open_session(*, allow_loopback: bool, timeout_s: float) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(
        resolver=GuardedResolver(allow_loopback=allow_loopback),
        use_dns_cache=False,  # every connect asks (and checks) again
        limit=100,
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=timeout_s, connect=min(timeout_s, 5.0)),
        raise_for_status=False,
        trust_env=False,  # never through a proxy that could reach inside
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True


def _is_loopback_host(host: str) -> bool:
    return host == "localhost" or (_is_ip(host) and ipaddress.ip_address(host).is_loopback)
