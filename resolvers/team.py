"""An account's team: the HubSpot contacts associated with the company that hold a portal
role. Pages are cut from the association list first, so a page costs one batch read of
contacts whatever the team's size."""

from __future__ import annotations

from auth.viewer import Role
from connectors.hubspot import Company, Contact
from resolvers.access import visible_account
from resolvers.context import RequestContext
from resolvers.errors import not_found
from resolvers.ids import decode_id
from resolvers.pages import Cursors, Edge, Page

PORTAL_ROLES = {role.value for role in Role}


def is_portal_member(contact: Contact | None) -> bool:
    return contact is not None and contact.portal_role in PORTAL_ROLES


async def team_page(
    ctx: RequestContext, account: Company, first: int, after: str | None
) -> Page[Contact]:
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


async def member(ctx: RequestContext) -> Contact | None:
    return await ctx.loaders.contact_by_id.load(ctx.require_viewer().contact_id)


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
