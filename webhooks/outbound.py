"""What a gateway replica holds of events out: the queue it adds jobs to, Redis for feeds
and delivery logs, and the hub that feeds its live subscriptions, all on the events' Redis
(`Settings.events_out_redis_url`). None without one, and None on a Redis Cluster
(webhooks/delivery/queue.py says why)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from redis.asyncio import Redis
from saq import Queue

from cache import redis_clients
from cache.sentinel_master import following
from webhooks.delivery.endpoints import SecretBox
from webhooks.delivery.queue import CLUSTER_REFUSED, COMMAND_TIMEOUT_S, open_queue, supports_queue
from webhooks.events.live import LiveHub

log = logging.getLogger("portal.events")


@dataclass(frozen=True)
class Outbound:
    queue: Queue
    redis: Redis
    prefix: str
    hub: LiveHub
    secrets: SecretBox
    allow_loopback: bool  # client webhook targets (webhooks/delivery/targets.py)
    hook_timeout_s: float  # one delivery attempt
    secret_overlap_s: float  # how long a rotated-out endpoint secret still signs


@asynccontextmanager
async def open_outbound(
    redis_url: str, prefix: str, secret_key: str, *, allow_loopback: bool, hook_timeout_s: float,
    secret_overlap_s: float,
) -> AsyncIterator[Outbound | None]:  # fmt: skip
    if not redis_url:
        yield None
        return
    if not supports_queue(redis_url):
        log.warning("events out are off: %s", CLUSTER_REFUSED)
        yield None
        return
    async with AsyncExitStack() as stack:
        queue = await stack.enter_async_context(open_queue(redis_url, prefix))
        redis = redis_clients.connect_durable(redis_url, COMMAND_TIMEOUT_S)
        stack.push_async_callback(redis_clients.close, redis)
        # The hub's subscription has a client of its own, which follows a failover.
        listening = redis_clients.connect_subscriber(redis_url)
        stack.push_async_callback(redis_clients.close, listening)
        await stack.enter_async_context(following(listening))
        hub = LiveHub(listening, prefix)
        await hub.start()
        stack.push_async_callback(hub.close)
        box = SecretBox(secret_key)
        yield Outbound(queue, redis, prefix, hub, box, allow_loopback, hook_timeout_s,
                       secret_overlap_s)  # fmt: skip
