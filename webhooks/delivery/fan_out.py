"""From a vendor webhook to deliveries: derive the portal events, then queue one job per
event x recipient x channel (and per subscribed client endpoint), and tell the replicas."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from connectors import hubspot
from connectors.http import gather_aligned
from webhooks.delivery import client_hooks, endpoints, queue
from webhooks.delivery.context import Deliveries
from webhooks.delivery.email import Branding, branding_json
from webhooks.delivery.preferences import NotificationChannel
from webhooks.delivery.recipients import Recipient, members_of, recipients
from webhooks.events import live, vendors
from webhooks.events.types import PortalEvent


async def derive_events(ctx: dict[str, Any], *, vendor: str, body: str) -> list[str]:
    deliveries: Deliveries = ctx["deliveries"]
    events = await vendors.portal_events(deliveries.hubspot, vendor, body)
    for event in events:
        await queue.enqueue_event(deliveries.queue, event)
    return [event.id for event in events]


async def fan_out(ctx: dict[str, Any], *, event: str) -> int:
    deliveries: Deliveries = ctx["deliveries"]
    found = PortalEvent.from_json(event)
    if not await deliveries.done(f"live:{found.id}"):
        await live.publish(deliveries.redis, deliveries.prefix, live.LiveMessage(found))
        await deliveries.mark_done(f"live:{found.id}")
    http, account = deliveries.hubspot, found.account_id
    # Three reads at once (measured: one after another, they were most of a fan-out).
    members, branding, hooks = await gather_aligned(
        members_of(http, account),
        _branding(deliveries, account),
        endpoints.endpoints_of(http, account),
    )
    timeout_s = deliveries.settings.webhook_timeout_s
    # Client endpoints first: one job each, where members may be many.
    jobs = [
        client_hooks.enqueue_delivery(deliveries.queue, found, e.id, timeout_s=timeout_s)
        for e in hooks if e.wants(found.type)
    ]  # fmt: skip
    chosen = recipients(members, found.type)
    jobs += [job for r in chosen for job in _jobs(deliveries, found, r, branding)]
    await asyncio.gather(*jobs)
    return len(jobs)


def _jobs(
    deliveries: Deliveries, event: PortalEvent, recipient: Recipient, branding: str
) -> list[Coroutine[Any, Any, None]]:
    """The enqueueing of one job per channel the recipient chose."""
    q, who, text = deliveries.queue, recipient.contact_id, event.to_json()
    jobs: list[Coroutine[Any, Any, None]] = []
    if NotificationChannel.IN_APP in recipient.channels:
        jobs.append(queue.enqueue(q, "add_to_feed", f"in_app:{event.id}:{who}", event=text,
                                  contact_id=who))  # fmt: skip
    if NotificationChannel.EMAIL in recipient.channels and recipient.email:
        jobs.append(queue.enqueue(q, "send_email", f"email:{event.id}:{who}", event=text,
                                  contact_id=who, to=recipient.email, name=recipient.name,
                                  branding=branding))  # fmt: skip
    if NotificationChannel.SMS in recipient.channels and recipient.phone:
        jobs.append(queue.enqueue(q, "send_sms", f"sms:{event.id}:{who}", event=text,
                                  contact_id=who, to=recipient.phone))  # fmt: skip
    return jobs


async def _branding(deliveries: Deliveries, account_id: str) -> str:
    [company] = await hubspot.companies_by_id(deliveries.hubspot, [account_id])
    if company is None:
        return branding_json(Branding("Client Portal", None, None))
    return branding_json(Branding(company.name, company.logo_url, company.primary_color))
