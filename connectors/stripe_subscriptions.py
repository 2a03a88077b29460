"""Changing a Stripe subscription: previews (`invoices/create_preview`), plan and seat
changes prorated at a given second, changes planned for the period's end (subscription
schedules), cancelling and resuming. Every write carries the caller's Idempotency-Key and
stamps it into the subscription's metadata (`portal_change`), so the next write's key can
depend on the last one (see resolvers/idempotency.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import stripe

from connectors.http import Rejected
from connectors.stripe import (
    Subscription,
    _call,
    _id_of,
    _optional_time,
    _time,
    _unix,
    parse_subscription,
)


@dataclass(frozen=True)
class ItemChange:
    """One licensed item after the change: the item to change (None adds one)."""

    item_id: str | None
    price_id: str
    quantity: int


@dataclass(frozen=True)
class Written:
    """A subscription write's answer. `replayed`: Stripe had seen the Idempotency-Key and
    answered the first request's result again, changing nothing this time."""

    subscription: Subscription
    replayed: bool


@dataclass(frozen=True)
class PreviewLine:
    description: str | None
    amount: int  # minor units; negative for a credit
    proration: bool
    period_start: datetime
    period_end: datetime
    price_id: str | None
    quantity: int | None


@dataclass(frozen=True)
class InvoicePreview:
    currency: str
    amount_due: int
    total: int
    billed_at: datetime  # when Stripe will bill it: now for an immediate change
    proration_date: datetime | None
    lines: tuple[PreviewLine, ...]


async def subscription_by_id(
    client: stripe.StripeClient, subscription_id: str, names: dict[str, str]
) -> Subscription:
    """The subscription as it is now (never cached: writes decide from it)."""
    found = await _call(
        client.v1.subscriptions.retrieve_async(subscription_id, params={"expand": ["schedule"]})
    )
    return parse_subscription(found, names)


async def has_ended_subscription(client: stripe.StripeClient, customer_id: str) -> bool:
    """Whether the customer had a subscription that has ended (lists leave those out)."""
    found = await _call(
        client.v1.subscriptions.list_async(
            params={"customer": customer_id, "status": "ended", "limit": 1}
        )
    )
    return bool(found.data)


# Previews


async def preview_change(
    client: stripe.StripeClient,
    subscription_id: str,
    changes: list[ItemChange],
    *,
    immediate: bool,
) -> InvoicePreview:
    """The invoice the change makes: with `immediate`, the one billed at once
    (`always_invoice`: prorations and pending items), prorated to the second Stripe reports
    as `proration_date`; else the next periodic invoice after the change without prorations
    (the change then waits for the period's end)."""
    details: dict[str, Any] = {
        "items": _items(changes),
        "proration_behavior": "always_invoice" if immediate else "none",
    }
    params = {"subscription": subscription_id, "subscription_details": details}
    preview = await _call(client.v1.invoices.create_preview_async(params=cast(Any, params)))
    return _preview(preview)


async def upcoming_invoice(
    client: stripe.StripeClient, customer_id: str, subscription_id: str
) -> InvoicePreview | None:
    """The subscription's next invoice as Stripe would draft it now; None when there is none
    (a subscription ending at the period's end)."""
    params = {"customer": customer_id, "subscription": subscription_id}
    try:
        preview = await _call(client.v1.invoices.create_preview_async(params=cast(Any, params)))
    except Rejected as exc:
        if "No upcoming invoices" in exc.detail:
            return None
        raise
    return _preview(preview)


def _preview(invoice: stripe.Invoice) -> InvoicePreview:
    parent = invoice.parent
    details = parent.subscription_details if parent else None
    return InvoicePreview(
        currency=invoice.currency,
        amount_due=invoice.amount_due,
        total=invoice.total,
        billed_at=_time(invoice.created),
        proration_date=_optional_time(details.subscription_proration_date if details else None),
        lines=tuple(_line(line) for line in invoice.lines.data),
    )


def _line(line: stripe.InvoiceLineItem) -> PreviewLine:
    parent = line.parent
    source = None
    if parent is not None:
        source = parent.subscription_item_details or parent.invoice_item_details
    pricing = line.pricing
    price_details = pricing.price_details if pricing else None
    return PreviewLine(
        description=line.description,
        amount=line.amount,
        proration=bool(source and source.proration),
        period_start=_time(line.period.start),
        period_end=_time(line.period.end),
        price_id=_id_of(price_details.price) if price_details else None,
        quantity=line.quantity,
    )


# Writes


async def change_now(
    client: stripe.StripeClient,
    subscription_id: str,
    changes: list[ItemChange],
    proration_date: datetime,
    idempotency_key: str,
) -> Written:
    """Applies the change at once and bills its prorations at once (`always_invoice`), so
    the invoice equals the preview made with the same `proration_date`."""
    params = {
        "items": _items(changes),
        "proration_behavior": "always_invoice",
        "proration_date": _unix(proration_date),
        "metadata": {"portal_change": idempotency_key},
        "expand": ["schedule"],
    }
    return await _update(client, subscription_id, params, idempotency_key)


async def change_at_period_end(
    client: stripe.StripeClient,
    subscription: Subscription,
    changes: list[ItemChange],
    idempotency_key: str,
) -> bool:
    """Plans the change for the end of the current period: the subscription's schedule (made
    from it if it has none) keeps the current items until then and the new ones after, for
    one period, and then releases the subscription. Answers whether Stripe replayed it."""
    schedule_id = subscription.schedule.id if subscription.schedule else None
    if schedule_id is None:
        created = await _call(
            client.v1.subscription_schedules.create_async(
                params={"from_subscription": subscription.id},
                options={"idempotency_key": f"{idempotency_key}-schedule"},
            )
        )
        schedule_id = created.id
    now_items = [
        {"price": item.price_id, **({"quantity": item.quantity} if item.quantity else {})}
        for item in subscription.items
    ]
    by_item = {change.item_id: change for change in changes}
    later_items = [
        {"price": by_item[item.id].price_id, "quantity": by_item[item.id].quantity}
        if item.id in by_item
        else now
        for item, now in zip(subscription.items, now_items, strict=True)
    ]
    params = {
        "phases": [
            {
                "items": now_items,
                "start_date": _unix(subscription.current_period_start),
                "end_date": _unix(subscription.current_period_end),
            },
            {"items": later_items, "iterations": 1},
        ],
        "end_behavior": "release",
        "metadata": {"portal_change": idempotency_key},
    }
    updated = await _call(
        client.v1.subscription_schedules.update_async(
            schedule_id,
            params=cast(Any, params),
            options={"idempotency_key": f"{idempotency_key}-phases"},
        )
    )
    return _replayed(updated)


async def release_schedule(
    client: stripe.StripeClient, schedule_id: str, idempotency_key: str
) -> None:
    """Drops the planned changes; the subscription carries on as it is."""
    await _call(
        client.v1.subscription_schedules.release_async(
            schedule_id, options={"idempotency_key": idempotency_key}
        )
    )


async def set_cancel_at_period_end(
    client: stripe.StripeClient,
    subscription_id: str,
    cancel: bool,
    idempotency_key: str,
    *,
    feedback: str | None = None,
    comment: str | None = None,
) -> Written:
    params: dict[str, Any] = {
        "cancel_at_period_end": cancel,
        "metadata": {"portal_change": idempotency_key},
        "expand": ["schedule"],
    }
    if cancel:
        params["cancellation_details"] = _details(feedback, comment)
    return await _update(client, subscription_id, params, idempotency_key)


async def cancel_now(
    client: stripe.StripeClient,
    subscription_id: str,
    idempotency_key: str,
    *,
    feedback: str | None = None,
    comment: str | None = None,
) -> Written:
    params = {"cancellation_details": _details(feedback, comment), "expand": ["schedule"]}
    cancelled = await _call(
        client.v1.subscriptions.cancel_async(
            subscription_id,
            params=cast(Any, params),
            options={"idempotency_key": idempotency_key},
        )
    )
    return _written(cancelled)


async def _update(
    client: stripe.StripeClient, subscription_id: str, params: dict[str, Any], key: str
) -> Written:
    """Updates the subscription under `key` (a replay answers Stripe's stored result)."""
    updated = await _call(
        client.v1.subscriptions.update_async(
            subscription_id, params=cast(Any, params), options={"idempotency_key": key}
        )
    )
    return _written(updated)


def _written(found: stripe.Subscription) -> Written:
    return Written(parse_subscription(found, {}), _replayed(found))


def _replayed(found: stripe.StripeObject) -> bool:
    response = found.last_response
    headers = (response.headers if response is not None else None) or {}
    return any(k.lower() == "idempotent-replayed" and v == "true" for k, v in headers.items())


def _details(feedback: str | None, comment: str | None) -> dict[str, str]:
    return {"feedback": feedback or "", "comment": comment or ""}


def _items(changes: list[ItemChange]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for change in changes:
        item: dict[str, Any] = {"price": change.price_id, "quantity": change.quantity}
        if change.item_id:
            item["id"] = change.item_id
        items.append(item)
    return items
