"""Whole GraphQL answers, kept while every cache scope they were built from is unchanged.

An answer is stored with the generation of each scope its resolvers read (cache/read_log.py).
A later lookup serves it only if no scope has been invalidated since — by a portal write or a
vendor webhook, on any replica — and never past the earliest expiry of what it was built from.
So a repeat is answered without executing anything, and is exactly as fresh as the entity
cache behind it.

An operation whose answer depends on the person asking (not only on what they may see) is
stored in two steps: a marker under the shared key says "personal", and the answer itself
sits under a key that names the person.
"""

from __future__ import annotations

from dataclasses import dataclass

from cache.read_log import ReadLog
from cache.read_through import ReadThroughCache

_PREFIX = "response:"
PERSONAL = "personal"


@dataclass(frozen=True)
class StoredResponse:
    body: str  # the answer's `data`, as JSON
    generations: dict[str, int]  # scope -> generation it was read at
    personal: bool = False  # True: a marker; the answer is under the person's key


class ResponseCache:
    def __init__(self, reads: ReadThroughCache, max_ttl_s: float) -> None:
        self._reads = reads
        self._backend = reads.backend
        self.max_ttl_s = max_ttl_s

    async def lookup(self, key: str) -> StoredResponse | None:
        """The stored answer (or personal marker) if none of its scopes changed since."""
        entry = await self._backend.get(_PREFIX + key)
        if entry is None:
            return None
        stored: StoredResponse = entry.value
        now = await self._reads.generations(list(stored.generations))
        return stored if now == list(stored.generations.values()) else None

    async def store(self, key: str, body: str, reads: ReadLog) -> None:
        """Keeps an answer, unless part of it was read around the cache (no scope would
        tell when that part changes) or what it read is about to expire."""
        ttl_s = reads.ttl_s(self.max_ttl_s)
        if ttl_s > 0 and not reads.direct_calls:
            stored = StoredResponse(body, dict(reads.generations))
            await self._backend.set(_PREFIX + key, stored, ttl_s)

    async def mark_personal(self, key: str) -> None:
        # The marker depends on the document, not on data: it may live as long as answers do.
        await self._backend.set(_PREFIX + key, StoredResponse("", {}, True), self.max_ttl_s)
