"""The in-app notification task: the member's feed gets the item, and the member's open
`notificationAdded` subscriptions hear of it on every replica."""

from __future__ import annotations

import time
from typing import Any

from webhooks.delivery import feed
from webhooks.delivery.context import Deliveries
from webhooks.events import live
from webhooks.events.types import PortalEvent


async def add_to_feed(ctx: dict[str, Any], *, event: str, contact_id: str) -> None:
    deliveries: Deliveries = ctx["deliveries"]
    found = PortalEvent.from_json(event)
    item = feed.FeedItem(
        found.id, found.type, found.title, found.path, found.occurred_at, time.time()
    )
    if await feed.add(deliveries.redis, deliveries.prefix, contact_id, item):
        message = live.LiveMessage(found, contact_id=contact_id)
        await live.publish(deliveries.redis, deliveries.prefix, message)
