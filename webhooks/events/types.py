"""The portal's event types and the event record that travels through the queue."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    INVOICE_CREATED = "invoice.created"
    INVOICE_PAID = "invoice.paid"
    INVOICE_PAYMENT_FAILED = "invoice.payment_failed"
    SUBSCRIPTION_RENEWAL_UPCOMING = "subscription.renewal_upcoming"
    SUBSCRIPTION_CHANGED = "subscription.changed"
    TICKET_STATUS_CHANGED = "ticket.status_changed"
    TICKET_COMMENT_ADDED = "ticket.comment_added"
    DOCUMENT_ADDED = "document.added"
    MEMBER_INVITED = "member.invited"
    ONBOARDING_ITEM_COMPLETED = "onboarding.item_completed"


# Sent to client endpoints only when asked for by name; never derived from a vendor.
TEST_EVENT = "webhook.test"


def event_id(source: str, source_id: str, kind: str) -> str:
    """A stable id: the same vendor event (or write) always gives the same portal event id.
    `source` names where it came from ("stripe", "zendesk", "portal"), `source_id` the
    vendor's own event id (or what identifies the write)."""
    digest = hashlib.sha256(f"{source}\0{source_id}\0{kind}".encode()).hexdigest()
    return f"evt_{digest[:32]}"


@dataclass(frozen=True)
class PortalEvent:
    id: str
    type: str  # an EventType value, or TEST_EVENT
    account_id: str  # the HubSpot company
    occurred_at: float  # unix seconds, as the vendor reported it
    title: str  # one line for people: "Ticket #145 is now solved"
    path: str  # where the portal shows it, e.g. "/tickets/145"
    data: dict[str, Any] = field(default_factory=dict)  # the JSON clients' endpoints get

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> PortalEvent:
        return cls(**json.loads(text))

    def payload(self) -> dict[str, Any]:
        """The body a client's endpoint receives (Standard Webhooks: type, timestamp, data)."""
        return {
            "id": self.id,
            "type": self.type,
            "timestamp": self.occurred_at,
            "account_id": self.account_id,
            "data": self.data,
        }
