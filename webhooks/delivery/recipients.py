"""Who hears of an event, on which channels: the account's active members, each as their
preferences say for the event's kind of notification."""

from __future__ import annotations

from dataclasses import dataclass

from connectors import hubspot
from connectors.http import JsonService
from webhooks.delivery.preferences import (
    NotificationChannel,
    NotificationPreferences,
    NotificationType,
)
from webhooks.events.types import EventType

# Events members are notified of, by the preference that governs them. Others
# (member.invited, onboarding.item_completed) go to subscriptions and client endpoints only.
NOTIFIED: dict[str, NotificationType] = {
    EventType.INVOICE_CREATED: NotificationType.INVOICE_GENERATED,
    EventType.INVOICE_PAID: NotificationType.INVOICE_GENERATED,
    EventType.INVOICE_PAYMENT_FAILED: NotificationType.INVOICE_GENERATED,
    EventType.SUBSCRIPTION_RENEWAL_UPCOMING: NotificationType.RENEWAL_REMINDER,
    EventType.SUBSCRIPTION_CHANGED: NotificationType.RENEWAL_REMINDER,
    EventType.TICKET_STATUS_CHANGED: NotificationType.TICKET_STATUS_CHANGED,
    EventType.TICKET_COMMENT_ADDED: NotificationType.TICKET_STATUS_CHANGED,
    EventType.DOCUMENT_ADDED: NotificationType.DOCUMENT_ADDED,
}


@dataclass(frozen=True)
class Recipient:
    contact_id: str
    email: str | None
    phone: str | None
    name: str
    role: str
    channels: frozenset[NotificationChannel]


async def members_of(http: JsonService, account_id: str) -> list[hubspot.Contact]:
    [contact_ids] = await hubspot.contact_ids_of_companies(http, [account_id])
    contacts = await hubspot.contacts_by_id(http, contact_ids)
    return [c for c in contacts if c is not None and c.portal_status == "ACTIVE" and c.portal_role]


def recipients(members: list[hubspot.Contact], event_type: str) -> list[Recipient]:
    kind = NOTIFIED.get(event_type)
    if kind is None:
        return []
    found = []
    for contact in members:
        channels = NotificationPreferences.from_json(contact.notification_preferences).of(kind)
        if channels:
            found.append(_recipient(contact, channels))
    return found


def admins(members: list[hubspot.Contact]) -> list[Recipient]:
    every = frozenset({NotificationChannel.EMAIL})
    return [_recipient(c, every) for c in members if c.portal_role == "ADMIN"]


def _recipient(contact: hubspot.Contact, channels: frozenset[NotificationChannel]) -> Recipient:
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p) or "there"
    return Recipient(
        contact.id, contact.email, contact.phone, name, contact.portal_role or "", channels
    )
