"""`createTicket` and `addTicketComment`: tickets of the account's Zendesk organization,
requested by the member (a Zendesk end user found by email, or created on first use), in
the group that handles the chosen category.

Upstream calls: createTicket: Zendesk user search (+ user create the first time), POST
ticket, ticket read-back (for the SLA estimate), HubSpot note: 4, plus the group list once
per 10 minutes. addTicketComment: user search, PUT ticket, read-back, note: 4."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from auth.permissions import SUBMIT_TICKETS
from auth.viewer import Viewer
from cache import scopes
from cache.read_through import CacheKey
from connectors import zendesk
from connectors.hubspot import Company
from resolvers import audit
from resolvers.accounts import account_or_primary
from resolvers.context import RequestContext
from resolvers.guard import require
from resolvers.tickets import ticket_by_global_id
from resolvers.user_input import Checks, ProblemCode
from resolvers.writes import WriteResult

MAX_SUBJECT = 250
MAX_BODY = 30_000  # Zendesk takes comments up to 64 KB
GROUPS_TTL_S = 600.0  # groups are configuration: they change rarely


class TicketCategory(StrEnum):
    BILLING = "BILLING"
    TECHNICAL = "TECHNICAL"
    ONBOARDING = "ONBOARDING"
    ACCOUNT = "ACCOUNT"


# The Zendesk group that handles each category (the support team's own names).
GROUP_OF_CATEGORY = {
    TicketCategory.BILLING: "Billing",
    TicketCategory.TECHNICAL: "Technical Support",
    TicketCategory.ONBOARDING: "Onboarding",
    TicketCategory.ACCOUNT: "Account Management",
}
PRIORITIES = ("low", "normal", "high", "urgent")


@dataclass(frozen=True)
class NewTicket:
    subject: str
    description: str
    priority: str  # one of PRIORITIES
    category: TicketCategory


async def create_ticket(
    ctx: RequestContext, account_global_id: str | None, new: NewTicket
) -> WriteResult[tuple[Company, zendesk.Ticket]]:
    viewer = require(ctx, SUBMIT_TICKETS)
    account = await account_or_primary(ctx, account_global_id)
    checks = Checks()
    subject = checks.text("subject", new.subject, max_length=MAX_SUBJECT, required=True)
    body = checks.text("description", new.description, max_length=MAX_BODY, required=True)
    organization_id = account.zendesk_organization_id
    if organization_id is None:
        checks.add(None, "This account has no support desk to send it to.", ProblemCode.INVALID)
    if checks.problems or organization_id is None or subject is None or body is None:
        return WriteResult(None, checks.problems)

    http = ctx.services.upstreams.zendesk
    requester = await _requester(ctx, viewer, organization_id)
    created = await zendesk.create_ticket(
        http,
        subject=subject,
        body=body,
        requester_id=requester.id,
        organization_id=organization_id,
        priority=new.priority,
        group_id=await _group_id(ctx, GROUP_OF_CATEGORY[new.category]),
        tags=["client_portal", f"portal_{new.category.value.lower()}"],
    )
    ticket = await _fresh(ctx, created, organization_id)
    what = f"opened ticket #{ticket.id} {audit.quoted(subject)}"
    await audit.record(ctx, viewer, account.id, f"{what} ({new.category.value}, {new.priority})")
    return WriteResult((account, ticket))


async def add_ticket_comment(
    ctx: RequestContext, ticket_global_id: str, body: str
) -> WriteResult[tuple[Company, zendesk.Ticket]]:
    viewer = require(ctx, SUBMIT_TICKETS)
    account, ticket = await ticket_by_global_id(ctx, ticket_global_id)
    checks = Checks()
    text = checks.text("body", body, max_length=MAX_BODY, required=True)
    organization_id = account.zendesk_organization_id
    if checks.problems or text is None or organization_id is None:
        return WriteResult((account, ticket), checks.problems)
    requester = await _requester(ctx, viewer, organization_id)
    updated = await zendesk.add_comment(
        ctx.services.upstreams.zendesk, ticket.id, body=text, author_id=requester.id
    )
    fresh = await _fresh(ctx, updated, organization_id)
    await audit.record(ctx, viewer, account.id, f"commented on ticket #{ticket.id}")
    return WriteResult((account, fresh))


async def _requester(ctx: RequestContext, viewer: Viewer, organization_id: str) -> zendesk.User:
    http = ctx.services.upstreams.zendesk
    found = await zendesk.user_by_email(http, viewer.email)
    if found is not None:
        return found
    contact = await ctx.loaders.contact_by_id.load(viewer.contact_id)
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p) if contact else ""
    return await zendesk.create_user(
        http, name=name or viewer.email, email=viewer.email, organization_id=organization_id
    )


async def _group_id(ctx: RequestContext, name: str) -> str | None:
    http = ctx.services.upstreams.zendesk

    async def groups() -> list[zendesk.Group]:
        return await zendesk.all_groups(http)

    found = await ctx.services.cache.get_or_load(CacheKey("zendesk:groups"), groups, GROUPS_TTL_S)
    return next((g.id for g in found if g.name == name), None)


async def _fresh(
    ctx: RequestContext, written: zendesk.Ticket, organization_id: str
) -> zendesk.Ticket:
    """The ticket as lists and `node` will now show it: the write's own answer lacks the
    SLA side-load, so it is read back; the stale copies are evicted first."""
    cache = ctx.services.cache
    await cache.invalidate(
        scopes.ticket(written.id), scopes.comments(written.id), scopes.tickets(organization_id)
    )
    [fresh] = await zendesk.tickets_by_id(ctx.services.upstreams.zendesk, [written.id])
    ticket = fresh or written
    await cache.prime(CacheKey(scopes.ticket(ticket.id)), ticket)
    return ticket
