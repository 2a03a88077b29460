"""Which account a derived event belongs to: the HubSpot companies holding the vendor's id."""

from __future__ import annotations

from connectors import hubspot_portal
from connectors.http import JsonService
from webhooks.events.derived import Derived
from webhooks.events.types import PortalEvent


async def events_of(http: JsonService, derived: list[Derived]) -> list[PortalEvent]:
    found: list[PortalEvent] = []
    for one in derived:
        found += [one.for_account(company) for company in await _companies(http, one)]
    return found


async def _companies(http: JsonService, derived: Derived) -> list[str]:
    owner = derived.owner
    if owner.property == "company":
        return [owner.value]
    return await hubspot_portal.company_ids_where(http, owner.property, owner.value)
