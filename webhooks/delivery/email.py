"""A notification mail: a text and an HTML part in the account's branding, a direct link
into the portal, and a signed one-click unsubscribe link (RFC 8058 headers too)."""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

from auth.signing import Signer
from webhooks.delivery.context import Deliveries
from webhooks.delivery.preferences import NotificationChannel, NotificationType
from webhooks.delivery.queue import JOB_TIMEOUT_S
from webhooks.delivery.recipients import NOTIFIED
from webhooks.events.types import PortalEvent

_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")
DEFAULT_COLOUR = "#1f4fd8"


@dataclass(frozen=True)
class Branding:
    account_name: str
    logo_url: str | None
    primary_color: str | None

    def colour(self) -> str:
        # A property anyone with HubSpot access can edit: only a plain colour goes into CSS.
        found = self.primary_color or ""
        return found if _COLOUR.fullmatch(found) else DEFAULT_COLOUR


def unsubscribe_token(
    signer: Signer, contact_id: str, kind: NotificationType, channel: NotificationChannel
) -> str:
    return signer.sign({"contact": contact_id, "type": kind.value, "channel": channel.value})


def compose(
    *,
    sender: str,
    to: str,
    name: str,
    event: PortalEvent,
    branding: Branding,
    public_url: str,
    unsubscribe_url: str,
    kind: NotificationType,
) -> EmailMessage:
    link = public_url + event.path
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = f"{branding.account_name}: {event.title}"
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["X-Portal-Event-Id"] = event.id
    setting = kind.value.replace("_", " ").lower()
    message.set_content(
        f"Hello {name},\n\n{event.title}\n\nOpen it in the portal: {link}\n\n"
        f"You get this mail because {setting} notifications are on for you.\n"
        f"Stop these mails with one click: {unsubscribe_url}\n"
    )
    message.add_alternative(_html(name, event, branding, link, unsubscribe_url, setting), "html")
    return message


def _html(
    name: str, event: PortalEvent, branding: Branding, link: str, unsubscribe: str, setting: str
) -> str:
    e = html.escape
    colour = branding.colour()
    logo = (
        f'<img src="{e(branding.logo_url)}" alt="{e(branding.account_name)}" height="32">'
        if branding.logo_url and branding.logo_url.startswith("https://")
        else f"<strong>{e(branding.account_name)}</strong>"
    )
    return f"""<!doctype html>
<html><body style="font-family:system-ui,sans-serif;color:#222;margin:0;padding:24px">
<div style="border-top:4px solid {colour};padding-top:16px;max-width:560px">
<p>{logo}</p>
<p>Hello {e(name)},</p>
<p style="font-size:1.1em">{e(event.title)}</p>
<p><a href="{e(link)}" style="background:{colour};color:#fff;padding:8px 16px;
border-radius:4px;text-decoration:none">Open in the portal</a></p>
<p style="color:#666;font-size:.85em">You get this mail because {e(setting)} notifications
are on for you. <a href="{e(unsubscribe)}">Unsubscribe</a> with one click.</p>
</div></body></html>
"""


def unsubscribe_url(public_url: str, token: str) -> str:
    return f"{public_url}/notifications/unsubscribe?token={quote(token)}"


async def send_email(
    ctx: dict[str, Any], *, event: str, contact_id: str, to: str, name: str, branding: str
) -> None:
    """The queue task: one mail per event and member, whatever the retries."""
    deliveries: Deliveries = ctx["deliveries"]
    found = PortalEvent.from_json(event)
    done_key = f"email:{found.id}:{contact_id}"
    if await deliveries.done(done_key):
        return
    await deliveries.claim(done_key, JOB_TIMEOUT_S)
    settings = deliveries.settings
    kind = NOTIFIED[found.type]
    token = unsubscribe_token(
        deliveries.unsubscribe_signer(), contact_id, kind, NotificationChannel.EMAIL
    )
    message = compose(
        sender=settings.mail_from,
        to=to,
        name=name,
        event=found,
        branding=Branding(**_loads(branding)),
        public_url=settings.public_url,
        unsubscribe_url=unsubscribe_url(settings.public_url, token),
        kind=kind,
    )
    await deliveries.mailer.send(message)
    await deliveries.mark_done(done_key)


def branding_json(branding: Branding) -> str:
    return json.dumps(asdict(branding))


def _loads(text: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(text)
    return found
