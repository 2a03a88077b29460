"""Defects 3 and 13: sessions are an allow-list (a live record per session), so losing
Redis's data signs people out instead of bringing logged-out sessions back; during a Redis
outage a replica keeps the sessions it saw alive lately (bounded grace), forgets its own
entries after a short fallback TTL, and does to Redis, once it is back, what it missed."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace

import httpx
import pytest
import redis

from app import create_app
from cache import scopes
from cache.shared import open_backend
from config import Settings
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member
from tests.security.redis_proxy import RedisProxy

ME = "{ viewer { member { email } account { name } } }"
RETRY_AFTER_S = 1.0  # RedisCache: how long it serves alone after a failed command
FALLBACK_TTL_S = 0.3
NEAR_TTL_S = 0.1


@pytest.fixture
async def proxy() -> AsyncIterator[RedisProxy]:
    relay = RedisProxy()
    await relay.up()
    yield relay
    await relay.down()


@pytest.fixture
def prefix() -> Iterator[str]:
    prefix = f"test:{secrets.token_hex(8)}:"
    yield prefix
    with redis.Redis.from_url("redis://127.0.0.1:6379/0") as client:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)


@pytest.fixture
def on_redis(settings: Settings, proxy: RedisProxy, prefix: str) -> Settings:
    return replace(
        settings, redis_url=proxy.url, redis_key_prefix=prefix,
        cache_fallback_ttl_s=FALLBACK_TTL_S, cache_near_ttl_s=NEAR_TTL_S,
    )  # fmt: skip


OpenReplica = Callable[[], AbstractAsyncContextManager[GatewayClient]]


@pytest.fixture
def replica(on_redis: Settings, backbone: Backbone, sandbox: SandboxControl) -> OpenReplica:
    @asynccontextmanager
    async def opened() -> AsyncIterator[GatewayClient]:
        app = create_app(on_redis)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
                yield GatewayClient(http, app.state.gateway, backbone, on_redis.outbox_dir)

    return opened


async def signed_in(gateway: GatewayClient, token: str) -> bool:
    headers = {"Authorization": f"Bearer {token}"}
    response = await gateway.http.post("/graphql", json={"query": ME}, headers=headers)
    body = response.json()
    return "errors" not in body and body["data"]["viewer"]["member"] is not None


async def eventually(check: Callable[[], Awaitable[bool]], tries: int = 30) -> bool:
    """Redis is back: each replica notices at its next command (a cut connection may cost
    it one more RETRY_AFTER_S alone), then catches up."""
    for _ in range(tries):
        if await check():
            return True
        await asyncio.sleep(0.1)
    return False


def flush(prefix: str) -> None:
    """What a Redis restart without persistence does to our keys."""
    with redis.Redis.from_url("redis://127.0.0.1:6379/0") as client:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)


async def test_a_logged_out_session_stays_out_when_redis_loses_its_data(
    replica: OpenReplica, prefix: str, backbone: Backbone
) -> None:
    async with replica() as one, replica() as two:
        token = await one.token_for(member(backbone, ACME, "USER"))
        assert await signed_in(two, token)
        headers = {"Authorization": f"Bearer {token}"}
        assert (await one.http.post("/auth/logout", headers=headers)).status_code == 204

        flush(prefix)

        assert not await signed_in(one, token)
        assert not await signed_in(two, token)


async def test_losing_redis_data_signs_people_out(
    replica: OpenReplica, prefix: str, backbone: Backbone
) -> None:
    async with replica() as one:
        token = await one.token_for(member(backbone, ACME, "USER"))
        assert await signed_in(one, token)

        flush(prefix)
        await asyncio.sleep(NEAR_TTL_S + 0.05)  # this replica's own copy of the record expires

        assert not await signed_in(one, token)


async def test_during_an_outage_only_sessions_seen_alive_lately_stay_valid(
    replica: OpenReplica, proxy: RedisProxy, backbone: Backbone
) -> None:
    async with replica() as one, replica() as two:
        seen = await one.token_for(member(backbone, ACME, "USER"))
        unseen = await one.token_for(member(backbone, ACME, "ADMIN"))
        assert await signed_in(two, seen)

        await proxy.down()

        assert await signed_in(two, seen)  # verified by this replica lately: grace
        assert not await signed_in(two, unseen)  # never verified here: refused
        logout = await two.http.post("/auth/logout", headers={"Authorization": f"Bearer {seen}"})
        assert logout.status_code == 204
        assert not await signed_in(two, seen)

        await proxy.up()

        # Both replicas read Redis again (`unseen` was never verified by `two`)...
        assert await eventually(lambda: signed_in(two, unseen))
        assert await eventually(lambda: signed_in(one, unseen))
        # ... where the logout made during the outage holds.
        assert not await signed_in(two, seen)
        assert not await signed_in(one, seen)


async def test_an_invalidation_missed_during_an_outage_reaches_every_replica_once_redis_is_back(
    replica: OpenReplica, proxy: RedisProxy, sandbox: SandboxControl, backbone: Backbone
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    account = "{ viewer { account { name } } }"
    async with replica() as one, replica() as two:
        await one.query(account, as_=admin)
        assert (await two.query(account, as_=admin))["data"]["viewer"]["account"][
            "name"
        ] != "Renamed"

        await proxy.down()
        sandbox["hubspot"].call("POST", f"/_sandbox/companies/{ACME}", {"name": "Renamed"})
        await one.gateway.services.cache.invalidate(scopes.company(ACME))
        await proxy.up()

        async def renamed() -> bool:
            body = await two.query(account, as_=admin)
            return bool(body["data"]["viewer"]["account"]["name"] == "Renamed")

        # Within a few retries, not the entry's 30 s TTL.
        assert await eventually(renamed)


async def test_once_redis_is_back_what_was_missed_is_done_first_and_once(
    proxy: RedisProxy, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A key deleted during the outage (a logout) is never read back from Redis, not even by
    the first commands after it; those commands, arriving together, replay what was missed
    once between them."""
    async with open_backend(redis_url=proxy.url, key_prefix=prefix, max_entries=100,
                            near_ttl_s=NEAR_TTL_S, fallback_ttl_s=FALLBACK_TTL_S,
                            types=[]) as cache:  # fmt: skip
        await cache.set("session:s1", "2001", 600.0)
        await proxy.down()
        await cache.delete("session:s1")  # a logout while Redis is away
        assert cache.is_degraded
        await proxy.up()
        await asyncio.sleep(RETRY_AFTER_S + 0.1)  # when the replica tries Redis again
        with caplog.at_level(logging.WARNING, logger="portal.cache"):
            found = await asyncio.gather(*(cache.get("session:s1") for _ in range(10)))
    assert found == [None] * 10
    replays = [r for r in caplog.records if r.getMessage().startswith("Redis is back")]
    assert len(replays) == 1
