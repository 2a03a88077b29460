"""Live updates for subscriptions: what this replica's hub hears (webhooks/events/live.py),
kept to what the viewer may see, each record read fresh — under its own deadline, through
the same ownership checks as a query — when its event arrives.

A subscription outlives the request that opened it, so each event first asks again who the
viewer is and whether the account is still theirs: a member signed out, deactivated, moved
to another account or no longer ADMIN of a sub-account hears nothing more (the stream ends
with the refusal a query would get). An event whose record cannot be read (the vendor is
down, the record is gone) is sent as an error in the record's place, and the stream goes on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from graphql import GraphQLError

from auth.viewer import AuthRefusal
from connectors import deadline, stripe, zendesk
from connectors.http import UpstreamError
from connectors.hubspot import Company
from resolvers import accounts, invoices, notifications, tickets
from resolvers.request.context import RequestContext
from resolvers.request.errors import unauthenticated, upstream_failure
from resolvers.request.events_out import events_out
from resolvers.request.ids import encode_id
from resolvers.request.loaders import Loaders
from webhooks.events.live import LiveMessage
from webhooks.outbound import Outbound

# An event's records are read within this, as a query's would be (Settings' default).
PER_EVENT_DEADLINE_S = 1.8

T = TypeVar("T")
Read = Callable[[RequestContext, str], Awaitable[T]]


def _outbound(ctx: RequestContext) -> Outbound:
    return events_out(ctx, "Live updates")


async def _messages(
    ctx: RequestContext, wanted: Callable[[LiveMessage], bool]
) -> AsyncIterator[LiveMessage]:
    hub = _outbound(ctx).hub
    with ctx.services.live_streams.held_by(ctx.require_viewer().contact_id):
        async with hub.messages() as queue:
            while True:
                message = await queue.get()
                if wanted(message):
                    yield message


def _about_account(account_id: str, kind: str) -> Callable[[LiveMessage], bool]:
    """Account-wide events of one kind ("ticket.", "invoice.") of one account."""

    def wanted(message: LiveMessage) -> bool:
        event = message.event
        return (
            message.contact_id is None
            and event.account_id == account_id
            and event.type.startswith(kind)
        )

    return wanted


async def _viewer_now(ctx: RequestContext, account_global_id: str | None) -> RequestContext:
    """Makes the stream's context one event's: the viewer as the credential names them now,
    and empty loaders, so that the event's record and every field under it are read now.
    In place: nested fields resolve with the context the stream was opened with. Raises the
    refusal a query would get now (the stream ends with it), or an `UpstreamError` when who
    may see the event could not be read (the stream goes on)."""
    viewer = ctx.require_viewer()
    if ctx.reauthenticate is not None:
        found = await ctx.reauthenticate()
        if isinstance(found, AuthRefusal):
            raise unauthenticated(found)
        viewer = found
    ctx.viewer, ctx.loaders = viewer, Loaders.for_request(ctx.services)
    if account_global_id is not None:
        await accounts.account_by_global_id(ctx, account_global_id)
    return ctx


async def _on_event(
    ctx: RequestContext, account_global_id: str, read: Read[T], global_id: str
) -> T | GraphQLError:
    """What one event sends: the record `read` finds by `global_id`, or the error that
    stands in for it."""
    with deadline.replaced(PER_EVENT_DEADLINE_S):
        try:
            now = await _viewer_now(ctx, account_global_id)
        except UpstreamError as failure:
            return upstream_failure(failure)
        try:
            return await read(now, global_id)
        except UpstreamError as failure:
            return upstream_failure(failure)
        except GraphQLError as gone:  # the account was checked: the record is gone, or not its
            return gone


async def _account_updates(
    ctx: RequestContext, account_global_id: str, kind: str, read: Read[T]
) -> AsyncIterator[T | GraphQLError]:
    """The records of one kind ("ticket", "invoice") of an account, as events name them."""
    account = await accounts.account_by_global_id(ctx, account_global_id)
    async for message in _messages(ctx, _about_account(account.id, f"{kind}.")):
        record_id = str((message.event.data.get(kind) or {}).get("id", ""))
        global_id = encode_id(kind.capitalize(), account.id, record_id)
        yield await _on_event(ctx, account_global_id, read, global_id)


def ticket_updates(
    ctx: RequestContext, account_global_id: str
) -> AsyncIterator[tuple[Company, zendesk.Ticket] | GraphQLError]:
    return _account_updates(ctx, account_global_id, "ticket", tickets.ticket_by_global_id)


def invoice_updates(
    ctx: RequestContext, account_global_id: str
) -> AsyncIterator[tuple[Company, stripe.Invoice] | GraphQLError]:
    return _account_updates(ctx, account_global_id, "invoice", invoices.invoice_by_global_id)


async def my_notifications(
    ctx: RequestContext,
) -> AsyncIterator[notifications.Notification | GraphQLError]:
    contact_id = ctx.require_viewer().contact_id
    async for message in _messages(ctx, lambda m: m.contact_id == contact_id):
        with deadline.replaced(PER_EVENT_DEADLINE_S):
            try:
                await _viewer_now(ctx, None)
                found: notifications.Notification | GraphQLError = notifications.from_event(
                    message.event
                )
            except UpstreamError as failure:
                found = upstream_failure(failure)
        yield found
