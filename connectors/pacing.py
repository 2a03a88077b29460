"""Pacing of long upstream walks (exports) within a vendor's rate limit.

One `Pacer` per vendor per process spaces the requests of every export that shares it, so
that two exports at once still stay under the limit; a 429 that comes anyway (other
clients of the same vendor account) is waited out as the vendor's `Retry-After` says.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from connectors.http import RateLimited

T = TypeVar("T")

MAX_RATE_LIMITED_RETRIES = 3
_DEFAULT_RETRY_AFTER_S = 1.0


class Pacer:
    """At most `rate_per_s` requests a second, evenly spaced (no bursts)."""

    def __init__(self, rate_per_s: float) -> None:
        if rate_per_s <= 0:
            raise ValueError("rate_per_s must be positive")
        self.interval_s = 1.0 / rate_per_s
        self._next_at = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            delay = self._next_at - now
            self._next_at = max(now, self._next_at) + self.interval_s
        if delay > 0:
            await asyncio.sleep(delay)

    async def call(self, request: Callable[[], Awaitable[T]]) -> T:
        """`request()` in its turn; a 429 is retried after the vendor's `Retry-After`."""
        for attempt in range(MAX_RATE_LIMITED_RETRIES + 1):
            await self.wait()
            try:
                return await request()
            except RateLimited as exc:
                if attempt == MAX_RATE_LIMITED_RETRIES:
                    raise
                await asyncio.sleep(exc.retry_after or _DEFAULT_RETRY_AFTER_S)
        raise AssertionError("unreachable")
