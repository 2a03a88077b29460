"""Read-through caching of upstream reads, with single-flight and invalidation scopes.

A key lives in a *scope* (say, one Stripe customer's invoices). Invalidating the scope bumps
its generation, which is part of every key in it, so all of its entries (every page, every
filter) become unreachable at once without listing them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from cache.backend import CacheBackend

T = TypeVar("T")

_GENERATION_TTL_S = 24 * 3600.0


@dataclass(frozen=True)
class CacheKey:
    scope: str  # what an invalidation names, e.g. "stripe:invoices:cus_123"
    detail: str = ""  # what distinguishes entries within the scope, e.g. page and filters


class ReadThroughCache:
    def __init__(self, backend: CacheBackend, default_ttl_s: float) -> None:
        self.backend = backend
        self.default_ttl_s = default_ttl_s
        self._in_flight: dict[str, asyncio.Future[Any]] = {}

    async def get_or_load(
        self,
        key: CacheKey,
        load: Callable[[], Awaitable[T]],
        ttl_s: float | None = None,
    ) -> T:
        """The cached value, or `load()`'s result, stored. Concurrent misses of one key share
        a single `load()` call."""
        full_key = await self._full_key(key)
        entry = await self.backend.get(full_key)
        if entry is not None:
            value: T = entry.value
            return value
        pending = self._in_flight.get(full_key)
        if pending is not None:
            shared: T = await asyncio.shield(pending)
            return shared
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._in_flight[full_key] = future
        try:
            loaded = await load()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters, if any, re-raise it themselves
            raise
        else:
            future.set_result(loaded)
            await self.backend.set(full_key, loaded, ttl_s or self.default_ttl_s)
            return loaded
        finally:
            del self._in_flight[full_key]

    async def get_many_or_load(
        self,
        keys: Sequence[CacheKey],
        load_missing: Callable[[list[int]], Awaitable[Sequence[T]]],
        ttl_s: float | None = None,
    ) -> list[T]:
        """Values for `keys`, aligned; `load_missing(indexes)` fetches the misses in one go
        (a vendor batch call) and returns them aligned with `indexes`."""
        full_keys = [await self._full_key(key) for key in keys]
        entries = [await self.backend.get(full_key) for full_key in full_keys]
        values: list[T] = [entry.value if entry else None for entry in entries]  # type: ignore[misc]
        missing = [i for i, entry in enumerate(entries) if entry is None]
        if missing:
            loaded = await load_missing(missing)
            for index, value in zip(missing, loaded, strict=True):
                values[index] = value
                await self.backend.set(full_keys[index], value, ttl_s or self.default_ttl_s)
        return values

    async def prime(self, key: CacheKey, value: Any, ttl_s: float | None = None) -> None:
        """Stores a value read on another path, so the next read of `key` needs no call."""
        await self.backend.set(await self._full_key(key), value, ttl_s or self.default_ttl_s)

    async def invalidate(self, *scopes: str) -> None:
        for scope in scopes:
            await self.backend.incr(_generation_key(scope), _GENERATION_TTL_S)

    async def _full_key(self, key: CacheKey) -> str:
        generation = await self.backend.get(_generation_key(key.scope))
        number = 0 if generation is None else int(generation.value)
        return f"{key.scope}#{number}|{key.detail}"


def _generation_key(scope: str) -> str:
    return f"gen:{scope}"
