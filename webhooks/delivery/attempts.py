"""The last delivery attempts per client endpoint (status, latency, response snippet), and
its run of consecutive failures; in Redis, bounded, for the ADMIN's delivery log."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from redis.asyncio import Redis

KEEP = 50
KEEP_S = 30 * 24 * 3600
SNIPPET_CHARS = 500


@dataclass(frozen=True)
class Attempt:
    event_id: str
    event_type: str
    attempt: int
    at: float
    status: int | None  # None: no HTTP answer (refused, timed out, address not allowed)
    latency_ms: float
    response: str  # the first characters of the answer, or why there was none
    delivered: bool


async def record(redis: Redis, prefix: str, endpoint_id: str, attempt: Attempt) -> int:
    """Logs the attempt; returns the endpoint's consecutive failures (0 after a success)."""
    log_key = f"{prefix}hook-attempts:{endpoint_id}"
    failures_key = f"{prefix}hook-failures:{endpoint_id}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.lpush(log_key, json.dumps(asdict(attempt)))
        pipe.ltrim(log_key, 0, KEEP - 1)
        pipe.expire(log_key, KEEP_S)
        if attempt.delivered:
            pipe.delete(failures_key)
        else:
            pipe.incr(failures_key)
            pipe.expire(failures_key, KEEP_S)
        done = await pipe.execute()
    return 0 if attempt.delivered else int(done[3])


async def last(redis: Redis, prefix: str, endpoint_id: str, count: int) -> list[Attempt]:
    async with redis.pipeline(transaction=False) as pipe:
        pipe.lrange(f"{prefix}hook-attempts:{endpoint_id}", 0, count - 1)
        [raw] = await pipe.execute()
    return [Attempt(**json.loads(r)) for r in raw]


async def forget(redis: Redis, prefix: str, endpoint_id: str) -> None:
    await redis.delete(
        f"{prefix}hook-attempts:{endpoint_id}", f"{prefix}hook-failures:{endpoint_id}"
    )


async def reset_failures(redis: Redis, prefix: str, endpoint_id: str) -> None:
    await redis.delete(f"{prefix}hook-failures:{endpoint_id}")
