from __future__ import annotations

import strawberry

from resolvers import accounts, billing, documents, invoices, notifications, team, tickets
from resolvers.request.ids import decode_id
from resolvers.request.pages import page_size
from schema.accounts import Account
from schema.billing import PaymentMethod, Subscription
from schema.context import Info
from schema.documents import Document
from schema.invoices import Invoice
from schema.notifications import NotificationConnection, notification_connection
from schema.relay import Node
from schema.team import TeamMember
from schema.tickets import Ticket


@strawberry.type(description="The signed-in member and the accounts they may see.")
class Viewer:
    @strawberry.field
    async def member(self, info: Info) -> TeamMember | None:
        contact = await team.member(info.context)
        account_id = info.context.require_viewer().primary_account_id
        return None if contact is None else TeamMember.from_upstream(contact, account_id)

    @strawberry.field(description="The member's own (first) account.")
    async def account(self, info: Info) -> Account | None:
        company = await accounts.primary_account(info.context)
        return None if company is None else Account.from_upstream(company)

    @strawberry.field(description="The member's in-app notifications, newest first.")
    async def notifications(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> NotificationConnection:
        found = await notifications.notification_page(info.context, page_size(first), after)
        return notification_connection(found)

    @strawberry.field(description="Every account the member may see, sub-accounts included.")
    async def accounts(self, info: Info) -> list[Account]:
        return [Account.from_upstream(c) for c in await accounts.viewer_accounts(info.context)]


@strawberry.type
class Query:
    @strawberry.field
    def viewer(self, info: Info) -> Viewer:
        info.context.require_viewer()
        return Viewer()

    @strawberry.field(description="An account by id; NOT_FOUND unless the viewer may see it.")
    async def account(self, info: Info, id: strawberry.ID) -> Account:
        info.context.require_viewer()  # before the id, as `node` does: strangers learn nothing
        return Account.from_upstream(await accounts.account_by_global_id(info.context, id))

    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node:
        ctx = info.context
        ctx.require_viewer()
        kind = decode_id(id).type_name
        if kind == "Account":
            return Account.from_upstream(await accounts.account_by_global_id(ctx, id))
        if kind == "Invoice":
            account, invoice = await invoices.invoice_by_global_id(ctx, id)
            return Invoice.from_upstream(invoice, account.id)
        if kind == "Ticket":
            account, ticket = await tickets.ticket_by_global_id(ctx, id)
            return Ticket.from_upstream(ticket, account.id)
        if kind == "Document":
            account, document = await documents.document_by_global_id(ctx, id)
            return Document.from_upstream(document, account.id)
        if kind == "TeamMember":
            account, contact = await team.member_by_global_id(ctx, id)
            return TeamMember.from_upstream(contact, account.id)
        if kind == "PaymentMethod":
            account, methods, method = await billing.payment_method_by_global_id(ctx, id)
            return PaymentMethod.from_upstream(method, methods, account.id)
        account, subscription = await billing.subscription_by_global_id(ctx, id)
        return Subscription.from_upstream(subscription, account.id)
