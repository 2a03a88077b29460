"""Notifications: the member's in-app feed (Redis) — a page, the unread count, marking all
read (the marker's record is the HubSpot contact, mirrored in Redis) — and the preferences
model, which lives with the deliveries that honour it (webhooks/delivery/preferences.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from connectors import hubspot_portal, uncached
from resolvers.request.context import RequestContext
from resolvers.request.events_out import events_out
from resolvers.request.pages import Cursors, Edge, Page
from webhooks.delivery import feed
from webhooks.delivery.preferences import (
    DEFAULT_CHANNELS,
    NotificationChannel,
    NotificationPreferences,
    NotificationType,
)
from webhooks.events.types import PortalEvent
from webhooks.outbound import Outbound

__all__ = [
    "DEFAULT_CHANNELS",
    "NotificationChannel",
    "NotificationPreferences",
    "NotificationType",
    "mark_all_read",
    "notification_page",
]


@dataclass(frozen=True)
class Notification:
    item: feed.FeedItem
    read: bool


@dataclass(frozen=True)
class NotificationPage:
    page: Page[Notification]
    unread_count: int


def from_event(event: PortalEvent) -> Notification:
    """The feed item a live message announces (just added, so unread)."""
    item = feed.FeedItem(event.id, event.type, event.title, event.path, event.occurred_at,
                         time.time())  # fmt: skip
    return Notification(item, read=False)


def _outbound(ctx: RequestContext) -> Outbound:
    return events_out(ctx, "In-app notifications")


async def notification_page(ctx: RequestContext, first: int, after: str | None) -> NotificationPage:
    contact_id = ctx.person().contact_id
    # The feed lives in Redis, under no cache scope a new item would invalidate: a response
    # cache must not keep an answer read from it (connectors/uncached.py).
    uncached.note_call()
    outbound = _outbound(ctx)
    cursors = Cursors(ctx.services.cursor_signer, f"notifications:{contact_id}")
    before = cursors.decode(after)
    read_at = await _read_at(ctx, outbound, contact_id)
    found = await feed.page(
        outbound.redis, outbound.prefix, contact_id, first, float(before) if before else None
    )
    edges = [Edge(Notification(i, i.added_at <= read_at), cursors, i.added_at) for i in found.items]
    unread = await feed.unread_count(outbound.redis, outbound.prefix, contact_id, read_at)
    total = await feed.total_count(outbound.redis, outbound.prefix, contact_id)
    return NotificationPage(Page(edges, found.has_next, total), unread)


async def mark_all_read(ctx: RequestContext) -> float:
    """Everything that arrived until now is read; returns that moment."""
    contact_id = ctx.person().contact_id
    outbound = _outbound(ctx)
    now = time.time()
    await hubspot_portal.write_property(
        ctx.services.upstreams.hubspot, "contacts", contact_id,
        hubspot_portal.NOTIFICATIONS_READ_PROPERTY, str(now),
    )  # fmt: skip
    await feed.cache_read_at(outbound.redis, outbound.prefix, contact_id, now)
    return now


async def _read_at(ctx: RequestContext, outbound: Outbound, contact_id: str) -> float:
    cached = await feed.cached_read_at(outbound.redis, outbound.prefix, contact_id)
    if cached is not None:
        return cached
    raw = await hubspot_portal.read_property(
        ctx.services.upstreams.hubspot, "contacts", contact_id,
        hubspot_portal.NOTIFICATIONS_READ_PROPERTY,
    )  # fmt: skip
    try:
        read_at = float(raw) if raw else 0.0
    except ValueError:
        read_at = 0.0
    await feed.cache_read_at(outbound.redis, outbound.prefix, contact_id, read_at)
    return read_at
