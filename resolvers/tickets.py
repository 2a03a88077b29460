"""An account's Zendesk tickets (its organization's), newest activity first, with public
comments only: internal notes never leave Zendesk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from auth.viewer import Viewer
from cache import scopes
from cache.read_through import CacheKey
from connectors import zendesk
from connectors.hubspot import Company
from resolvers.accounts import account_or_primary
from resolvers.request import audit
from resolvers.request.access import visible_account
from resolvers.request.context import RequestContext
from resolvers.request.errors import not_found
from resolvers.request.ids import decode_id
from resolvers.request.pages import Cursors, Edge, Page
from resolvers.request.user_input import Checks, ProblemCode
from resolvers.request.writes import WriteResult


def owns_ticket(account: Company, ticket: zendesk.Ticket | None) -> bool:
    return (
        ticket is not None
        and account.zendesk_organization_id is not None
        and ticket.organization_id == account.zendesk_organization_id
    )


async def tickets_page(
    ctx: RequestContext,
    account: Company,
    first: int,
    after: str | None,
    statuses: Sequence[str],
    requester_email: str | None = None,
) -> Page[zendesk.Ticket]:
    """`requester_email` narrows the list to the tickets that person requested."""
    organization_id = account.zendesk_organization_id
    wanted = tuple(sorted(set(statuses)))
    filters = f"{','.join(wanted)}:{requester_email or ''}"
    cursors = Cursors(ctx.services.cursor_signer, f"tickets:{account.id}:{filters}")
    position = cursors.decode(after)
    if organization_id is None or first == 0:
        return Page.empty()
    http = ctx.services.upstreams.zendesk
    detail = f"{first}|{position}|{filters}"

    if wanted or requester_email:
        # Only search filters by status or requester; it pages by page number.
        page_number = int(position or 1)

        async def search() -> zendesk.TicketSearchPage:
            return await zendesk.search_tickets(
                http, organization_id, statuses=wanted, page=page_number, per_page=first,
                requester_email=requester_email,
            )  # fmt: skip

        found = await ctx.services.cache.get_or_load(
            CacheKey(scopes.tickets(organization_id), "search|" + detail), search
        )
        edges = [
            Edge(t, cursors, page_number + 1) for t in found.tickets
            if owns_ticket(account, t)
        ]  # fmt: skip
        return Page(edges, found.has_more, found.count)

    async def listing() -> zendesk.TicketPage:
        return await zendesk.tickets_of_organization(
            http, organization_id, page_size=first, after=position
        )

    listed = await ctx.services.cache.get_or_load(
        CacheKey(scopes.tickets(organization_id), "list|" + detail), listing
    )
    edges = [
        Edge(t, cursors, listed.after_cursor) for t in listed.tickets
        if owns_ticket(account, t)
    ]  # fmt: skip
    return Page(edges, listed.has_more)


async def ticket_by_global_id(
    ctx: RequestContext, global_id: str
) -> tuple[Company, zendesk.Ticket]:
    gid = decode_id(global_id, "Ticket")
    account = await visible_account(ctx, gid.account_id)
    if account is not None and gid.upstream_id.isdigit():
        ticket = await ctx.loaders.ticket_by_id.load(gid.upstream_id)
        if owns_ticket(account, ticket):
            assert ticket is not None
            return account, ticket
    raise not_found("Ticket", global_id)


async def public_comments(ctx: RequestContext, ticket: zendesk.Ticket) -> list[zendesk.Comment]:
    comments = await ctx.loaders.comments_by_ticket.load(ticket.id)
    return [c for c in comments if c.public]


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
    viewer = ctx.require_viewer()  # may submit tickets: the field's role rule
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
    viewer = ctx.require_viewer()
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
    name = contact.full_name if contact else ""
    return await zendesk.create_user(
        http, name=name or viewer.email, email=viewer.email, organization_id=organization_id
    )


async def _group_id(ctx: RequestContext, name: str) -> str | None:
    http = ctx.services.upstreams.zendesk

    async def groups() -> list[zendesk.Group]:
        return await zendesk.all_groups(http)

    found = await ctx.services.cache.get_or_load(CacheKey(scopes.groups()), groups, GROUPS_TTL_S)
    return next((g.id for g in found if g.name == name), None)


async def _fresh(
    ctx: RequestContext, written: zendesk.Ticket, organization_id: str
) -> zendesk.Ticket:
    """The ticket as lists and `node` will now show it: the write's own answer lacks the
    SLA side-load, so it is read back; the stale copies are evicted first."""
    cache = ctx.services.cache
    await cache.invalidate(scopes.comments(written.id), scopes.tickets(organization_id))
    [fresh] = await zendesk.tickets_by_id(ctx.services.upstreams.zendesk, [written.id])
    ticket = fresh or written
    await cache.replace(CacheKey(scopes.ticket(ticket.id)), ticket)
    return ticket
