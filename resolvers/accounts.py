"""Accounts (HubSpot companies): the viewer's own, one by id, parent and sub-accounts."""

from __future__ import annotations

from connectors.hubspot import Company, Owner
from resolvers.access import may_see_account, visible_account, visible_account_ids
from resolvers.context import RequestContext
from resolvers.errors import not_found
from resolvers.ids import decode_id


async def viewer_accounts(ctx: RequestContext) -> list[Company]:
    ids = await visible_account_ids(ctx)
    return [c for c in await ctx.loaders.company_by_id.load_many(ids) if c is not None]


async def primary_account(ctx: RequestContext) -> Company | None:
    return await visible_account(ctx, ctx.require_viewer().primary_account_id)


async def account_by_global_id(ctx: RequestContext, global_id: str) -> Company:
    gid = decode_id(global_id, "Account")
    # An account's id names the company twice; a mixed pair is no id this API gave out.
    account = await visible_account(ctx, gid.account_id)
    if account is None or gid.upstream_id != gid.account_id:
        raise not_found("Account", global_id)
    return account


async def account_or_primary(ctx: RequestContext, global_id: str | None) -> Company:
    """The account a write names, or the viewer's own when it names none."""
    if global_id is not None:
        return await account_by_global_id(ctx, global_id)
    account = await primary_account(ctx)
    if account is None:
        raise not_found("Account", "(your account)")
    return account


async def parent_account(ctx: RequestContext, account: Company) -> Company | None:
    parent_id = await ctx.loaders.parent_id_by_company.load(account.id)
    if parent_id is None:
        return None
    return await visible_account(ctx, parent_id)


async def sub_accounts(ctx: RequestContext, account: Company) -> list[Company]:
    viewer = ctx.require_viewer()
    child_ids = await ctx.loaders.child_ids_by_company.load(account.id)
    visible = [c for c in child_ids if await may_see_account(ctx, viewer, c)]
    return [c for c in await ctx.loaders.company_by_id.load_many(visible) if c is not None]


async def account_manager(ctx: RequestContext, account: Company) -> Owner | None:
    if not account.owner_id:
        return None
    return await ctx.loaders.owner_by_id.load(account.owner_id)
