"""The gateway's events out, for resolvers: `events_out` for reads of the feeds, the live hub
and the endpoints, which refuse clearly without them; `emit` hands a portal write's event to
the queue (webhooks/delivery): the write has happened, so a queue that cannot take it now is
logged, not turned into a failed write."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from resolvers.request.context import RequestContext
from resolvers.request.errors import bad_input
from webhooks.delivery import queue
from webhooks.events.types import PortalEvent
from webhooks.outbound import Outbound

log = logging.getLogger("portal.events")


async def emit(ctx: RequestContext, event: PortalEvent) -> None:
    outbound = ctx.services.outbound
    if outbound is None:
        return  # no Redis, no events out
    try:
        await queue.enqueue_event(outbound.queue, event)
    except (RedisError, OSError):
        log.error("event %s (%s) not queued", event.id, event.type, exc_info=True)


def events_out(ctx: RequestContext, what: str) -> Outbound:
    """Events out, or a refusal naming the setting they need (`what`: "Live updates")."""
    if ctx.services.outbound is None:
        raise bad_input(
            f"{what} need the gateway's events Redis (PORTAL_EVENTS_REDIS_URL or REDIS_URL)."
        )
    return ctx.services.outbound
