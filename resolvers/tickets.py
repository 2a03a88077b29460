"""An account's Zendesk tickets (its organization's), newest activity first, with public
comments only: internal notes never leave Zendesk."""

from __future__ import annotations

from collections.abc import Sequence

from cache import scopes
from cache.read_through import CacheKey
from connectors import zendesk
from connectors.hubspot import Company
from resolvers.access import visible_account
from resolvers.context import RequestContext
from resolvers.errors import not_found
from resolvers.ids import decode_id
from resolvers.pages import Cursors, Edge, Page


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
