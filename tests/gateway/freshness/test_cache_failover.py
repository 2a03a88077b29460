"""The shared cache across a Sentinel failover (a master + replica under three Sentinels, real
`redis-server` processes), in the window where it hurts: right after the sentinels name the
new master and before the old one is demoted (Sentinel does that some ten seconds later,
dropping whatever it took meanwhile; `demote` does it at once). Two replicas of the gateway's
cache, opened as the gateway opens them, stand for two gateways."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager

import pytest
import redis

from auth.sessions import SessionManager
from cache.backend import CacheBackend
from cache.read_through import CacheKey, ReadThroughCache
from cache.shared import open_backend
from tests.gateway.freshness.redis_servers import SentinelSetup, demote, redis_sentinel

SECRET = "test-secret-key"
PROFILE = CacheKey("test:profile:2006")
# How long a replica may take to see what it missed: the switch, not a near copy's expiry.
CAUGHT_UP_WITHIN_S = 3.0


@pytest.fixture(scope="module")
def sentinel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SentinelSetup]:
    with redis_sentinel(tmp_path_factory.mktemp("sentinel")) as setup:
        yield setup


@asynccontextmanager
async def two_replicas(url: str) -> AsyncIterator[tuple[CacheBackend, CacheBackend]]:
    prefix = f"test:{secrets.token_hex(8)}:"
    async with AsyncExitStack() as stack:
        one, two = [
            await stack.enter_async_context(
                open_backend(redis_url=url, key_prefix=prefix, max_entries=1000,
                             near_ttl_s=5.0, fallback_ttl_s=5.0, types=[])
            )
            for _ in range(2)
        ]  # fmt: skip
        yield one, two


async def fail_over(sentinel: SentinelSetup) -> tuple[int, int]:
    """Returns (old, new) once every sentinel names the new master."""
    old = sentinel.master()
    deadline = time.monotonic() + 15
    while True:
        try:
            return old, await asyncio.to_thread(sentinel.fail_over)
        except redis.ResponseError as exc:  # a replica just demoted is not yet a good one
            assert "NOGOODSLAVE" in str(exc) and time.monotonic() < deadline, exc
            await asyncio.sleep(0.2)


async def busy(replica: CacheBackend, i: int = 0) -> bool:
    """Some traffic, side by side (so that a replica holds several connections to the master
    as a busy gateway does); True if the replica served it without Redis."""
    await asyncio.gather(
        replica.set(f"entry:{i}", i, 60.0), replica.incr(f"gen:{i % 3}", 60.0),
        replica.get(f"entry:{i - 1}"), replica.delete(f"entry:{i - 2}"),
    )  # fmt: skip
    return replica.is_degraded


async def test_an_invalidation_made_right_after_a_failover_reaches_the_other_replica(
    sentinel: SentinelSetup,
) -> None:
    upstream = {"title": "before"}

    async def load() -> str:
        return upstream["title"]

    async with two_replicas(sentinel.url) as (one, two):
        here, there = ReadThroughCache(one, 300.0), ReadThroughCache(two, 300.0)
        await here.invalidate(PROFILE.scope)  # a generation to keep near
        assert [await r.get_or_load(PROFILE, load) for r in (here, there)] == ["before"] * 2
        old, new = await fail_over(sentinel)
        upstream["title"] = "after"
        await here.invalidate(PROFILE.scope)  # a webhook, on whichever master `one` holds
        await asyncio.to_thread(demote, old, new)

        read: list[str] = []
        deadline = time.monotonic() + CAUGHT_UP_WITHIN_S
        while not read or (read[-1] != "after" and time.monotonic() < deadline):
            read.append(await there.get_or_load(PROFILE, load))
            await asyncio.sleep(0.05)
        # Fresh, and stays fresh: the invalidation is in Redis now, not only near.
        await asyncio.sleep(0.2)
        read += [await there.get_or_load(PROFILE, load), await here.get_or_load(PROFILE, load)]
    assert read[-3:] == ["after"] * 3, read


async def test_a_session_issued_right_after_a_failover_outlives_the_old_masters_demotion(
    sentinel: SentinelSetup,
) -> None:
    async with two_replicas(sentinel.url) as (one, two):
        await asyncio.gather(busy(one), busy(two))
        old, new = await fail_over(sentinel)
        token = await SessionManager(SECRET, one).issue("2006")  # a sign-in
        await asyncio.to_thread(demote, old, new)

        assert await SessionManager(SECRET, two).verify(token, sliding=False) is not None
        assert not two.is_degraded  # read from Redis, not let in by the outage's grace


async def test_a_logout_right_after_a_failover_is_not_undone_by_the_old_masters_demotion(
    sentinel: SentinelSetup,
) -> None:
    async with two_replicas(sentinel.url) as (one, two):
        token = await SessionManager(SECRET, one).issue("2006")
        await asyncio.gather(busy(one), busy(two))
        old, new = await fail_over(sentinel)
        session = await SessionManager(SECRET, one).verify(token, sliding=False)
        assert session is not None
        await SessionManager(SECRET, one).revoke(session)  # a logout
        await asyncio.to_thread(demote, old, new)
        await asyncio.sleep(0.6)  # past the near copies' eviction by the replay
        assert await SessionManager(SECRET, two).verify(token, sliding=False) is None
        assert not two.is_degraded


async def test_no_cache_command_fails_when_the_old_master_is_demoted_under_traffic(
    sentinel: SentinelSetup, caplog: pytest.LogCaptureFixture
) -> None:
    async with two_replicas(sentinel.url) as (one, two):
        await asyncio.gather(busy(one), busy(two))
        old, new = await fail_over(sentinel)
        demoted = asyncio.create_task(asyncio.to_thread(demote, old, new))
        degraded: list[bool] = []
        with caplog.at_level(logging.WARNING, logger="portal.cache"):
            i = 0
            while not demoted.done() or i < 20:  # traffic through the demotion, and after
                i += 1
                degraded += await asyncio.gather(busy(one, i), busy(two, i))
            await demoted
            await one.set("last", "written", 60.0)
            last = await two.get("last")

    failed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Redis failed")]
    assert failed == []
    assert degraded == [False] * len(degraded)
    assert last is not None and last.value == "written"
