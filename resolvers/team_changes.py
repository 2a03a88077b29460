"""Team management: an ADMIN of the account (or of its parent company) invites people,
resends and revokes invitations, changes roles, deactivates, reactivates and removes members,
in HubSpot and within the account's seats. Every change leaves an audit note, evicts what it
made stale and is seen by the next query.

HubSpot holds one `portal_role` and one `portal_status` per person, whatever their companies:
a role change or a deactivation applies to all of them (the last-admin rule checks each),
while inviting and removing change only the link with this company."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from auth.invitation_mail import InvitationMail
from auth.invitations import Invitation
from auth.viewer import Role, Viewer
from cache import scopes
from cache.read_through import CacheKey
from connectors import hubspot
from connectors.http import Rejected
from connectors.hubspot import Company, Contact
from resolvers.accounts import account_or_primary
from resolvers.request import audit, events_out
from resolvers.request.context import RequestContext
from resolvers.request.user_input import Checks, Problem, ProblemCode
from resolvers.request.writes import WriteResult
from resolvers.team import PORTAL_ROLES, display_name, is_portal_member, member_by_global_id
from resolvers.team_rules import (
    ACTIVE,
    DISABLED,
    HOLDS_A_SEAT,
    INVITED,
    already_member,
    busy,
    last_admin_problem,
    not_invited,
    one_change_at_a_time,
    seat_problem,
    self_problem,
    team_of,
)
from webhooks.events import own_writes

MAX_NAME = 100


@dataclass(frozen=True)
class InviteInput:
    email: str
    first_name: str
    last_name: str
    role: Role


@dataclass(frozen=True)
class MemberChange:
    """A member as a write left them, and the account the write was about."""

    account: Company
    contact: Contact


Result = WriteResult[MemberChange]


# Invitations


async def invite_member(
    ctx: RequestContext, account_gid: str | None, invite: InviteInput
) -> Result:
    viewer = ctx.require_viewer()  # an ADMIN: the field's role rule (schema/team_changes.py)
    account = await account_or_primary(ctx, account_gid)
    checks = Checks()
    email = checks.email("email", invite.email)
    first_name = checks.name("firstName", invite.first_name, max_length=MAX_NAME)
    last_name = checks.name("lastName", invite.last_name, max_length=MAX_NAME)
    if checks.problems:
        return WriteResult(None, checks.problems)
    person = InviteInput(email, first_name, last_name, invite.role)
    return await _locked(ctx, account, None, lambda: _invite(ctx, viewer, account, person))


async def _invite(
    ctx: RequestContext, viewer: Viewer, account: Company, invite: InviteInput
) -> Result:
    email, first_name, last_name = invite.email, invite.first_name, invite.last_name
    http = ctx.services.upstreams.hubspot
    [existing], team = await asyncio.gather(
        hubspot.contacts_by_email(http, [email]), team_of(ctx, account.id)
    )
    if existing is not None and is_portal_member(existing) and existing.id in team:
        return WriteResult(MemberChange(account, existing), [already_member(existing)])
    seats = await seat_problem(ctx, account, list(team.values()), adding=1)
    if seats is not None:
        return WriteResult(None, [seats])
    invited_at, invited_by = datetime.now(UTC), await _actor_name(ctx, viewer)
    invited: dict[str, str | None] = {
        "portal_role": invite.role.value,
        "portal_status": INVITED.value,
        "invited_at": hubspot.timestamp(invited_at),
        "invited_by": invited_by,
    }
    contact = None
    if existing is None:
        try:
            contact = await hubspot.create_contact_in_company(
                http,
                account.id,
                {"email": email, "first_name": first_name, "last_name": last_name, **invited},
            )
        except Rejected as exc:
            if exc.status != 409:
                raise
            # Created meanwhile (another admin, a retry): carry on with that contact.
            [existing] = await hubspot.contacts_by_email(http, [email])
            if existing is None:
                raise
    if contact is None:
        assert existing is not None
        contact = await _join(ctx, account, existing, invited, first_name, last_name)
    await _evicted(ctx, account.id, contact)
    await _send_invitation(ctx, viewer, account, contact)
    await audit.record(ctx, viewer, account.id, f"invited {_who(contact)} as {contact.portal_role}")
    await events_out.emit(ctx, own_writes.member_invited(
        account.id, contact.id, invite.role.value, invited_at, invited_by or viewer.email
    ))  # fmt: skip
    return WriteResult(MemberChange(account, contact))


async def _join(
    ctx: RequestContext,
    account: Company,
    existing: Contact,
    invited: dict[str, str | None],
    first_name: str,
    last_name: str,
) -> Contact:
    """Links a contact HubSpot has already to the account. Someone active elsewhere keeps
    their role and status (they are the person's, not the membership's); anyone else is
    invited with the role given. The properties are written before the link, so a failure
    in between leaves no link, and sending the invitation again converges."""
    http = ctx.services.upstreams.hubspot
    contact = existing
    if not (is_portal_member(existing) and existing.portal_status == ACTIVE):
        changes = dict(invited)
        if not existing.first_name:
            changes["first_name"] = first_name
        if not existing.last_name:
            changes["last_name"] = last_name
        contact = await hubspot.update_contact(http, existing.id, changes)
    await hubspot.add_contact_to_company(http, existing.id, account.id)
    return contact


async def resend_invitation(ctx: RequestContext, member_gid: str) -> Result:
    viewer, account, contact = await _target(ctx, member_gid)
    if contact.portal_status != INVITED:
        return WriteResult(MemberChange(account, contact), [not_invited(contact)])
    if not contact.email:  # added in HubSpot without one: there is nowhere to send it
        problem = Problem(
            "memberId", f"{display_name(contact)} has no email address in HubSpot.",
            ProblemCode.INVALID_EMAIL,
        )  # fmt: skip
        return WriteResult(MemberChange(account, contact), [problem])
    await _send_invitation(ctx, viewer, account, contact)
    await audit.record(ctx, viewer, account.id, f"sent the invitation again to {_who(contact)}")
    return WriteResult(MemberChange(account, contact))


async def revoke_invitation(ctx: RequestContext, member_gid: str) -> Result:
    """The link stops working at once, and the invited person leaves the team (the seat is
    free again); the contact stays in HubSpot."""
    viewer, account, contact = await _target(ctx, member_gid)
    if contact.portal_status != INVITED:
        return WriteResult(MemberChange(account, contact), [not_invited(contact)])
    await ctx.services.invitations.revoke(Invitation(contact.id, account.id))
    http = ctx.services.upstreams.hubspot
    await hubspot.remove_contact_from_company(http, contact.id, account.id)
    await _evicted(ctx, account.id, contact)
    await audit.record(ctx, viewer, account.id, f"revoked the invitation of {_who(contact)}")
    return WriteResult(MemberChange(account, contact))


async def accept_invitation(ctx: RequestContext, invitation: Invitation) -> Contact | None:
    """Makes the invited person ACTIVE and notes their sign-in; None when the invitation no
    longer holds (removed from the account, deactivated, no portal role)."""
    http = ctx.services.upstreams.hubspot
    contacts, links = await asyncio.gather(
        hubspot.contacts_by_id(http, [invitation.contact_id]),
        hubspot.company_ids_of_contacts(http, [invitation.contact_id]),
    )
    contact, company_ids = contacts[0], links[0]
    if (
        contact is None
        or invitation.account_id not in company_ids
        or contact.portal_role not in PORTAL_ROLES
        or contact.portal_status not in HOLDS_A_SEAT
    ):
        return None
    now = hubspot.timestamp(datetime.now(UTC))
    updated = await hubspot.update_contact(
        http, contact.id, {"portal_status": ACTIVE.value, "last_sign_in_at": now}
    )
    await _evicted(ctx, invitation.account_id, updated)
    member = Viewer(contact.id, contact.email or "", Role(contact.portal_role), tuple(company_ids))
    await audit.record(ctx, member, invitation.account_id, "accepted the invitation")
    return updated


# Roles and access


async def change_member_role(ctx: RequestContext, member_gid: str, role: Role) -> Result:
    viewer, account, contact = await _target(ctx, member_gid)
    return await _locked(
        ctx, account, contact, lambda: _change_member_role(ctx, viewer, account, contact, role)
    )


async def _change_member_role(
    ctx: RequestContext, viewer: Viewer, account: Company, contact: Contact, role: Role
) -> Result:
    if (problem := self_problem(viewer, contact, "change your own role")) is not None:
        return WriteResult(MemberChange(account, contact), [problem])
    if contact.portal_role == role.value:
        return WriteResult(MemberChange(account, contact))
    if role is not Role.ADMIN:
        problem = await last_admin_problem(ctx, account, contact, everywhere=True)
        if problem is not None:
            return WriteResult(MemberChange(account, contact), [problem])
    updated = await _update(ctx, account, contact, {"portal_role": role.value})
    await audit.record(
        ctx, viewer, account.id,
        f"changed the role of {_who(contact)} from {contact.portal_role} to {role.value}",
    )  # fmt: skip
    return WriteResult(MemberChange(account, updated))


async def deactivate_member(ctx: RequestContext, member_gid: str) -> Result:
    """DISABLED: every session of the member is refused from the next request on, on every
    replica (the sessions' cut-off is in the shared cache), and an invitation link dies."""
    viewer, account, contact = await _target(ctx, member_gid)
    return await _locked(
        ctx, account, contact, lambda: _deactivate_member(ctx, viewer, account, contact)
    )


async def _deactivate_member(
    ctx: RequestContext, viewer: Viewer, account: Company, contact: Contact
) -> Result:
    if (problem := self_problem(viewer, contact, "deactivate yourself")) is not None:
        return WriteResult(MemberChange(account, contact), [problem])
    if contact.portal_status == DISABLED:
        return WriteResult(MemberChange(account, contact))
    problem = await last_admin_problem(ctx, account, contact, everywhere=True)
    if problem is not None:
        return WriteResult(MemberChange(account, contact), [problem])
    updated = await _update(ctx, account, contact, {"portal_status": DISABLED.value})
    await ctx.services.sessions.revoke_all_of(contact.id)
    await ctx.services.invitations.revoke(Invitation(contact.id, account.id))
    await audit.record(ctx, viewer, account.id, f"deactivated {_who(contact)}")
    return WriteResult(MemberChange(account, updated))


async def reactivate_member(ctx: RequestContext, member_gid: str) -> Result:
    viewer, account, contact = await _target(ctx, member_gid)
    return await _locked(
        ctx, account, contact, lambda: _reactivate_member(ctx, viewer, account, contact)
    )


async def _reactivate_member(
    ctx: RequestContext, viewer: Viewer, account: Company, contact: Contact
) -> Result:
    if contact.portal_status == ACTIVE:
        return WriteResult(MemberChange(account, contact))
    if contact.portal_status != DISABLED:
        problem = Problem(
            "memberId",
            f"{display_name(contact)} has not accepted the invitation yet: send it again.",
            ProblemCode.INVALID,
        )
        return WriteResult(MemberChange(account, contact), [problem])
    team = await team_of(ctx, account.id)
    seats = await seat_problem(ctx, account, list(team.values()), adding=1)
    if seats is not None:
        return WriteResult(MemberChange(account, contact), [seats])
    updated = await _update(ctx, account, contact, {"portal_status": ACTIVE.value})
    await audit.record(ctx, viewer, account.id, f"reactivated {_who(contact)}")
    return WriteResult(MemberChange(account, updated))


async def remove_member(ctx: RequestContext, member_gid: str) -> Result:
    """Removes the link between the person and this account only; the contact and its other
    companies stay. Someone left with no company loses every session at once."""
    viewer, account, contact = await _target(ctx, member_gid)
    return await _locked(
        ctx, account, contact, lambda: _remove_member(ctx, viewer, account, contact)
    )


async def _remove_member(
    ctx: RequestContext, viewer: Viewer, account: Company, contact: Contact
) -> Result:
    if (problem := self_problem(viewer, contact, "remove yourself")) is not None:
        return WriteResult(MemberChange(account, contact), [problem])
    problem = await last_admin_problem(ctx, account, contact, everywhere=False)
    if problem is not None:
        return WriteResult(MemberChange(account, contact), [problem])
    http = ctx.services.upstreams.hubspot
    await hubspot.remove_contact_from_company(http, contact.id, account.id)
    await ctx.services.invitations.revoke(Invitation(contact.id, account.id))
    remaining = await ctx.loaders.company_ids_by_contact.load(contact.id)
    if not set(remaining) - {account.id}:
        await ctx.services.sessions.revoke_all_of(contact.id)
    await _evicted(ctx, account.id, contact)
    await audit.record(ctx, viewer, account.id, f"removed {_who(contact)} from the account")
    return WriteResult(MemberChange(account, contact))


# Plumbing


async def _locked(
    ctx: RequestContext,
    account: Company,
    contact: Contact | None,
    change: Callable[[], Awaitable[Result]],
) -> Result:
    """Runs a change whose rules read the team while holding the team's lock."""
    async with one_change_at_a_time(ctx, account.id) as mine:
        if not mine:
            return WriteResult(
                None if contact is None else MemberChange(account, contact), [busy()]
            )
        return await change()


async def _target(ctx: RequestContext, member_gid: str) -> tuple[Viewer, Company, Contact]:
    """The field's role rule ran before the id was even read: a USER learns nothing from ids."""
    viewer = ctx.require_viewer()
    account, contact = await member_by_global_id(ctx, member_gid)
    return viewer, account, contact


async def _update(
    ctx: RequestContext, account: Company, contact: Contact, changes: dict[str, str | None]
) -> Contact:
    updated = await hubspot.update_contact(ctx.services.upstreams.hubspot, contact.id, changes)
    await _evicted(ctx, account.id, updated)
    return updated


async def _evicted(ctx: RequestContext, account_id: str, contact: Contact) -> None:
    """Evicts what a change to the member made stale, on every replica: the account's team,
    the contact, its companies and the viewer it signs in as (role, status, links)."""
    cache = ctx.services.cache
    await cache.invalidate(
        scopes.team(account_id), scopes.memberships(contact.id), scopes.viewer(contact.id)
    )
    await cache.replace(CacheKey(scopes.contact(contact.id)), contact)


async def _send_invitation(
    ctx: RequestContext, viewer: Viewer, account: Company, contact: Contact
) -> None:
    """A new link (any earlier one stops working) and the mail that carries it."""
    services = ctx.services
    token = await services.invitations.issue(Invitation(contact.id, account.id))
    mail = InvitationMail(
        sender=services.mail_from,
        recipient=contact.email or "",
        first_name=contact.first_name or "",
        account_name=account.name,
        inviter=await _actor_name(ctx, viewer),
        link=f"{services.public_url}/invitations/{token}",
        valid_days=max(1, round(services.invitations.ttl_s / 86400)),
        logo_url=account.logo_url,
        primary_color=account.primary_color,
    )
    await services.mailer.send(mail.message())


async def _actor_name(ctx: RequestContext, viewer: Viewer) -> str:
    actor = await ctx.loaders.contact_by_id.load(viewer.contact_id)
    return (display_name(actor) if actor else "") or viewer.email


def _who(contact: Contact) -> str:
    return f"{display_name(contact)} <{contact.email}> (contact {contact.id})"
