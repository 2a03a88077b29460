"""The Subscription root: live updates over graphql-transport-ws and GraphQL over SSE,
authorized per viewer exactly as queries are (another account's id is NOT_FOUND)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from resolvers import accounts, live
from schema.context import Info
from schema.invoices import Invoice
from schema.notifications import Notification
from schema.tickets import Ticket


# Named apart: `Subscription` is the Stripe subscription's type in this schema.
@strawberry.type(name="SubscriptionRoot")
class Subscription:
    @strawberry.subscription(description="The account's tickets, each time one changes.")
    async def ticket_updated(
        self, info: Info, account_id: strawberry.ID
    ) -> AsyncGenerator[Ticket, None]:
        account = await accounts.account_by_global_id(info.context, account_id)
        async for owner, ticket in live.ticket_updates(info.context, account):
            yield Ticket.from_upstream(ticket, owner.id)

    @strawberry.subscription(description="The account's invoices, each time one changes.")
    async def invoice_updated(
        self, info: Info, account_id: strawberry.ID
    ) -> AsyncGenerator[Invoice, None]:
        account = await accounts.account_by_global_id(info.context, account_id)
        async for owner, invoice in live.invoice_updates(info.context, account):
            yield Invoice.from_upstream(invoice, owner.id)

    @strawberry.subscription(description="The signed-in member's new in-app notifications.")
    async def notification_added(self, info: Info) -> AsyncGenerator[Notification, None]:
        async for found in live.my_notifications(info.context):
            yield Notification.from_upstream(found)
