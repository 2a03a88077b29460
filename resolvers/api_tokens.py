"""Managing an account's API tokens: only a signed-in ADMIN of the account may create,
list or revoke them (never a token itself, which is read-only anyway): the fields say so
with `MANAGE_API_TOKENS` (schema/api_tokens.py, schema/accounts.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from auth.api_tokens import api_tokens_of, create_api_token, revoke_api_token
from connectors.hubspot import Company
from connectors.hubspot_api_tokens import TokenRecord
from resolvers.request.context import RequestContext
from resolvers.request.errors import bad_input, not_found

MAX_NAME_LENGTH = 100


async def tokens_of_account(ctx: RequestContext, account: Company) -> list[TokenRecord]:
    """`account` was resolved for this viewer already."""
    return await api_tokens_of(ctx.services.upstreams.hubspot, account.id)


async def create_token(
    ctx: RequestContext, account: Company, name: str, expires_at: datetime | None
) -> tuple[str, TokenRecord]:
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        raise bad_input(f"`name` must be 1 to {MAX_NAME_LENGTH} characters.", "name")
    if expires_at is not None:
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        if expires_at <= datetime.now(UTC):
            raise bad_input("`expiresAt` must be in the future.", "expiresAt")
    viewer = ctx.require_viewer()
    return await create_api_token(
        ctx.services.upstreams.hubspot, account.id, name, expires_at, viewer.contact_id
    )


async def revoke_token(ctx: RequestContext, account: Company, token_id: str) -> TokenRecord:
    revoked = await revoke_api_token(
        ctx.services.upstreams.hubspot, ctx.services.cache, account.id, token_id
    )
    if revoked is None:
        raise not_found("ApiToken", token_id)
    return revoked
