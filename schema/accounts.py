from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import strawberry

from auth.permissions import MANAGE_API_TOKENS, MANAGE_WEBHOOK_ENDPOINTS, UPDATE_ACCOUNT_DETAILS
from connectors.hubspot import Company
from resolvers import (
    accounts,
    api_tokens,
    billing,
    documents,
    invoices,
    team,
    tickets,
    webhook_endpoints,
)
from resolvers.request.ids import encode_id
from resolvers.request.pages import page_size
from schema.api_tokens import ApiToken
from schema.billing import PaymentMethod, Plan, Subscription, UsageMetric
from schema.context import Info
from schema.documents import Document, DocumentFilter
from schema.invoices import Invoice, InvoiceStatus
from schema.relay import Connection, Node, connection_of
from schema.roles import allowed_to
from schema.team import MemberStatus, TeamMember, TeamRole
from schema.tickets import Ticket, TicketStatus
from schema.user_errors import UserError, user_errors
from schema.webhook_endpoints import WebhookEndpoint


@strawberry.type
class Address:
    street: str | None
    city: str | None
    postal_code: str | None
    state: str | None
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code.")


@strawberry.type(description="The customer success manager assigned to the account.")
class AccountManager:
    name: str
    email: str | None


@strawberry.type
class Branding:
    logo_url: str | None
    primary_color: str | None


@strawberry.type(description="A client company: the HubSpot company and what hangs off it.")
class Account(Node):
    name: str | None
    domain: str | None
    phone: str | None
    billing_address: Address
    lifecycle_stage: str | None
    tier: str | None
    branding: Branding
    record: strawberry.Private[Company]

    @classmethod
    def from_upstream(cls, company: Company) -> Account:
        return cls(
            id=strawberry.ID(encode_id("Account", company.id, company.id)),
            name=company.name,
            domain=company.domain,
            phone=company.phone,
            billing_address=Address(
                street=company.street,
                city=company.city,
                postal_code=company.postal_code,
                state=company.state,
                country=company.country,
            ),
            lifecycle_stage=company.lifecycle_stage,
            tier=company.tier,
            branding=Branding(logo_url=company.logo_url, primary_color=company.primary_color),
            record=company,
        )

    @strawberry.field
    async def account_manager(self, info: Info) -> AccountManager | None:
        owner = await accounts.account_manager(info.context, self.record)
        if owner is None:
            return None
        return AccountManager(name=owner.full_name or owner.email or "", email=owner.email)

    @strawberry.field(description="The parent company, if the viewer may see it.")
    async def parent(self, info: Info) -> Account | None:
        parent = await accounts.parent_account(info.context, self.record)
        return None if parent is None else Account.from_upstream(parent)

    @strawberry.field(description="Sub-accounts the viewer may see (an ADMIN sees all).")
    async def sub_accounts(self, info: Info) -> list[Account]:
        return [
            Account.from_upstream(c) for c in await accounts.sub_accounts(info.context, self.record)
        ]

    @strawberry.field(
        description="Portal members; `status`, `role` and `search` (in name or email) narrow "
        "the list, and `totalCount` counts what they let through."
    )
    async def team(
        self,
        info: Info,
        first: int | None = 25,
        after: str | None = None,
        status: list[MemberStatus] | None = None,
        role: list[TeamRole] | None = None,
        search: str | None = None,
    ) -> Connection[TeamMember] | None:
        where = team.TeamFilter(
            statuses=tuple(s.value for s in status or ()),
            roles=tuple(r.value for r in role or ()),
            search=search.strip() if search and search.strip() else None,
        )
        page = await team.team_page(info.context, self.record, page_size(first), after, where)
        return connection_of(page, lambda c: TeamMember.from_upstream(c, self.record.id))

    @strawberry.field(description="Newest first.")
    async def invoices(
        self,
        info: Info,
        first: int | None = 10,
        after: str | None = None,
        status: InvoiceStatus | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
    ) -> Connection[Invoice] | None:
        where = invoices.InvoiceFilter(
            status=status.value.lower() if status else None,
            created_from=created_from,
            created_to=created_to,
        )
        page = await invoices.invoices_page(
            info.context, self.record, page_size(first), after, where
        )
        return connection_of(page, lambda i: Invoice.from_upstream(i, self.record.id))

    @strawberry.field(description="Drive files and invoice PDFs, newest first.")
    async def documents(
        self,
        info: Info,
        first: int | None = 10,
        after: str | None = None,
        filter: DocumentFilter | None = None,
    ) -> Connection[Document] | None:
        where = filter.to_resolver() if filter else documents.DocumentCriteria()
        page = await documents.documents_page(
            info.context, self.record, page_size(first), after, where
        )
        return connection_of(page, lambda d: Document.from_upstream(d, self.record.id))

    @strawberry.field(description="Most recently updated first; `status` narrows to those.")
    async def tickets(
        self,
        info: Info,
        first: int | None = 10,
        after: str | None = None,
        status: list[TicketStatus] | None = None,
        requested_by_me: bool = False,
    ) -> Connection[Ticket] | None:
        statuses = [s.value for s in status or ()]
        requester = info.context.person().email if requested_by_me else None
        page = await tickets.tickets_page(
            info.context, self.record, page_size(first), after, statuses, requester
        )
        return connection_of(page, lambda t: Ticket.from_upstream(t, self.record.id))

    @strawberry.field
    async def subscription(self, info: Info) -> Subscription | None:
        found = await billing.current_subscription(info.context, self.record)
        return None if found is None else Subscription.from_upstream(found, self.record.id)

    @strawberry.field(
        description="The plans the account may choose, in its currency, lowest first."
    )
    async def plans(self, info: Info) -> list[Plan] | None:
        return [Plan.from_upstream(p) for p in await billing.plans_for(info.context, self.record)]

    @strawberry.field(description="The cards (and other methods) the account pays with.")
    async def payment_methods(self, info: Info) -> list[PaymentMethod] | None:
        found = await billing.payment_methods(info.context, self.record)
        return [] if found is None else PaymentMethod.all_of(found, self.record.id)

    @strawberry.field(description="Metered usage; the current billing period by default.")
    async def usage(
        self,
        info: Info,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
    ) -> list[UsageMetric] | None:
        metrics = await billing.usage(info.context, self.record, from_, to)
        return [UsageMetric.from_upstream(m) for m in metrics]

    @strawberry.field(
        description="ADMIN only: where the account's systems receive events.",
        extensions=allowed_to(MANAGE_WEBHOOK_ENDPOINTS),
    )
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint] | None:
        found = await webhook_endpoints.endpoints_of_account(info.context, self.record)
        return [WebhookEndpoint.from_upstream(e) for e in found]

    @strawberry.field(
        description="ADMIN only: the account's API tokens, newest first.",
        extensions=allowed_to(MANAGE_API_TOKENS),
    )
    async def api_tokens(self, info: Info) -> list[ApiToken] | None:
        now = datetime.now(UTC)
        records = await api_tokens.tokens_of_account(info.context, self.record)
        return [ApiToken.from_upstream(r, now) for r in records]


@strawberry.input(description="A billing address; it replaces the current one as a whole.")
class AddressInput:
    street: str
    city: str
    postal_code: str | None = None
    state: str | None = None
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. DE.")

    def to_resolver(self) -> accounts.BillingAddress:
        return accounts.BillingAddress(
            self.street, self.city, self.postal_code, self.state, self.country
        )


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

    def to_resolver(self) -> accounts.AccountDetailsInput:
        address = self.billing_address
        return accounts.AccountDetailsInput(
            name=self.name,
            phone=self.phone,
            billing_address=None if address is None else address.to_resolver(),
        )


@strawberry.type
class UpdateAccountDetailsPayload:
    account: Account | None = strawberry.field(description="The account as it is now.")
    user_errors: list[UserError]


@strawberry.type
class AccountMutations:
    @strawberry.mutation(
        description="Changes the account in HubSpot and keeps the Stripe customer in step.",
        extensions=allowed_to(UPDATE_ACCOUNT_DETAILS),
    )
    async def update_account_details(
        self, info: Info, input: UpdateAccountDetailsInput
    ) -> UpdateAccountDetailsPayload:
        account_id = None if input.account_id is None else str(input.account_id)
        result = await accounts.update_account_details(
            info.context, account_id, input.to_resolver()
        )
        account = None if result.record is None else Account.from_upstream(result.record)
        return UpdateAccountDetailsPayload(
            account=account, user_errors=user_errors(result.problems)
        )
