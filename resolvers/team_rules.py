"""The rules of team management: seats (a per-seat price's quantity), an active ADMIN in
every account, nobody acting on themselves, and who is on the team already."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from auth.viewer import MemberStatus, Role, Viewer
from connectors.hubspot import Company, Contact
from resolvers.request.context import RequestContext
from resolvers.request.user_input import Problem, ProblemCode
from resolvers.team import display_name, is_portal_member

ACTIVE, INVITED, DISABLED = MemberStatus.ACTIVE, MemberStatus.INVITED, MemberStatus.DISABLED
HOLDS_A_SEAT = (ACTIVE, INVITED)
# One change to a team at a time, on every replica, so that two admins can neither fill the
# last seat twice nor demote each other to no ADMIN at all. The lock's TTL frees it should its
# holder die; a change waits this long for it, then asks to be sent again.
LOCK_TTL_S = 5.0
LOCK_WAIT_S = 0.5
_LOCK_POLL_S = 0.02


@asynccontextmanager
async def one_change_at_a_time(ctx: RequestContext, account_id: str) -> AsyncIterator[bool]:
    """Yields whether this request holds the account's team lock (an atomic counter in the
    shared cache: whoever counts 1 holds it until it deletes the key)."""
    backend = ctx.services.cache.backend
    key = f"team-change:{account_id}"
    give_up = time.monotonic() + LOCK_WAIT_S
    mine = await backend.incr(key, LOCK_TTL_S) == 1
    while not mine and time.monotonic() < give_up:
        await asyncio.sleep(_LOCK_POLL_S)
        mine = await backend.incr(key, LOCK_TTL_S) == 1
    try:
        yield mine
    finally:
        if mine:
            await backend.delete(key)


def busy() -> Problem:
    return Problem(
        None,
        "Another change to this team is being saved: send yours again in a moment.",
        ProblemCode.BUSY,
    )


async def team_of(ctx: RequestContext, account_id: str) -> dict[str, Contact]:
    """The account's linked contacts by id (portal members or not)."""
    ids = await ctx.loaders.contact_ids_by_company.load(account_id)
    contacts = await ctx.loaders.contact_by_id.load_many(ids)
    return {c.id: c for c in contacts if c is not None}


async def seat_problem(
    ctx: RequestContext, account: Company, team: list[Contact], adding: int
) -> Problem | None:
    """SEAT_LIMIT when a per-seat price's quantity would be passed; no such price, no limit."""
    limit = await seat_limit(ctx, account)
    if limit is None:
        return None
    used = sum(1 for c in team if is_portal_member(c) and c.portal_status in HOLDS_A_SEAT)
    if used + adding <= limit:
        return None
    return Problem(
        None,
        f"All {limit} seats are taken: {used} members are active or invited. Free a seat "
        "(revoke an invitation, deactivate or remove a member) or add seats: "
        "previewSubscriptionChange, then changeSubscription, with the Portal seats price of "
        "`plans`.",
        ProblemCode.SEAT_LIMIT,
    )


async def seat_limit(ctx: RequestContext, account: Company) -> int | None:
    if not account.stripe_customer_id:
        return None
    subscriptions = await ctx.loaders.subscriptions_by_customer.load(account.stripe_customer_id)
    seats = [i.quantity or 0 for s in subscriptions for i in s.items if i.per_seat]
    return sum(seats) if seats else None


async def last_admin_problem(
    ctx: RequestContext, account: Company, contact: Contact, *, everywhere: bool
) -> Problem | None:
    """LAST_ADMIN when the change would leave an account without an active ADMIN: this one,
    or (`everywhere`, for a change to the person's own role or status) any of theirs."""
    if contact.portal_role != Role.ADMIN or contact.portal_status != ACTIVE:
        return None
    account_ids = [account.id]
    if everywhere:
        account_ids += await ctx.loaders.company_ids_by_contact.load(contact.id)
    teams = await asyncio.gather(*(team_of(ctx, a) for a in dict.fromkeys(account_ids)))
    for account_id, team in zip(dict.fromkeys(account_ids), teams, strict=True):
        if not any(is_active_admin(c) for c in team.values() if c.id != contact.id):
            where = "this account" if account_id == account.id else "another of their accounts"
            return Problem(
                "memberId",
                f"{display_name(contact)} is the last active ADMIN of {where}: make someone "
                "else an ADMIN first.",
                ProblemCode.LAST_ADMIN,
            )
    return None


def is_active_admin(contact: Contact) -> bool:
    return contact.portal_role == Role.ADMIN and contact.portal_status == ACTIVE


def self_problem(viewer: Viewer, contact: Contact, what: str) -> Problem | None:
    if viewer.contact_id != contact.id:
        return None
    return Problem("memberId", f"You cannot {what}: ask another ADMIN.", ProblemCode.SELF)


def already_member(contact: Contact) -> Problem:
    status = {
        INVITED.value: "is invited already: send the invitation again instead",
        DISABLED.value: "is a deactivated member: reactivate them instead",
    }.get(contact.portal_status or "", "is a member already")
    return Problem("email", f"{contact.email} {status}.", ProblemCode.ALREADY_MEMBER)


def not_invited(contact: Contact) -> Problem:
    return Problem(
        "memberId",
        f"{display_name(contact)} has no open invitation ({contact.portal_status}).",
        ProblemCode.INVALID,
    )
