"""The in-app feed: per member, in Redis, newest first, at most 200 items and 90 days.

A sorted set of notification ids scored by when they arrived, and a hash of their JSON;
an item added twice (a job run again) is stored once. The read marker's record is the
HubSpot contact (`portal_notifications_read_at`); Redis keeps a copy to count unread items."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

from redis.asyncio import Redis

MAX_ITEMS = 200
KEEP_S = 90 * 24 * 3600


@dataclass(frozen=True)
class FeedItem:
    id: str  # the event's id: one item per event and member
    type: str
    title: str
    path: str
    occurred_at: float
    added_at: float


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    has_next: bool


def _keys(prefix: str, contact_id: str) -> tuple[str, str]:
    return f"{prefix}feed:{contact_id}", f"{prefix}feed-items:{contact_id}"


def _read_key(prefix: str, contact_id: str) -> str:
    return f"{prefix}feed-read-at:{contact_id}"


async def add(redis: Redis, prefix: str, contact_id: str, item: FeedItem) -> bool:
    """Adds the item unless it is there; True if it was new."""
    order, items = _keys(prefix, contact_id)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zadd(order, {item.id: item.added_at}, nx=True)
        pipe.hsetnx(items, item.id, json.dumps(asdict(item)))
        added, _ = await pipe.execute()
    await _trim(redis, order, items, item.added_at)
    return bool(added)


async def _trim(redis: Redis, order: str, items: str, now: float) -> None:
    old = await redis.zrangebyscore(order, "-inf", now - KEEP_S)
    beyond = await redis.zrange(order, 0, -(MAX_ITEMS + 1))
    gone = list(dict.fromkeys([*old, *beyond]))
    async with redis.pipeline(transaction=True) as pipe:
        if gone:
            pipe.zrem(order, *gone)
            pipe.hdel(items, *gone)
        pipe.expire(order, KEEP_S)
        pipe.expire(items, KEEP_S)
        await pipe.execute()


async def page(
    redis: Redis, prefix: str, contact_id: str, first: int, before: float | None
) -> FeedPage:
    """Up to `first` items that arrived before `before` (the cursor), newest first."""
    order, items = _keys(prefix, contact_id)
    top = f"({before}" if before is not None else "+inf"
    ids: list[bytes] = list(
        await redis.zrevrangebyscore(order, top, "-inf", start=0, num=first + 1)  # type: ignore[arg-type]
    )
    found: list[bytes | None] = []
    if ids:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.hmget(items, ids[:first])
            [found] = await pipe.execute()
    return FeedPage(
        [FeedItem(**json.loads(raw)) for raw in found if raw is not None], len(ids) > first
    )


async def unread_count(redis: Redis, prefix: str, contact_id: str, read_at: float) -> int:
    order, _ = _keys(prefix, contact_id)
    return int(await redis.zcount(order, f"({read_at}", "+inf"))


async def cached_read_at(redis: Redis, prefix: str, contact_id: str) -> float | None:
    raw = await redis.get(_read_key(prefix, contact_id))
    return float(raw) if raw is not None else None


async def cache_read_at(redis: Redis, prefix: str, contact_id: str, read_at: float) -> None:
    await redis.set(_read_key(prefix, contact_id), str(read_at), ex=KEEP_S)


def now() -> float:
    return time.time()


async def total_count(redis: Redis, prefix: str, contact_id: str) -> int:
    order, _ = _keys(prefix, contact_id)
    return int(await redis.zcard(order))
