"""Chooses the cache backend: Redis when a URL is given (replicas share it), else in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from cache.backend import CacheBackend, InProcessCache
from cache.codec import Codec
from cache.redis_backend import RedisCache
from cache.redis_clients import connect, connect_confirmed


@asynccontextmanager
async def open_backend(
    *,
    redis_url: str,
    key_prefix: str,
    max_entries: int,
    near_ttl_s: float,
    fallback_ttl_s: float,
    types: Iterable[type],
) -> AsyncIterator[CacheBackend]:
    if not redis_url:
        yield InProcessCache(max_entries)
        return
    backend = RedisCache(
        connect(redis_url),
        Codec(types),
        prefix=key_prefix,
        near_max_entries=max_entries,
        near_ttl_s=near_ttl_s,
        fallback_ttl_s=fallback_ttl_s,
        confirmed=connect_confirmed(redis_url),
    )
    await backend.start()
    try:
        yield backend
    finally:
        await backend.close()
