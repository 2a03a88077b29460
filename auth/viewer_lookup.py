"""Reads the viewer from HubSpot: role, status and company links, cached at most a minute so
that a removed or disabled member loses access within that time."""

from __future__ import annotations

import asyncio

from auth.viewer import MemberStatus, Role, Viewer
from cache import scopes
from cache.read_through import CacheKey, ReadThroughCache
from connectors import hubspot
from connectors.http import JsonService
from connectors.hubspot import Contact


async def load_viewer(
    http: JsonService, cache: ReadThroughCache, contact_id: str, ttl_s: float
) -> Viewer | None:
    """The viewer for an ACTIVE portal member, or None when the contact may not sign in."""

    async def read() -> Viewer | None:
        viewer, contact = await _read(http, contact_id)
        if contact is not None:
            # The member's own record is part of most queries: this read serves them too.
            await cache.prime(CacheKey(scopes.contact(contact_id)), contact)
        return viewer

    return await cache.get_or_load(CacheKey(scopes.viewer(contact_id)), read, ttl_s)


async def read_viewer(http: JsonService, contact_id: str) -> Viewer | None:
    """The viewer read fresh from HubSpot, bypassing the cache (sign-in uses this)."""
    viewer, _ = await _read(http, contact_id)
    return viewer


async def _read(http: JsonService, contact_id: str) -> tuple[Viewer | None, Contact | None]:
    # One round trip: the contact and its company links are read side by side.
    contacts, links = await asyncio.gather(
        hubspot.contacts_by_id(http, [contact_id]),
        hubspot.company_ids_of_contacts(http, [contact_id]),
    )
    contact, company_ids = contacts[0], links[0]
    if contact is None or contact.portal_status != MemberStatus.ACTIVE or not company_ids:
        return None, contact
    try:
        role = Role(contact.portal_role or "")
    except ValueError:
        return None, contact
    return Viewer(contact.id, contact.email or "", role, tuple(company_ids)), contact
