"""One vendor webhook body in, its portal events out (the worker's first job)."""

from __future__ import annotations

import json
from typing import Any

from connectors.http import JsonService
from webhooks.events import accounts, from_drive, from_stripe, from_zendesk
from webhooks.events.derived import Derived
from webhooks.events.types import PortalEvent

# Vendors whose webhook bodies carry portal events (Drive's are read by the gateway, and
# HubSpot's name nothing the portal tells of: an invitation is the portal's own write).
VENDORS = ("stripe", "zendesk")


def derive(vendor: str, body: str) -> list[Derived]:
    data: Any = json.loads(body)
    if vendor == "stripe" and isinstance(data, dict):
        return from_stripe.derive(data)
    if vendor == "zendesk" and isinstance(data, dict):
        return from_zendesk.derive(data)
    if vendor == "drive" and isinstance(data, list):
        return from_drive.derive([f for f in data if isinstance(f, dict)])
    return []


def source_ids(vendor: str, body: str) -> list[str]:
    """The vendor's own event ids in a body: the job key, so a redelivery queues nothing."""
    data: Any = json.loads(body)
    events = data if isinstance(data, list) else [data]
    ids = [str(e.get("eventId") or e.get("id") or "") for e in events if isinstance(e, dict)]
    return sorted(i for i in ids if i)


async def portal_events(hubspot: JsonService, vendor: str, body: str) -> list[PortalEvent]:
    return await accounts.events_of(hubspot, derive(vendor, body))
