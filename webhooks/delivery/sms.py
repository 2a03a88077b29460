"""The SMS task: one text per event and member, through Twilio's Messages API."""

from __future__ import annotations

from typing import Any

from connectors import twilio
from webhooks.delivery.context import Deliveries
from webhooks.delivery.queue import JOB_TIMEOUT_S
from webhooks.events.types import PortalEvent

MAX_LENGTH = 160  # one segment: a notification, not a letter


def text_of(event: PortalEvent, public_url: str) -> str:
    link = public_url + event.path
    room = MAX_LENGTH - len(link) - 1
    title = event.title if len(event.title) <= room else event.title[: room - 1] + "…"
    return f"{title} {link}"


async def send_sms(ctx: dict[str, Any], *, event: str, contact_id: str, to: str) -> None:
    deliveries: Deliveries = ctx["deliveries"]
    if deliveries.twilio is None:
        return  # no SMS provider configured: preferences for SMS wait for one
    found = PortalEvent.from_json(event)
    done_key = f"sms:{found.id}:{contact_id}"
    if await deliveries.done(done_key):
        return
    await deliveries.claim(done_key, JOB_TIMEOUT_S)
    await twilio.send_sms(deliveries.twilio, to, text_of(found, deliveries.settings.public_url))
    await deliveries.mark_done(done_key)
