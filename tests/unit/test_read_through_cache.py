import asyncio
from collections.abc import Awaitable, Callable

import pytest

from cache import freshness
from cache.backend import InProcessCache
from cache.read_through import CacheKey, ReadThroughCache
from connectors.http import NotFound, Unavailable


async def test_concurrent_misses_share_one_load() -> None:
    cache = ReadThroughCache(InProcessCache(), default_ttl_s=30)
    calls = 0

    async def load() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return "value"

    results = await asyncio.gather(
        *(cache.get_or_load(CacheKey("s", "k"), load) for _ in range(50))
    )
    assert results == ["value"] * 50
    assert calls == 1
    assert await cache.get_or_load(CacheKey("s", "k"), load) == "value"
    assert calls == 1


async def test_a_failed_load_reaches_every_waiter_and_is_not_cached() -> None:
    cache = ReadThroughCache(InProcessCache(), default_ttl_s=30)

    async def fail() -> str:
        await asyncio.sleep(0.01)
        raise RuntimeError("upstream down")

    results = await asyncio.gather(
        *(cache.get_or_load(CacheKey("s"), fail) for _ in range(3)), return_exceptions=True
    )
    assert [str(r) for r in results] == ["upstream down"] * 3

    async def ok() -> str:
        return "back"

    assert await cache.get_or_load(CacheKey("s"), ok) == "back"


async def test_invalidating_a_scope_drops_all_its_entries_only() -> None:
    cache = ReadThroughCache(InProcessCache(), default_ttl_s=30)
    version = "v1"

    async def load() -> str:
        return version

    for detail in ("page1", "page2"):
        await cache.get_or_load(CacheKey("invoices:cus_a", detail), load)
    await cache.get_or_load(CacheKey("invoices:cus_b"), load)
    version = "v2"
    await cache.invalidate("invoices:cus_a")
    assert await cache.get_or_load(CacheKey("invoices:cus_a", "page1"), load) == "v2"
    assert await cache.get_or_load(CacheKey("invoices:cus_a", "page2"), load) == "v2"
    assert await cache.get_or_load(CacheKey("invoices:cus_b"), load) == "v1"


async def test_entries_expire_after_their_ttl() -> None:
    backend = InProcessCache()
    await backend.set("k", "v", ttl_s=0.05)
    assert (await backend.get("k")).value == "v"  # type: ignore[union-attr]
    await asyncio.sleep(0.06)
    assert await backend.get("k") is None


async def test_pop_is_single_use() -> None:
    backend = InProcessCache()
    await backend.set("token", "contact-1", ttl_s=60)
    assert await backend.pop("token") == "contact-1"
    assert await backend.pop("token") is None


async def test_the_cache_is_bounded() -> None:
    backend = InProcessCache(max_entries=3)
    for i in range(10):
        await backend.set(f"k{i}", i, ttl_s=60)
    assert [await backend.get(f"k{i}") is not None for i in range(10)].count(True) == 3


@pytest.mark.parametrize("hits", [5, 6])
async def test_counters_count_within_a_window(hits: int) -> None:
    backend = InProcessCache()
    counts = [await backend.incr("rate:x", ttl_s=60) for _ in range(hits)]
    assert counts == list(range(1, hits + 1))


async def test_concurrent_batch_misses_load_each_key_once() -> None:
    cache = ReadThroughCache(InProcessCache(), default_ttl_s=30)
    asked: list[list[str]] = []

    def batch(keys: list[str]) -> Callable[[list[int]], Awaitable[list[str]]]:
        async def load(indexes: list[int]) -> list[str]:
            asked.append([keys[i] for i in indexes])
            await asyncio.sleep(0.01)
            return [keys[i].upper() for i in indexes]

        return load

    first, second = await asyncio.gather(
        cache.get_many_or_load([CacheKey("a"), CacheKey("b")], batch(["a", "b"])),
        cache.get_many_or_load([CacheKey("b"), CacheKey("c")], batch(["b", "c"])),
    )

    assert (first, second) == (["A", "B"], ["B", "C"])
    assert asked == [["a", "b"], ["c"]]


async def test_an_outage_serves_an_expired_value_within_the_bound_only() -> None:
    cache = ReadThroughCache(InProcessCache(), default_ttl_s=0.001, stale_max_s=60)

    async def ok() -> str:
        return "old"

    async def down() -> str:
        raise Unavailable("stripe", "503")

    async def gone() -> str:
        raise NotFound("stripe", "404")

    await cache.get_or_load(CacheKey("s"), ok)
    await asyncio.sleep(0.01)  # past the TTL

    with freshness.reporting() as report, freshness.resolving(("viewer", "account")):
        assert await cache.get_or_load(CacheKey("s"), down) == "old"
    assert report.paths == [("viewer", "account")]
    with pytest.raises(NotFound):  # an answer, not an outage: no stale value covers it
        await cache.get_or_load(CacheKey("s"), gone)
    await cache.invalidate("s")
    with pytest.raises(Unavailable):  # known to have changed: the old value is no answer
        await cache.get_or_load(CacheKey("s"), down)
