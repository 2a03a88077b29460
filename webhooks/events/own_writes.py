"""Portal events of the portal's own writes, for what no vendor webhook tells: an invitation
made in the portal (the contact HubSpot creates for it comes back as `contact.creation`,
which says nothing of an invitation). The id derives from the write, so a retried write
that changes nothing makes no second event."""

from __future__ import annotations

from datetime import datetime

from webhooks.events import links
from webhooks.events.types import EventType, PortalEvent, event_id


def member_invited(
    account_id: str, contact_id: str, role: str, invited_at: datetime, invited_by: str
) -> PortalEvent:
    moment = invited_at.timestamp()
    return PortalEvent(
        id=event_id("portal", f"{account_id}:{contact_id}:{moment}", EventType.MEMBER_INVITED),
        type=EventType.MEMBER_INVITED.value,
        account_id=account_id,
        occurred_at=moment,
        title=f"{invited_by} invited a new member",
        path=links.TEAM,
        data={"member": {"id": contact_id, "role": role}},
    )
