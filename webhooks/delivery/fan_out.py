"""From a vendor webhook to deliveries: derive the portal events, then queue one job per
event x recipient x channel (and per subscribed client endpoint), and tell the replicas."""

from __future__ import annotations

from typing import Any

from connectors import hubspot
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
    members = await members_of(deliveries.hubspot, found.account_id)
    chosen = recipients(members, found.type)
    branding = await _branding(deliveries, found.account_id) if chosen else ""
    jobs = 0
    for recipient in chosen:
        jobs += await _queue_for(deliveries, found, recipient, branding)
    for endpoint in await endpoints.endpoints_of(deliveries.hubspot, found.account_id):
        if endpoint.wants(found.type):
            await client_hooks.enqueue_delivery(
                deliveries.queue, found, endpoint.id,
                timeout_s=deliveries.settings.webhook_timeout_s,
            )  # fmt: skip
            jobs += 1
    return jobs


async def _queue_for(
    deliveries: Deliveries, event: PortalEvent, recipient: Recipient, branding: str
) -> int:
    q, who, text = deliveries.queue, recipient.contact_id, event.to_json()
    jobs = 0
    if NotificationChannel.IN_APP in recipient.channels:
        await queue.enqueue(q, "add_to_feed", f"in_app:{event.id}:{who}", event=text,
                            contact_id=who)  # fmt: skip
        jobs += 1
    if NotificationChannel.EMAIL in recipient.channels and recipient.email:
        await queue.enqueue(q, "send_email", f"email:{event.id}:{who}", event=text,
                            contact_id=who, to=recipient.email, name=recipient.name,
                            branding=branding)  # fmt: skip
        jobs += 1
    if NotificationChannel.SMS in recipient.channels and recipient.phone:
        await queue.enqueue(q, "send_sms", f"sms:{event.id}:{who}", event=text,
                            contact_id=who, to=recipient.phone)  # fmt: skip
        jobs += 1
    return jobs


async def _branding(deliveries: Deliveries, account_id: str) -> str:
    [company] = await hubspot.companies_by_id(deliveries.hubspot, [account_id])
    if company is None:
        return branding_json(Branding("Client Portal", None, None))
    return branding_json(Branding(company.name, company.logo_url, company.primary_color))
