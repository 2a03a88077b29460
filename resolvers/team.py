"""An account's team: the HubSpot contacts associated with the company that hold a portal
role. Pages are cut from the association list first, so a page costs one batch read of
contacts whatever the team's size."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from auth.viewer import Role, Viewer
from cache import scopes
from cache.read_through import CacheKey
from connectors import hubspot
from connectors.hubspot import Company, Contact
from resolvers.notifications import (
    NotificationChannel,
    NotificationPreferences,
    NotificationType,
)
from resolvers.request import audit
from resolvers.request.access import visible_account
from resolvers.request.context import RequestContext
from resolvers.request.errors import bad_input, not_found
from resolvers.request.ids import decode_id
from resolvers.request.pages import Cursors, Edge, Page
from resolvers.request.user_input import Checks, ProblemCode
from resolvers.request.writes import WriteResult

PORTAL_ROLES = {role.value for role in Role}


def is_portal_member(contact: Contact | None) -> bool:
    return contact is not None and contact.portal_role in PORTAL_ROLES


MAX_SEARCH = 100


@dataclass(frozen=True)
class TeamFilter:
    """Narrows the team: any of `statuses`, any of `roles`, and `search` in name or email."""

    statuses: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    search: str | None = None

    def __bool__(self) -> bool:
        return bool(self.statuses or self.roles or self.search)

    def key(self) -> str:
        """What a cursor is bound to: the same filter, or the cursor is refused."""
        return f"{','.join(sorted(self.statuses))}|{','.join(sorted(self.roles))}|{self.search}"


def display_name(contact: Contact) -> str:
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    return name or contact.email or ""


async def team_page(
    ctx: RequestContext,
    account: Company,
    first: int,
    after: str | None,
    where: TeamFilter | None = None,
) -> Page[Contact]:
    if where:
        return await _searched_page(ctx, account, first, after, where)
    cursors = Cursors(ctx.services.cursor_signer, f"team:{account.id}")
    offset = int(cursors.decode(after) or 0)
    contact_ids = await ctx.loaders.contact_ids_by_company.load(account.id)
    window = contact_ids[offset : offset + first]
    contacts = await ctx.loaders.contact_by_id.load_many(window)
    edges = [
        Edge(contact, cursors, offset + index + 1)
        for index, contact in enumerate(contacts)
        if contact is not None and is_portal_member(contact)
    ]
    return Page(edges, offset + first < len(contact_ids), len(contact_ids))


async def _searched_page(
    ctx: RequestContext, account: Company, first: int, after: str | None, where: TeamFilter
) -> Page[Contact]:
    """A filtered team through HubSpot's CRM search: one request for the page and the total,
    whatever the team's size; not cached, so a change shows at once."""
    search = (where.search or "").strip()
    if len(search) > MAX_SEARCH:
        raise bad_input(f"`search` is at most {MAX_SEARCH} characters.", "search")
    cursors = Cursors(ctx.services.cursor_signer, f"team:{account.id}:{where.key()}")
    offset = int(cursors.decode(after) or 0)
    found, linked = await asyncio.gather(
        hubspot.search_company_contacts(
            ctx.services.upstreams.hubspot,
            account.id,
            roles=where.roles or sorted(PORTAL_ROLES),
            statuses=where.statuses,
            text=search or None,
            limit=first,
            offset=offset,
        ),
        ctx.loaders.contact_ids_by_company.load(account.id),
    )
    # The search named the company; each contact is still checked against its links.
    members = set(linked)
    edges = [
        Edge(contact, cursors, offset + index + 1)
        for index, contact in enumerate(found.contacts)
        if contact.id in members and is_portal_member(contact)
    ]
    return Page(edges, offset + first < found.total, found.total)


async def member(ctx: RequestContext) -> Contact | None:
    return await ctx.loaders.contact_by_id.load(ctx.person().contact_id)


async def member_by_global_id(ctx: RequestContext, global_id: str) -> tuple[Company, Contact]:
    gid = decode_id(global_id, "TeamMember")
    account = await visible_account(ctx, gid.account_id)
    if account is not None and gid.upstream_id.isdigit():
        # The contact must really be linked to that account in HubSpot.
        company_ids = await ctx.loaders.company_ids_by_contact.load(gid.upstream_id)
        if account.id in company_ids:
            contact = await ctx.loaders.contact_by_id.load(gid.upstream_id)
            if is_portal_member(contact):
                assert contact is not None
                return account, contact
    raise not_found("TeamMember", global_id)


MAX_NAME, MAX_JOB_TITLE = 100, 100


@dataclass(frozen=True)
class ProfileInput:
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    job_title: str | None = None


def preferences_of(contact: Contact) -> NotificationPreferences:
    return NotificationPreferences.from_json(contact.notification_preferences)


async def update_my_profile(ctx: RequestContext, profile: ProfileInput) -> WriteResult[Contact]:
    viewer = ctx.require_viewer()
    contact = await _me(ctx, viewer)
    checks = Checks()
    changes: dict[str, str | None] = {}
    if profile.first_name is not None:
        changes["first_name"] = checks.text("firstName", profile.first_name, max_length=MAX_NAME)
    if profile.last_name is not None:
        changes["last_name"] = checks.text("lastName", profile.last_name, max_length=MAX_NAME)
    if profile.job_title is not None:
        changes["job_title"] = checks.text("jobTitle", profile.job_title, max_length=MAX_JOB_TITLE)
    if profile.phone is not None:
        changes["phone"] = checks.phone("phone", profile.phone) or None
        if changes["phone"] is None and preferences_of(contact).uses_sms():
            checks.add(
                "phone",
                "SMS notifications are on: turn them off before removing the phone number.",
                ProblemCode.PHONE_REQUIRED,
            )
    if not changes and not checks.problems:
        checks.add(None, "Give at least one field to change.", ProblemCode.REQUIRED)
    if checks.problems:
        return WriteResult(contact, checks.problems)
    updated = await _write(ctx, viewer, changes)
    described = ", ".join(k.replace("_", " ") for k in changes)
    await audit.record(
        ctx, viewer, viewer.primary_account_id, f"updated their profile: {described}"
    )
    return WriteResult(updated)


async def update_notification_preferences(
    ctx: RequestContext,
    changes: list[tuple[NotificationType, list[NotificationChannel]]],
) -> WriteResult[Contact]:
    viewer = ctx.require_viewer()
    contact = await _me(ctx, viewer)
    checks = Checks()
    wanted: dict[NotificationType, frozenset[NotificationChannel]] = {}
    for index, (kind, channels) in enumerate(changes):
        if kind in wanted:
            checks.add(
                f"preferences.{index}.type", f"{kind.value} is given twice.", ProblemCode.INVALID
            )
        wanted[kind] = frozenset(channels)
    preferences = preferences_of(contact).with_changes(wanted)
    if preferences.uses_sms() and not contact.phone:
        checks.add(
            "preferences",
            "SMS needs a phone number: add one to your profile first.",
            ProblemCode.PHONE_REQUIRED,
        )
    if checks.problems:
        return WriteResult(contact, checks.problems)
    updated = await _write(ctx, viewer, {"notification_preferences": preferences.to_json()})
    described = "; ".join(
        f"{k.value}: {', '.join(sorted(c.value for c in v)) or 'off'}" for k, v in wanted.items()
    )
    await audit.record(
        ctx, viewer, viewer.primary_account_id, f"changed their notifications ({described})"
    )
    return WriteResult(updated)


async def complete_first_login_guide(ctx: RequestContext) -> WriteResult[Contact]:
    """Remembers on the member's contact that they closed the first-login guide, so that it
    shows once per member on any device. No timeline note: it changes no client data."""
    viewer = ctx.require_viewer()
    contact = await _me(ctx, viewer)
    if contact.guide_completed_at:
        return WriteResult(contact)
    now = hubspot.timestamp(datetime.now(UTC))
    return WriteResult(await _write(ctx, viewer, {"guide_completed_at": now}))


async def _me(ctx: RequestContext, viewer: Viewer) -> Contact:
    contact = await ctx.loaders.contact_by_id.load(viewer.contact_id)
    if contact is None:
        raise not_found("TeamMember", "(you)")
    return contact


async def _write(ctx: RequestContext, viewer: Viewer, changes: Mapping[str, str | None]) -> Contact:
    updated = await hubspot.update_contact(
        ctx.services.upstreams.hubspot, viewer.contact_id, changes
    )
    await ctx.services.cache.replace(CacheKey(scopes.contact(viewer.contact_id)), updated)
    return updated


def is_viewer(ctx: RequestContext, contact: Contact) -> bool:
    return ctx.person().contact_id == contact.id
