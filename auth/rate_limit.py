"""Fixed-window request counters in the cache (shared by replicas when the cache is)."""

from __future__ import annotations

from dataclasses import dataclass

from cache.backend import CacheBackend


@dataclass(frozen=True)
class RateLimit:
    limit: int
    window_s: float


class RateLimiter:
    def __init__(self, cache: CacheBackend) -> None:
        self._cache = cache

    async def allow(self, key: str, rule: RateLimit) -> bool:
        return await self._cache.incr(f"rate:{key}", rule.window_s) <= rule.limit
