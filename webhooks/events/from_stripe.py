"""Portal events in a Stripe event (the types of Stripe's Events API)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webhooks.events import links
from webhooks.events.derived import Derived, Owner
from webhooks.events.types import EventType

_INVOICE_EVENTS = {
    "invoice.created": EventType.INVOICE_CREATED,
    "invoice.paid": EventType.INVOICE_PAID,
    "invoice.payment_failed": EventType.INVOICE_PAYMENT_FAILED,
    "invoice.upcoming": EventType.SUBSCRIPTION_RENEWAL_UPCOMING,
}
_TITLES = {
    EventType.INVOICE_CREATED: "New invoice {number}: {amount}",
    EventType.INVOICE_PAID: "Invoice {number} is paid ({amount})",
    EventType.INVOICE_PAYMENT_FAILED: "Payment of invoice {number} failed ({amount})",
    EventType.SUBSCRIPTION_RENEWAL_UPCOMING: "Your subscription renews soon: {amount}",
}
# Invoices are listed on the dashboard; a renewal notice is about the subscription.
_PATHS = {EventType.SUBSCRIPTION_RENEWAL_UPCOMING: links.SUBSCRIPTION}


def derive(event: Mapping[str, Any]) -> list[Derived]:
    kind = str(event.get("type", ""))
    found = (event.get("data") or {}).get("object") or {}
    customer = _id(found.get("customer"))
    if not customer or not event.get("id"):
        return []
    if kind in _INVOICE_EVENTS:
        return [_invoice(event, _INVOICE_EVENTS[kind], found, customer)]
    if kind == "customer.subscription.updated":
        return [_subscription(event, found, customer)]
    return []


def _invoice(
    event: Mapping[str, Any], kind: EventType, invoice: Mapping[str, Any], customer: str
) -> Derived:
    number = str(invoice.get("number") or invoice.get("id") or "")
    amount = _money(invoice.get("amount_due"), str(invoice.get("currency") or "usd"))
    invoice_id = str(invoice.get("id") or "")
    return Derived(
        type=kind,
        source="stripe",
        source_id=str(event["id"]),
        owner=Owner("stripe_customer_id", customer),
        occurred_at=float(event.get("created") or 0),
        title=_TITLES[kind].format(number=number, amount=amount),
        path=_PATHS.get(kind, links.DASHBOARD),
        data={
            "invoice": {
                "id": invoice_id,
                "number": number,
                "status": invoice.get("status"),
                "amount_due": invoice.get("amount_due"),
                "currency": invoice.get("currency"),
            }
        },
    )


def _subscription(event: Mapping[str, Any], found: Mapping[str, Any], customer: str) -> Derived:
    items = ((found.get("items") or {}).get("data")) or [{}]
    price = items[0].get("price") or {}
    return Derived(
        type=EventType.SUBSCRIPTION_CHANGED,
        source="stripe",
        source_id=str(event["id"]),
        owner=Owner("stripe_customer_id", customer),
        occurred_at=float(event.get("created") or 0),
        title=f"Your subscription changed: it is now {found.get('status', 'updated')}",
        path=links.SUBSCRIPTION,
        data={
            "subscription": {
                "id": found.get("id"),
                "status": found.get("status"),
                "price": price.get("id") if isinstance(price, Mapping) else price,
                "cancel_at_period_end": found.get("cancel_at_period_end"),
            }
        },
    )


def _money(minor: Any, currency: str) -> str:
    # Two-decimal display for the notification line; the exact amount travels in `data`.
    amount = int(minor or 0)
    return f"{amount / 100:,.2f} {currency.upper()}"


def _id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return str(value) if value else None
