"""Where cached values live. In-process (cachetools) by default; a shared backend (Redis)
implements the same protocol so that replicas share entries and invalidations."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cachetools import TLRUCache


@dataclass(frozen=True)
class Entry:
    value: Any
    stored_at: float  # time.time() when stored: tells how stale a value is
    ttl_s: float
    # How long past its TTL the entry is kept, to be served if the upstream fails.
    keep_s: float = 0.0

    def is_fresh(self, now: float) -> bool:
        return now < self.stored_at + self.ttl_s

    def age(self, now: float) -> float:
        return now - self.stored_at


class CacheBackend(Protocol):
    @property
    def is_degraded(self) -> bool:
        """True while a shared backend is unreachable and answers from this process alone."""
        ...

    async def get(self, key: str) -> Entry | None:
        """The entry if it is still fresh."""
        ...

    async def get_stale(self, key: str) -> Entry | None:
        """The entry, fresh or past its TTL but still kept (see `Entry.keep_s`)."""
        ...

    async def get_many(self, keys: Sequence[str]) -> list[Entry | None]:
        """`get` of each key, aligned with `keys`, in one round trip where it is shared."""
        ...

    async def set(self, key: str, value: Any, ttl_s: float, keep_s: float = 0.0) -> None: ...

    async def set_confirmed(self, key: str, value: Any, ttl_s: float) -> None:
        """`set` for a write that a Redis failover must not lose (a session): it returns once
        the master the sentinels agree on holds it. Slower; for rare writes only."""
        ...

    async def delete(self, *keys: str) -> None: ...

    async def pop(self, key: str) -> Any | None:
        """Removes and returns a value in one atomic step (single-use tokens)."""
        ...

    async def incr(self, key: str, ttl_s: float) -> int:
        """Adds one to a counter that expires `ttl_s` after its first increment."""
        ...


def _expires_at(key: str, entry: Entry, now: float) -> float:
    return now + entry.ttl_s + entry.keep_s


class InProcessCache:
    """A bounded in-process cache: each entry has its own TTL; when full, the least
    recently used entry goes first."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: TLRUCache[str, Entry] = TLRUCache(
            maxsize=max_entries, ttu=_expires_at, timer=time.monotonic
        )

    @property
    def is_degraded(self) -> bool:
        return False  # it has nothing to lose touch with

    async def get(self, key: str) -> Entry | None:
        entry = self._entries.get(key)
        return entry if entry is not None and entry.is_fresh(time.time()) else None

    async def get_stale(self, key: str) -> Entry | None:
        return self._entries.get(key)

    async def get_many(self, keys: Sequence[str]) -> list[Entry | None]:
        now = time.time()
        found = (self._entries.get(key) for key in keys)
        return [entry if entry is not None and entry.is_fresh(now) else None for entry in found]

    async def set(self, key: str, value: Any, ttl_s: float, keep_s: float = 0.0) -> None:
        self._entries[key] = Entry(value, time.time(), ttl_s, keep_s)

    async def set_confirmed(self, key: str, value: Any, ttl_s: float) -> None:
        await self.set(key, value, ttl_s)

    def clear(self) -> None:
        self._entries.clear()

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def pop(self, key: str) -> Any | None:
        entry = self._entries.pop(key, None)
        return None if entry is None else entry.value

    async def incr(self, key: str, ttl_s: float) -> int:
        entry = self._entries.get(key)
        if entry is None:
            self._entries[key] = Entry(1, time.time(), ttl_s)
            return 1
        # Keep the window's first expiry: the count resets when the window ends.
        remaining = entry.ttl_s - (time.time() - entry.stored_at)
        count = int(entry.value) + 1
        self._entries[key] = Entry(count, time.time(), max(remaining, 0.001))
        return count
