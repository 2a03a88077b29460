"""The one job queue: SAQ on the gateway's Redis (asyncio-native; retries with backoff,
scheduled jobs, unique job keys, and a sweep that re-runs the jobs of a worker that died).

Job keys make enqueueing idempotent while a job is pending; what is done is remembered
apart (`Deliveries.done`), so a job run twice sends once."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from redis.exceptions import RedisError
from saq import Queue

from webhooks.events import vendors
from webhooks.events.types import PortalEvent

# A job that outlives this was on a worker that died (or hung): the sweep runs it again.
JOB_TIMEOUT_S = 60
RETRIES = 8  # with backoff from 1 s up to 5 min: about 20 minutes of an upstream outage


# The queue's Lua scripts touch several keys at once, which a Redis Cluster refuses, and
# its blocking pops need a plain connection: events out run on a single Redis (redis://,
# rediss://, unix://); with Sentinel or Cluster URLs (cache/redis_clients.py) they are off.
QUEUE_SCHEMES = ("redis", "rediss", "unix")


def supports_queue(redis_url: str) -> bool:
    return urlsplit(redis_url).scheme in QUEUE_SCHEMES


def queue_name(key_prefix: str) -> str:
    return f"{key_prefix}jobs"


@asynccontextmanager
async def open_queue(redis_url: str, key_prefix: str) -> AsyncIterator[Queue]:
    queue = Queue.from_url(redis_url, name=queue_name(key_prefix))
    await queue.connect()
    try:
        yield queue
    finally:
        # Closing says goodbye to Redis; if Redis is gone there is no one to tell.
        with contextlib.suppress(RedisError, OSError):
            await queue.disconnect()


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
