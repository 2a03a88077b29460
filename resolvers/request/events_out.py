"""Hands a portal write's event to the queue (webhooks/delivery): the write has happened, so
a queue that cannot take it now is logged, not turned into a failed write."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from resolvers.request.context import RequestContext
from webhooks.delivery import queue
from webhooks.events.types import PortalEvent

log = logging.getLogger("portal.events")


async def emit(ctx: RequestContext, event: PortalEvent) -> None:
    outbound = ctx.services.outbound
    if outbound is None:
        return  # no Redis, no events out
    try:
        await queue.enqueue_event(outbound.queue, event)
    except (RedisError, OSError):
        log.error("event %s (%s) not queued", event.id, event.type, exc_info=True)
