"""The shared cache: Redis, read through a small in-process *near* layer.

Every replica reads and writes the same Redis keys. A near copy saves a round trip on hot
keys (the invalidation generations above all); it is kept coherent by pub/sub: whoever
deletes, pops or increments a key publishes it, and every other replica drops its copy.
Near copies also expire after `near_ttl_s`, which bounds staleness should a message be lost.

A failover (Sentinel) or an outage can lose what the old master acknowledged last: Redis
replicates asynchronously, and after a failover the old master takes writes until Sentinel
demotes it (~10 s later) and drops them. So on Sentinel the cache follows the sentinels
(`sentinel_master.following`): within `FOLLOW_EVERY_S` of their naming another master it drops
its connections, its subscription's included, and reconnects to the new one. Whenever the
subscription is made again (a failover, an outage, a restart; redis-py resubscribes by itself
on a new connection), the replica drops its near copies, since messages published meanwhile
are lost, and makes again the invalidations (counter bumps) it made in the last
`replay_window_s`, where Redis is now: an invalidation is never lost, only repeated. Entries
and deletes written to the old master in that moment may be lost: a cache holds only what
may be. A session is not: `set_confirmed` waits until the master the sentinels agree on holds
it (`sentinel_master.ConfirmedMaster`), at the cost of a `WAIT` and a question to each
sentinel, which no other command pays.

Redis is a cache, never a dependency: when a command fails, the backend serves from an
in-process cache alone for `retry_after_s`, then tries Redis again. Meanwhile its own
entries live at most `fallback_ttl_s` (other replicas' invalidations cannot reach them), and
the keys it deleted, popped or incremented are remembered: once Redis answers again they are
deleted or incremented there too, before anything else is read, so that no replica reads
what an invalidation, a used sign-in link or a logout made obsolete during the outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar, cast

from cachetools import TLRUCache
from redis.asyncio import Redis, RedisCluster
from redis.exceptions import RedisError

from cache import redis_clients, sentinel_master
from cache.backend import Entry, InProcessCache
from cache.codec import Codec, CodecError
from cache.redis_clients import RedisClient

log = logging.getLogger("portal.cache")

T = TypeVar("T")

_COUNTER_TTL_S = 24 * 3600.0  # how long a near copy of a counter could live, were it not capped
_MAX_MISSED = 10_000  # keys remembered during an outage; beyond that, the oldest are dropped
_FAILURES = (RedisError, OSError, asyncio.TimeoutError)


class RedisCache:
    def __init__(
        self,
        redis: RedisClient,
        codec: Codec,
        *,
        prefix: str = "portal:",
        near_max_entries: int = 10_000,
        near_ttl_s: float = 5.0,
        fallback_ttl_s: float = 5.0,
        retry_after_s: float = 1.0,
        replay_window_s: float = 30.0,
        replayed_prefixes: tuple[str, ...] = ("gen:",),
        confirmed: Redis | None = None,
    ) -> None:
        self._redis = redis
        # For `set_confirmed` (redis_clients.connect_confirmed); None: `redis` is as good.
        self._confirmed = confirmed
        self._codec = codec
        self._prefix = prefix
        self._channel = f"{prefix}evicted"
        self._near_ttl_s = near_ttl_s
        self._near: TLRUCache[str, Entry] = TLRUCache(
            maxsize=near_max_entries, ttu=self._near_expiry, timer=time.time
        )
        self._fallback = InProcessCache(near_max_entries)
        self._fallback_ttl_s = fallback_ttl_s
        # What was done to keys while Redis was down, to be done there once it is back:
        # key -> the counter's TTL for an increment, None for a delete.
        self._missed: dict[str, float | None] = {}
        self._retry_after_s = retry_after_s
        self._down_until = 0.0
        self._was_down = False
        self._catching_up = asyncio.Lock()
        self._replica = secrets.token_hex(8)  # to ignore our own messages
        self._listener: asyncio.Task[None] | None = None
        self._following = contextlib.AsyncExitStack()
        self._subscribed = asyncio.Event()
        self._replay_window_s = replay_window_s
        self._replayed_prefixes = replayed_prefixes
        self._recent: dict[str, tuple[float, float]] = {}  # key → (bumped at, ttl)

    # Lifecycle

    async def start(self) -> None:
        if not isinstance(self._redis, RedisCluster):  # a cluster client follows its own
            await self._following.enter_async_context(sentinel_master.following(self._redis))
        self._listener = asyncio.create_task(self._listen(), name="cache-evictions")
        # Wait briefly for the subscription, so that nothing published after start is missed;
        # if Redis is down, carry on without it.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), timeout=1.0)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._following.aclose()
        await redis_clients.close(self._redis)
        if self._confirmed is not None:
            await redis_clients.close(self._confirmed)

    @property
    def is_degraded(self) -> bool:
        return time.monotonic() < self._down_until

    # CacheBackend

    async def get(self, key: str) -> Entry | None:
        entry = await self.get_stale(key)
        return entry if entry is not None and entry.is_fresh(time.time()) else None

    async def get_stale(self, key: str) -> Entry | None:
        near = self._near.get(key)
        if near is not None:
            return near
        raw = await self._shared(lambda: self._redis.get(self._prefix + key))
        if isinstance(raw, _Degraded):
            return await self._fallback.get_stale(key)
        return self._decoded_near(key, raw)

    async def get_many(self, keys: Sequence[str]) -> list[Entry | None]:
        """The near entries, and one MGET for the rest (a warm answer checks ~30 scope
        generations, most of them never bumped and so never near: one round trip each)."""
        found = {key: self._near.get(key) for key in keys}
        missing = [key for key, entry in found.items() if entry is None]
        if missing:
            raws = await self._shared(lambda: self._mget([self._prefix + k for k in missing]))
            if isinstance(raws, _Degraded):
                found.update(zip(missing, await self._fallback.get_many(missing), strict=True))
            else:
                found.update(zip(missing, map(self._decoded_near, missing, raws), strict=True))
        now = time.time()
        return [e if e is not None and e.is_fresh(now) else None for e in map(found.get, keys)]

    async def _mget(self, keys: list[str]) -> list[bytes | None]:
        if isinstance(self._redis, RedisCluster):  # keys of many slots: one MGET per node
            return cast("list[bytes | None]", await self._redis.mget_nonatomic(keys))
        return cast("list[bytes | None]", await self._redis.mget(keys))

    def _decoded_near(self, key: str, raw: bytes | str | None) -> Entry | None:
        entry = None if raw is None else self._decode(raw)
        if entry is not None:
            self._near[key] = entry
        return entry

    async def set(self, key: str, value: Any, ttl_s: float, keep_s: float = 0.0) -> None:
        await self._set(self._redis, key, value, ttl_s, keep_s)

    async def set_confirmed(self, key: str, value: Any, ttl_s: float) -> None:
        await self._set(self._confirmed or self._redis, key, value, ttl_s, 0.0)

    async def _set(
        self, client: RedisClient, key: str, value: Any, ttl_s: float, keep_s: float
    ) -> None:
        entry = Entry(value, time.time(), ttl_s, keep_s)
        self._near[key] = entry
        try:
            raw = self._encode(entry)
        except CodecError:
            log.warning("not shared (no codec for it): %s", key, exc_info=True)
            return
        px = max(1, int((ttl_s + keep_s) * 1000))
        done = await self._shared(lambda: client.set(self._prefix + key, raw, px=px))
        if isinstance(done, _Degraded):
            await self._fallback.set(key, value, min(ttl_s, self._fallback_ttl_s), keep_s)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._near.pop(key, None)
        done = await self._shared(lambda: self._delete_and_publish(keys))
        if isinstance(done, _Degraded):
            self._miss(keys, None)
            await self._fallback.delete(*keys)

    async def pop(self, key: str) -> Any | None:
        self._near.pop(key, None)
        raw = await self._shared(lambda: self._pop_and_publish(key))
        if isinstance(raw, _Degraded):
            self._miss([key], None)
            return await self._fallback.pop(key)
        entry = None if raw is None else self._decode(raw)
        return None if entry is None else entry.value

    async def incr(self, key: str, ttl_s: float) -> int:
        if key.startswith(self._replayed_prefixes):
            self._recent[key] = (time.monotonic(), ttl_s)
        count = await self._shared(lambda: self._incr_and_publish(key, ttl_s))
        if isinstance(count, _Degraded):
            self._miss([key], ttl_s)
            return await self._fallback.incr(key, ttl_s)
        self._near[key] = Entry(count, time.time(), _COUNTER_TTL_S)
        return count

    # Redis commands

    # Deletes and pops end sessions (a logout, a deactivation) and spend single-use links:
    # a failover must not undo them, so they go through the confirmed client, as
    # `set_confirmed` does. They are rare; the cache's own invalidations are increments.

    async def _delete_and_publish(self, keys: tuple[str, ...]) -> bool:
        if keys:
            await (self._confirmed or self._redis).delete(*(self._prefix + k for k in keys))
            await self._publish(list(keys))
        return True

    async def _pop_and_publish(self, key: str) -> bytes | None:
        client = self._confirmed or self._redis
        raw = cast("bytes | None", await client.getdel(self._prefix + key))
        await self._publish([key])
        return raw

    async def _incr_and_publish(self, key: str, ttl_s: float) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(self._prefix + key)
            pipe.expire(self._prefix + key, max(1, int(ttl_s)), nx=True)
            count, _ = await pipe.execute()
        await self._publish([key])
        return int(count)

    async def _publish(self, keys: list[str]) -> None:
        await self._redis.publish(self._channel, json.dumps({"from": self._replica, "keys": keys}))

    async def _shared(self, command: Callable[[], Awaitable[T]]) -> T | _Degraded:
        """Runs a Redis command, or answers `_DEGRADED` while Redis is failing. After an
        outage, what was missed is done to Redis first: a read must not find a key that a
        logout or an invalidation during the outage made obsolete."""
        if self.is_degraded:
            return _DEGRADED
        if self._was_down and not await self._caught_up():
            return _DEGRADED
        try:
            result = await command()
        except _FAILURES as exc:
            if not self._was_down:
                log.warning("Redis failed (%s); serving from the in-process cache", exc)
            self._down_until = time.monotonic() + self._retry_after_s
            self._was_down = True
            # Every pooled connection died with the one that failed (a restart, a network
            # cut): drop them all, so that the next try opens a fresh one. (A cluster client
            # reconnects per node by itself.)
            if not isinstance(self._redis, RedisCluster):
                with contextlib.suppress(*_FAILURES):
                    await self._redis.connection_pool.disconnect()
            return _DEGRADED
        return result

    async def _caught_up(self) -> bool:
        """One catch-up at a time: the commands that come back together wait for it, and
        find it done, instead of each replaying everything missed."""
        async with self._catching_up:
            return not self._was_down or await self._catch_up()

    def _miss(self, keys: Iterable[str], counter_ttl_s: float | None) -> None:
        for key in keys:
            self._missed.pop(key, None)  # the newest last, so the oldest go first
            self._missed[key] = counter_ttl_s
        while len(self._missed) > _MAX_MISSED:
            del self._missed[next(iter(self._missed))]

    async def _catch_up(self) -> bool:
        """Does to Redis what was done while it was down; False if it failed again."""
        missed = dict(self._missed)
        try:
            for key, counter_ttl_s in missed.items():
                if counter_ttl_s is None:
                    await self._redis.delete(self._prefix + key)
                else:
                    await self._incr_and_publish(key, counter_ttl_s)
            if missed:
                await self._publish(list(missed))
        except _FAILURES:
            self._down_until = time.monotonic() + self._retry_after_s
            return False
        log.warning("Redis is back; replayed %d keys, dropping what was cached without it",
                    len(missed))  # fmt: skip
        for key in missed:
            self._missed.pop(key, None)
        self._was_down = False
        self._fallback.clear()
        self._near.clear()
        return True

    # Pub/sub

    async def _listen(self) -> None:
        first = True
        while True:
            try:
                if isinstance(self._redis, RedisCluster):
                    # Its pub/sub needs the slot map, which only a first command loads.
                    await self._redis.initialize()
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    async for message in pubsub.listen():
                        kind = message.get("type")
                        if kind == "message":
                            self._evict(message["data"])
                        elif kind == "subscribe":
                            # Subscribed: first here, or again after a new connection (a
                            # failover, an outage), which redis-py makes without a word.
                            await self._subscribed_again(first)
                            first = False
            except _FAILURES:
                self._subscribed.clear()
                await asyncio.sleep(self._retry_after_s)

    async def _subscribed_again(self, first: bool) -> None:
        # Whatever was published while we were not listening is lost: start afresh.
        self._near.clear()
        if not first:
            await self._replay()
        self._subscribed.set()

    async def _replay(self) -> None:
        """Makes this replica's recent invalidations again, where Redis is now."""
        now = time.monotonic()
        self._recent = {
            k: (at, ttl) for k, (at, ttl) in self._recent.items()
            if now - at <= self._replay_window_s
        }  # fmt: skip
        if self._recent:
            log.warning(
                "Redis reconnected: making %d recent invalidations again", len(self._recent)
            )
        for key, (_, ttl_s) in list(self._recent.items()):
            await self._incr_and_publish(key, ttl_s)

    def _evict(self, data: bytes) -> None:
        try:
            message = json.loads(data)
            if message["from"] != self._replica:
                for key in message["keys"]:
                    self._near.pop(key, None)
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed eviction message: %r", data[:200])

    # Encoding

    def _encode(self, entry: Entry) -> bytes:
        return json.dumps(
            {
                "v": self._codec.to_json(entry.value),
                "at": entry.stored_at,
                "ttl": entry.ttl_s,
                "keep": entry.keep_s,
            },
            separators=(",", ":"),
        ).encode()

    def _decode(self, raw: bytes | str) -> Entry | None:
        if raw.isdigit():  # a counter written by INCR
            return Entry(int(raw), time.time(), _COUNTER_TTL_S)
        try:
            data = json.loads(raw)
            return Entry(self._codec.from_json(data["v"]), data["at"], data["ttl"], data["keep"])
        except (CodecError, ValueError, KeyError, TypeError):
            log.warning("ignored an undecodable cache entry", exc_info=True)
            return None

    def _near_expiry(self, key: str, entry: Entry, now: float) -> float:
        return min(now + self._near_ttl_s, entry.stored_at + entry.ttl_s + entry.keep_s)


class _Degraded:
    """What a Redis command answers while Redis is failing."""


_DEGRADED = _Degraded()
