"""A member's own record in HubSpot: `updateMyProfile` and `updateNotificationPreferences`.
Any role may change these: they are the member's, not the account's.

Upstream calls: HubSpot PATCH + read-back of the contact, HubSpot note: 3 (plus the
contact read when not cached)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from auth.permissions import UPDATE_OWN_NOTIFICATIONS, UPDATE_OWN_PROFILE
from auth.viewer import Viewer
from cache import scopes
from cache.read_through import CacheKey
from connectors import hubspot
from connectors.hubspot import Contact
from resolvers import audit
from resolvers.context import RequestContext
from resolvers.errors import not_found
from resolvers.guard import require
from resolvers.notification_preferences import (
    NotificationChannel,
    NotificationPreferences,
    NotificationType,
)
from resolvers.user_input import Checks, ProblemCode
from resolvers.writes import WriteResult

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
    viewer = require(ctx, UPDATE_OWN_PROFILE)
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
    viewer = require(ctx, UPDATE_OWN_NOTIFICATIONS)
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
    viewer = require(ctx, UPDATE_OWN_PROFILE)
    contact = await _me(ctx, viewer)
    if contact.guide_completed_at:
        return WriteResult(contact)
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return WriteResult(await _write(ctx, viewer, {"guide_completed_at": now}))


def guide_completed_at(contact: Contact) -> datetime | None:
    text = contact.guide_completed_at
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


async def _me(ctx: RequestContext, viewer: Viewer) -> Contact:
    contact = await ctx.loaders.contact_by_id.load(viewer.contact_id)
    if contact is None:
        raise not_found("TeamMember", "(you)")
    return contact


async def _write(ctx: RequestContext, viewer: Viewer, changes: Mapping[str, str | None]) -> Contact:
    updated = await hubspot.update_contact(
        ctx.services.upstreams.hubspot, viewer.contact_id, changes
    )
    cache = ctx.services.cache
    await cache.invalidate(scopes.contact(viewer.contact_id))
    await cache.prime(CacheKey(scopes.contact(viewer.contact_id)), updated)
    return updated


def is_viewer(ctx: RequestContext, contact: Contact) -> bool:
    return ctx.require_viewer().contact_id == contact.id
