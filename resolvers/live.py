"""Live updates for subscriptions: what this replica's hub hears (webhooks/events/live.py),
kept to what the viewer may see, each record read fresh — under its own deadline, through
the same ownership checks as a query — when its event arrives."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace

from connectors import deadline, stripe, zendesk
from connectors.hubspot import Company
from resolvers import invoices, notifications, tickets
from resolvers.request.context import RequestContext
from resolvers.request.errors import bad_input
from resolvers.request.ids import encode_id
from resolvers.request.loaders import Loaders
from webhooks.events.live import LiveMessage
from webhooks.outbound import Outbound

# An event's records are read within this, as a query's would be (Settings' default).
PER_EVENT_DEADLINE_S = 1.8


def _outbound(ctx: RequestContext) -> Outbound:
    if ctx.services.outbound is None:
        raise bad_input("Live updates need the gateway's Redis (REDIS_URL).")
    return ctx.services.outbound


async def _messages(
    ctx: RequestContext, wanted: Callable[[LiveMessage], bool]
) -> AsyncIterator[LiveMessage]:
    async with _outbound(ctx).hub.messages() as queue:
        while True:
            message = await queue.get()
            if wanted(message):
                yield message


def _fresh(ctx: RequestContext) -> RequestContext:
    """A context with empty loaders: what one event's reads see is read now."""
    return replace(ctx, loaders=Loaders.for_request(ctx.services))


async def ticket_updates(
    ctx: RequestContext, account: Company
) -> AsyncIterator[tuple[Company, zendesk.Ticket]]:
    def wanted(message: LiveMessage) -> bool:
        event = message.event
        return (
            message.contact_id is None
            and event.account_id == account.id
            and (event.type.startswith("ticket."))
        )

    async for message in _messages(ctx, wanted):
        ticket_id = str((message.event.data.get("ticket") or {}).get("id", ""))
        with deadline.replaced(PER_EVENT_DEADLINE_S):
            yield await tickets.ticket_by_global_id(
                _fresh(ctx), encode_id("Ticket", account.id, ticket_id)
            )


async def invoice_updates(
    ctx: RequestContext, account: Company
) -> AsyncIterator[tuple[Company, stripe.Invoice]]:
    def wanted(message: LiveMessage) -> bool:
        event = message.event
        return (
            message.contact_id is None
            and event.account_id == account.id
            and (event.type.startswith("invoice."))
        )

    async for message in _messages(ctx, wanted):
        invoice_id = str((message.event.data.get("invoice") or {}).get("id", ""))
        with deadline.replaced(PER_EVENT_DEADLINE_S):
            yield await invoices.invoice_by_global_id(
                _fresh(ctx), encode_id("Invoice", account.id, invoice_id)
            )


async def my_notifications(ctx: RequestContext) -> AsyncIterator[notifications.Notification]:
    contact_id = ctx.require_viewer().contact_id
    async for message in _messages(ctx, lambda m: m.contact_id == contact_id):
        yield notifications.from_event(message.event)
