"""`updateAccountDetails`: the account's name, phone and billing address (ADMIN)."""

from __future__ import annotations

import strawberry

from resolvers import account_writes
from schema.account import Account
from schema.context import Info
from schema.user_errors import UserError, user_errors


@strawberry.input(description="A billing address; it replaces the current one as a whole.")
class AddressInput:
    street: str
    city: str
    postal_code: str | None = None
    state: str | None = None
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. DE.")


@strawberry.input(description="Fields left out (or null) stay as they are.")
class UpdateAccountDetailsInput:
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="A sub-account's id; the member's own account by default."
    )
    name: str | None = None
    phone: str | None = strawberry.field(
        default=None, description='E.164, e.g. "+49 30 1234567"; "" removes it.'
    )
    billing_address: AddressInput | None = None

    def to_resolver(self) -> account_writes.AccountDetailsInput:
        address = self.billing_address
        return account_writes.AccountDetailsInput(
            name=self.name,
            phone=self.phone,
            billing_address=None
            if address is None
            else account_writes.AddressInput(
                street=address.street,
                city=address.city,
                postal_code=address.postal_code,
                state=address.state,
                country=address.country,
            ),
        )


@strawberry.type
class UpdateAccountDetailsPayload:
    account: Account | None = strawberry.field(description="The account as it is now.")
    user_errors: list[UserError]


@strawberry.type
class AccountMutations:
    @strawberry.mutation(
        description="Changes the account in HubSpot and keeps the Stripe customer in step."
    )
    async def update_account_details(
        self, info: Info, input: UpdateAccountDetailsInput
    ) -> UpdateAccountDetailsPayload:
        account_id = None if input.account_id is None else str(input.account_id)
        result = await account_writes.update_account_details(
            info.context, account_id, input.to_resolver()
        )
        account = None if result.record is None else Account.from_upstream(result.record)
        return UpdateAccountDetailsPayload(
            account=account, user_errors=user_errors(result.problems)
        )
