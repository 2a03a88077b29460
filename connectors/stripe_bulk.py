"""Long Stripe walks (exports) without the SDK's object model.

The SDK turns each invoice into a tree of `StripeObject`s; measured on a 100-invoice page,
that costs ~75 ms of CPU against ~6 ms for the JSON itself, so an export of 10,000
invoices spent 16 s of its 17 s building objects it dropped at once. Here the SDK still
sends the request (auth, retries off, error types) through `raw_request_async`, and the
JSON is read straight into the same `Invoice` records as `connectors.stripe` returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import stripe as stripe_sdk

from connectors.http import Unavailable
from connectors.stripe import PAGE_LIMIT, SERVICE, Invoice, InvoicePage, _call


async def invoice_page(
    client: stripe_sdk.StripeClient,
    customer_id: str,
    *,
    starting_after: str | None = None,
    status: str | None = None,
    created_gte: datetime | None = None,
    created_lt: datetime | None = None,
) -> InvoicePage:
    """One page of up to 100 of the customer's invoices, newest first."""
    params: dict[str, Any] = {"customer": customer_id, "limit": PAGE_LIMIT}
    if starting_after:
        params["starting_after"] = starting_after
    if status:
        params["status"] = status
    created: dict[str, int] = {}
    if created_gte is not None:
        created["gte"] = int(created_gte.timestamp())
    if created_lt is not None:
        created["lt"] = int(created_lt.timestamp())
    if created:
        params["created"] = created
    response = await _call(client.raw_request_async("get", "/v1/invoices", **params))
    try:
        body = response.data
        return InvoicePage(tuple(_invoice(i) for i in body["data"]), bool(body["has_more"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise Unavailable(SERVICE, f"unexpected response: {exc!r}") from exc


def _invoice(raw: Mapping[str, Any]) -> Invoice:
    details = (raw.get("parent") or {}).get("subscription_details") or {}
    paid_at = (raw.get("status_transitions") or {}).get("paid_at")
    return Invoice(
        id=raw["id"],
        customer_id=_id_of(raw["customer"]),
        number=raw.get("number"),
        status=raw.get("status") or "draft",
        currency=raw["currency"],
        amount_due=raw["amount_due"],
        amount_paid=raw["amount_paid"],
        amount_remaining=raw["amount_remaining"],
        total=raw["total"],
        created=_time(raw["created"]),
        due_date=_optional_time(raw.get("due_date")),
        paid_at=_optional_time(paid_at),
        period_start=_time(raw["period_start"]),
        period_end=_time(raw["period_end"]),
        invoice_pdf=raw.get("invoice_pdf"),
        hosted_invoice_url=raw.get("hosted_invoice_url"),
        subscription_id=_id_of(details["subscription"]) if details.get("subscription") else None,
    )


def _id_of(value: str | Mapping[str, Any]) -> str:
    return value if isinstance(value, str) else str(value["id"])


def _time(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _optional_time(timestamp: int | None) -> datetime | None:
    return None if timestamp is None else _time(timestamp)
