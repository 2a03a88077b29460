"""API tokens for BI tools: the type, and the ADMIN's mutations to create and revoke them."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from auth.api_tokens import is_usable
from auth.permissions import MANAGE_API_TOKENS
from connectors.hubspot_api_tokens import TokenRecord
from resolvers import api_tokens
from resolvers.accounts import account_or_primary
from schema.context import Info
from schema.roles import allowed_to


@strawberry.type(
    description="A read-only credential for a BI tool; its secret is never shown again."
)
class ApiToken:
    id: strawberry.ID = strawberry.field(description="The token's id (not its secret).")
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool = strawberry.field(description="Neither revoked nor expired.")

    @classmethod
    def from_upstream(cls, record: TokenRecord, now: datetime) -> ApiToken:
        return cls(
            id=strawberry.ID(record.id),
            name=record.name,
            created_at=record.created_at,
            expires_at=record.expires_at,
            revoked_at=record.revoked_at,
            active=is_usable(record, now),
        )


@strawberry.type
class CreateApiTokenPayload:
    api_token: ApiToken
    secret: str = strawberry.field(
        description="Send as `Authorization: Bearer <secret>`. Shown this once only."
    )


@strawberry.type
class RevokeApiTokenPayload:
    api_token: ApiToken


@strawberry.type
class ApiTokenMutations:
    @strawberry.mutation(
        description="ADMIN only: a new read-only API token for the account.",
        extensions=allowed_to(MANAGE_API_TOKENS),
    )
    async def create_api_token(
        self,
        info: Info,
        name: str,
        expires_at: datetime | None = None,
        account_id: strawberry.ID | None = None,
    ) -> CreateApiTokenPayload:
        account = await account_or_primary(info.context, account_id)
        secret, record = await api_tokens.create_token(info.context, account, name, expires_at)
        return CreateApiTokenPayload(
            api_token=ApiToken.from_upstream(record, datetime.now(UTC)), secret=secret
        )

    @strawberry.mutation(
        description="ADMIN only: refused everywhere within a minute.",
        extensions=allowed_to(MANAGE_API_TOKENS),
    )
    async def revoke_api_token(
        self, info: Info, id: strawberry.ID, account_id: strawberry.ID | None = None
    ) -> RevokeApiTokenPayload:
        account = await account_or_primary(info.context, account_id)
        record = await api_tokens.revoke_token(info.context, account, id)
        return RevokeApiTokenPayload(api_token=ApiToken.from_upstream(record, datetime.now(UTC)))
