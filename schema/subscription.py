"""The Subscription root: live updates over graphql-transport-ws and GraphQL over SSE,
authorized per viewer exactly as queries are (another account's id is NOT_FOUND)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import TypeVar, cast

import strawberry
from graphql import GraphQLError

from resolvers import live
from schema.context import Info
from schema.invoices import Invoice
from schema.notifications import Notification
from schema.tickets import Ticket

T = TypeVar("T")
R = TypeVar("R")


def _sent(found: T | GraphQLError, present: Callable[[T], R]) -> R:
    """An event's record, or the error that stands in for it: graphql-core raises an
    exception met as a field's value, so the event carries the error and the stream goes on."""
    return cast("R", found) if isinstance(found, GraphQLError) else present(found)


# Named apart: `Subscription` is the Stripe subscription's type in this schema.
@strawberry.type(name="SubscriptionRoot")
class Subscription:
    @strawberry.subscription(description="The account's tickets, each time one changes.")
    async def ticket_updated(
        self, info: Info, account_id: strawberry.ID
    ) -> AsyncGenerator[Ticket, None]:
        async for found in live.ticket_updates(info.context, account_id):
            yield _sent(found, lambda pair: Ticket.from_upstream(pair[1], pair[0].id))

    @strawberry.subscription(description="The account's invoices, each time one changes.")
    async def invoice_updated(
        self, info: Info, account_id: strawberry.ID
    ) -> AsyncGenerator[Invoice, None]:
        async for found in live.invoice_updates(info.context, account_id):
            yield _sent(found, lambda pair: Invoice.from_upstream(pair[1], pair[0].id))

    @strawberry.subscription(description="The signed-in member's new in-app notifications.")
    async def notification_added(self, info: Info) -> AsyncGenerator[Notification, None]:
        async for found in live.my_notifications(info.context):
            yield _sent(found, Notification.from_upstream)
