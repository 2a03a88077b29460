"""The one job queue: SAQ on the events' Redis (`PORTAL_EVENTS_REDIS_URL`, else `REDIS_URL`;
asyncio-native; retries with backoff, scheduled jobs, unique job keys, and a sweep that
re-runs the jobs of a worker that died).

Job keys make enqueueing idempotent while a job is pending; what is done is remembered
apart (`Deliveries.done`), so a job run twice sends once. On Redis Sentinel the queue runs on
the master, each command confirmed there (cache/sentinel_master.py), so that a failover
loses no job; on a Redis Cluster it does not run (`CLUSTER_REFUSED`)."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from redis.exceptions import RedisError
from saq import Queue
from saq.queue.redis import RedisQueue

from cache import redis_clients
from webhooks.events import vendors
from webhooks.events.types import PortalEvent

# A job that outlives this was on a worker that died (or hung): the sweep runs it again.
JOB_TIMEOUT_S = 60
RETRIES = 8  # with backoff from 1 s up to 5 min: about 20 minutes of an upstream outage
COMMAND_TIMEOUT_S = 1.0  # the gateway's commands (an enqueue's script, a feed's reads) are short

# SAQ's keys share no hash slot (a job's abort key lacks the queue's name), its sweep aborts
# a dead worker's job in a MULTI that PUBLISHes, which redis-py's cluster pipeline refuses,
# and its sweep script reads keys it does not declare. docs/operations.md has the details.
CLUSTER_REFUSED = (
    "events out (the job queue and its worker) do not run on a Redis Cluster: SAQ's keys "
    "span hash slots and its sweep publishes inside a transaction. Set "
    "PORTAL_EVENTS_REDIS_URL to a redis:// or redis+sentinel:// Redis for them; the cache "
    "stays on REDIS_URL (docs/operations.md, 'Redis beyond one node')"
)


def supports_queue(redis_url: str) -> bool:
    return urlsplit(redis_url).scheme not in redis_clients.CLUSTER_SCHEMES


def queue_name(key_prefix: str) -> str:
    return f"{key_prefix}jobs"


@asynccontextmanager
async def open_queue(
    redis_url: str, key_prefix: str, *, timeout_s: float = COMMAND_TIMEOUT_S
) -> AsyncIterator[Queue]:
    """The queue on `redis_url` (not a Cluster: `supports_queue`); `timeout_s` must exceed
    the longest blocking pop of a worker on it."""
    client = redis_clients.connect_durable(redis_url, timeout_s)
    queue = RedisQueue(client, name=queue_name(key_prefix))
    await queue.connect()
    try:
        yield queue
    finally:
        # Closing says goodbye to Redis; if Redis is gone there is no one to tell.
        with contextlib.suppress(RedisError, OSError):
            await queue.disconnect()
        with contextlib.suppress(RedisError, OSError):
            await redis_clients.close(client)  # and to the sentinels


async def enqueue(queue: Queue, function: str, key: str, **kwargs: Any) -> None:
    options: dict[str, Any] = {
        "timeout": JOB_TIMEOUT_S, "retries": RETRIES, "retry_delay": 1.0, "retry_backoff": 300,
    }  # fmt: skip
    await queue.enqueue(function, key=key, **(options | kwargs))


async def enqueue_vendor_webhook(queue: Queue, vendor: str, body: bytes) -> None:
    """Queues the derivation of a verified vendor webhook's events (deduplicated by the
    vendor's event ids, so a redelivery while it waits queues nothing)."""
    text = body.decode()
    ids = vendors.source_ids(vendor, text) or [hashlib.sha256(body).hexdigest()]
    digest = hashlib.sha256("\0".join(ids).encode()).hexdigest()[:32]
    await enqueue(queue, "derive_events", f"vendor:{vendor}:{digest}", vendor=vendor, body=text)


async def enqueue_event(queue: Queue, event: PortalEvent) -> None:
    """Queues an event's fan-out to its recipients and endpoints (the portal's own writes
    call this directly)."""
    await enqueue(queue, "fan_out", f"event:{event.id}", event=event.to_json())
