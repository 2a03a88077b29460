"""Portal events in HubSpot webhook events
(https://developers.hubspot.com/docs/api/webhooks): a contact whose portal status becomes
INVITED is a member invited, whoever invited them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webhooks.events.derived import Derived, Owner
from webhooks.events.types import EventType


def derive(events: list[Mapping[str, Any]]) -> list[Derived]:
    return [found for event in events for found in _derived(event)]


def _derived(event: Mapping[str, Any]) -> list[Derived]:
    invited = (
        event.get("subscriptionType") == "contact.propertyChange"
        and event.get("propertyName") == "portal_status"
        and event.get("propertyValue") == "INVITED"
    )
    if not invited or not event.get("eventId") or not event.get("objectId"):
        return []
    contact_id = str(event["objectId"])
    return [
        Derived(
            type=EventType.MEMBER_INVITED,
            source="hubspot",
            source_id=str(event["eventId"]),
            owner=Owner("contact", contact_id),  # the contact's companies
            occurred_at=float(event.get("occurredAt") or 0) / 1000,
            title="A new member was invited to the portal",
            path="/team",
            data={"member": {"id": contact_id}},
        )
    ]
