"""Read-through caching of upstream reads, with single-flight and invalidation scopes.

A key lives in a *scope* (say, one Stripe customer's invoices). Invalidating the scope bumps
its generation, which is part of every key in it, so all of its entries (every page, every
filter) become unreachable at once without listing them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from cache import freshness, read_log, telemetry
from cache.backend import CacheBackend, Entry
from connectors import records, uncached
from connectors.http import RateLimited, Unavailable

T = TypeVar("T")

_GENERATION_TTL_S = 24 * 3600.0
# Failures that a stale value may cover for. A 404 or a 400 is an answer, not an outage.
_OUTAGES = (Unavailable, RateLimited)


@dataclass(frozen=True)
class CacheKey:
    scope: str  # what an invalidation names, e.g. "stripe:invoices:cus_123"
    detail: str = ""  # what distinguishes entries within the scope, e.g. page and filters


@dataclass(frozen=True)
class _Loaded:
    value: Any
    stale: bool


class ReadThroughCache:
    def __init__(
        self, backend: CacheBackend, default_ttl_s: float, stale_max_s: float = 0.0
    ) -> None:
        self.backend = backend
        self.default_ttl_s = default_ttl_s
        # How long past its TTL an entry may still be served while its upstream is down.
        self.stale_max_s = stale_max_s
        self._in_flight: dict[str, asyncio.Future[_Loaded]] = {}

    async def get_or_load(
        self,
        key: CacheKey,
        load: Callable[[], Awaitable[T]],
        ttl_s: float | None = None,
    ) -> T:
        """The cached value, or `load()`'s result, stored. Concurrent misses of one key share
        a single `load()` call. If the upstream is down, a recently expired value is served
        and noted as stale."""
        full_key = await self._full_key(key)
        entry = await self.backend.get(full_key)
        if entry is not None:
            telemetry.looked_up(key.scope, "hit")
            read_log.note_expiry(entry.stored_at + entry.ttl_s)
            value: T = entry.value
            return value
        pending = self._in_flight.get(full_key)
        if pending is not None:
            telemetry.looked_up(key.scope, "coalesced")
            loaded = await asyncio.shield(pending)
            read_log.note_expiry(time.time() + (ttl_s or self.default_ttl_s))
        else:
            future = self._claim(full_key)
            try:
                with telemetry.loading(key.scope):
                    loaded = await self._load_one(full_key, load, ttl_s)
            except BaseException as exc:
                self._fail(full_key, future, exc)
                raise
            self._settle(full_key, future, loaded)
            telemetry.looked_up(key.scope, "stale" if loaded.stale else "miss")
        if loaded.stale:
            freshness.note_stale(key.scope, loaded.value)
        result: T = loaded.value
        return result

    async def get_many_or_load(
        self,
        keys: Sequence[CacheKey],
        load_missing: Callable[[list[int]], Awaitable[Sequence[T]]],
        ttl_s: float | None = None,
    ) -> list[T]:
        """Values for `keys`, aligned; `load_missing(indexes)` fetches the misses in one go
        (a vendor batch call) and returns them aligned with `indexes`. Keys another caller
        is loading already are awaited, not loaded again."""
        full_keys = await self._full_keys(keys)
        entries = await self.backend.get_many(full_keys)
        values: list[Any] = [entry.value if entry else None for entry in entries]
        for entry in entries:
            if entry is not None:
                read_log.note_expiry(entry.stored_at + entry.ttl_s)
        missing = [i for i, entry in enumerate(entries) if entry is None]
        waiting = {
            i: self._in_flight[full_keys[i]] for i in missing if full_keys[i] in self._in_flight
        }
        mine = [i for i in missing if i not in waiting]
        for index, entry in enumerate(entries):
            outcome = "hit" if entry else "coalesced" if index in waiting else "miss"
            telemetry.looked_up(keys[index].scope, outcome)
        if mine:
            futures = {full_keys[i]: self._claim(full_keys[i]) for i in mine}
            try:
                with telemetry.loading(keys[mine[0]].scope):
                    loaded = await self._load_many(full_keys, mine, load_missing, ttl_s)
            except BaseException as exc:
                for full_key, future in futures.items():
                    self._fail(full_key, future, exc)
                raise
            for index, result in zip(mine, loaded, strict=True):
                self._settle(full_keys[index], futures[full_keys[index]], result)
                values[index] = self._taken(keys[index], result)
        for index, pending in waiting.items():
            values[index] = self._taken(keys[index], await asyncio.shield(pending))
            read_log.note_expiry(time.time() + (ttl_s or self.default_ttl_s))
        return values

    async def prime(self, key: CacheKey, value: Any, ttl_s: float | None = None) -> None:
        """Stores a value read on another path, so the next read of `key` needs no call."""
        await self._store(await self._full_key(key), value, ttl_s)

    async def replace(self, key: CacheKey, value: Any, ttl_s: float | None = None) -> None:
        """After a write: every entry of `key`'s scope is dropped (lists, pages, other
        replicas' copies) and `value`, the record as the write left it, is filed under `key`."""
        await self.invalidate(key.scope)
        await self.prime(key, value, ttl_s)

    async def invalidate(self, *scopes: str) -> None:
        for scope in scopes:
            await self.backend.incr(_generation_key(scope), _GENERATION_TTL_S)

    # Loading

    async def _load_one(
        self, full_key: str, load: Callable[[], Awaitable[Any]], ttl_s: float | None
    ) -> _Loaded:
        try:
            with uncached.through_cache(), records.watching() as left_out:
                value = await load()
        except _OUTAGES:
            freshness.note_outage()
            stale = await self._stale_entry(full_key)
            if stale is None:
                raise
            return _Loaded(stale.value, stale=True)
        if not left_out:  # else the next read asks again, and tells again what it left out
            await self._store(full_key, value, ttl_s)
        return _Loaded(value, stale=False)

    async def _load_many(
        self,
        full_keys: list[str],
        indexes: list[int],
        load_missing: Callable[[list[int]], Awaitable[Sequence[Any]]],
        ttl_s: float | None,
    ) -> list[_Loaded]:
        try:
            with uncached.through_cache(), records.watching() as left_out:
                values = await load_missing(indexes)
        except _OUTAGES:
            freshness.note_outage()
            # One batch call failed for all of them: stale only if every one has a stale value.
            stale = [await self._stale_entry(full_keys[i]) for i in indexes]
            if any(entry is None for entry in stale):
                raise
            return [_Loaded(entry.value, stale=True) for entry in stale if entry is not None]
        for index, value in zip(indexes, values, strict=True):
            if not left_out:
                await self._store(full_keys[index], value, ttl_s)
        return [_Loaded(value, stale=False) for value in values]

    async def _stale_entry(self, full_key: str) -> Entry | None:
        entry = await self.backend.get_stale(full_key)
        if entry is None or entry.age(time.time()) > entry.ttl_s + self.stale_max_s:
            return None
        return entry

    async def _store(self, full_key: str, value: Any, ttl_s: float | None) -> None:
        ttl = ttl_s or self.default_ttl_s
        read_log.note_expiry(time.time() + ttl)
        await self.backend.set(full_key, value, ttl, self.stale_max_s)

    # Single flight

    def _claim(self, full_key: str) -> asyncio.Future[_Loaded]:
        future: asyncio.Future[_Loaded] = asyncio.get_running_loop().create_future()
        self._in_flight[full_key] = future
        return future

    def _settle(self, full_key: str, future: asyncio.Future[_Loaded], loaded: _Loaded) -> None:
        if not future.done():
            future.set_result(loaded)
        if self._in_flight.get(full_key) is future:
            del self._in_flight[full_key]

    def _fail(self, full_key: str, future: asyncio.Future[_Loaded], exc: BaseException) -> None:
        if not future.done():
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters, if any, re-raise it themselves
        if self._in_flight.get(full_key) is future:
            del self._in_flight[full_key]

    @staticmethod
    def _taken(key: CacheKey, loaded: _Loaded) -> Any:
        if loaded.stale:
            freshness.note_stale(key.scope, loaded.value, batched=True)
        return loaded.value

    async def _full_key(self, key: CacheKey) -> str:
        [full_key] = await self._full_keys([key])
        return full_key

    async def _full_keys(self, keys: Sequence[CacheKey]) -> list[str]:
        """Each key under its scope's generation (one look-up for all of them)."""
        numbers = await self.generations([key.scope for key in keys])
        log = read_log.current()
        if log is not None:
            for key, number in zip(keys, numbers, strict=True):
                log.note(key.scope, number)
        return [f"{k.scope}#{n}|{k.detail}" for k, n in zip(keys, numbers, strict=True)]

    async def generations(self, scopes: Sequence[str]) -> list[int]:
        """How often each scope has been invalidated (within the generations' lifetime),
        aligned with `scopes`, in one look-up."""
        found = await self.backend.get_many([_generation_key(scope) for scope in scopes])
        return [0 if entry is None else int(entry.value) for entry in found]


def _generation_key(scope: str) -> str:
    return f"gen:{scope}"
