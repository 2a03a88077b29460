"""Defects 2 and 3 across two real gateway processes on one Redis: a link mailed by one is
opened on the other (a KeyError and a 500 before), and a logout on one holds on the other."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import redis

from bench.gateway_process import CacheTtls, GatewayProcess, start_gateway
from cli import newest_link
from sandbox.runner import SandboxThread
from tests.gateway.people import ACME, member

REDIS_URL = "redis://127.0.0.1:6379/0"
ME = {"query": "{ viewer { member { email } } }"}


@pytest.fixture
async def two_gateways(
    sandbox_thread: SandboxThread, tmp_path: Path
) -> AsyncIterator[tuple[GatewayProcess, GatewayProcess]]:
    prefix = f"test:{secrets.token_hex(8)}:"
    shared = {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": prefix,
              "PORTAL_SECRET_KEY": secrets.token_urlsafe(32)}  # fmt: skip
    ttls = CacheTtls(cache_s=30.0, viewer_s=60.0)
    one, two = await asyncio.gather(
        start_gateway("one", sandbox_thread.urls, ttls, tmp_path, shared),
        start_gateway("two", sandbox_thread.urls, ttls, tmp_path, shared),
    )
    try:
        yield one, two
    finally:
        one.stop()
        two.stop()
        with redis.Redis.from_url(REDIS_URL) as client:
            keys = list(client.scan_iter(match=f"{prefix}*"))
            if keys:
                client.delete(*keys)


async def test_a_link_from_one_process_signs_in_on_the_other_and_logout_holds_on_both(
    two_gateways: tuple[GatewayProcess, GatewayProcess], sandbox_thread: SandboxThread
) -> None:
    one, two = two_gateways
    user = member(sandbox_thread.backbone, ACME, "USER")
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{one.base_url}/auth/magic-link", json={"email": user.email}) as r:
            assert r.status == 202
        link = None
        for _ in range(50):  # the mail is sent after the answer
            link = newest_link(one.outbox, user.email)
            if link:
                break
            await asyncio.sleep(0.1)
        assert link is not None
        path = link.removeprefix(one.base_url)
        json_accept = {"Accept": "application/json"}
        async with http.post(f"{two.base_url}{path}", headers=json_accept) as signed_in:
            assert signed_in.status == 200, await signed_in.text()
            token = (await signed_in.json())["token"]
        bearer = {"Authorization": f"Bearer {token}"}

        async with http.post(f"{one.base_url}/graphql", json=ME, headers=bearer) as before:
            assert (await before.json())["data"]["viewer"]["member"]["email"] == user.email
        async with http.post(f"{two.base_url}/auth/logout", headers=bearer) as logout:
            assert logout.status == 204
        async with http.post(f"{one.base_url}/graphql", json=ME, headers=bearer) as after:
            body = await after.json()

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
