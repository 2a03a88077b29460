"""Which accounts a viewer may see. Every record an upstream returns is tied to an account
and checked here (or against an account checked here) before it is returned."""

from __future__ import annotations

from auth.viewer import Viewer
from connectors.hubspot import Company
from resolvers.request.context import RequestContext


async def may_see_account(ctx: RequestContext, viewer: Viewer, account_id: str) -> bool:
    if viewer.is_member_of(account_id):
        return True
    if not viewer.sees_sub_accounts() or not account_id.isdigit():
        return False
    parent_id = await ctx.loaders.parent_id_by_company.load(account_id)
    return parent_id is not None and viewer.is_member_of(parent_id)


async def visible_account(ctx: RequestContext, account_id: str) -> Company | None:
    """The account, if it exists and the viewer may see it; None otherwise (the caller
    answers NOT_FOUND either way, so existence is not revealed)."""
    viewer = ctx.require_viewer()
    if not await may_see_account(ctx, viewer, account_id):
        return None
    return await ctx.loaders.company_by_id.load(account_id)


async def visible_account_ids(ctx: RequestContext) -> list[str]:
    """The viewer's own accounts, then (for an ADMIN) their sub-accounts, without repeats."""
    viewer = ctx.require_viewer()
    ids = list(viewer.member_of)
    if viewer.sees_sub_accounts():
        for children in await ctx.loaders.child_ids_by_company.load_many(viewer.member_of):
            ids.extend(children)
    return list(dict.fromkeys(ids))
