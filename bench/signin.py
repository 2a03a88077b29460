"""Signs a member in the way a non-browser client does: ask for a magic link, read it from
the outbox, POST it with `Accept: application/json`, keep the bearer token."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from bench.gateway_process import GatewayProcess
from cli import newest_link

LINK_TIMEOUT_S = 15.0


class SignInFailed(RuntimeError):
    pass


async def sign_in(http: aiohttp.ClientSession, gateway: GatewayProcess, email: str) -> str:
    """A bearer token for `email`."""
    # Outbox files are matched by mtime; allow for a coarse file-system clock.
    asked_at = time.time() - 1.0
    async with http.post(f"{gateway.base_url}/auth/magic-link", json={"email": email}) as sent:
        if sent.status != 202:
            raise SignInFailed(f"POST /auth/magic-link answered {sent.status}")
    link = await _link_from_outbox(gateway, email, asked_at)
    headers = {"Accept": "application/json"}
    async with http.post(link, headers=headers) as opened:
        if opened.status != 200:
            raise SignInFailed(f"POST of the sign-in link answered {opened.status}")
        body = await opened.json()
    token: str = body["token"]
    return token


async def _link_from_outbox(gateway: GatewayProcess, email: str, since: float) -> str:
    deadline = time.monotonic() + LINK_TIMEOUT_S
    while time.monotonic() < deadline:
        link = newest_link(gateway.outbox, email, since=since)
        if link is not None:
            if not link.startswith(f"{gateway.base_url}/"):
                raise SignInFailed(f"the link points away from the gateway: {link}")
            return link
        await asyncio.sleep(0.05)
    raise SignInFailed(f"no sign-in link for {email} in {gateway.outbox} after {LINK_TIMEOUT_S} s")
