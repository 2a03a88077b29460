"""Builders of Stripe's JSON objects (API version 2026-10-28): customers, payment methods,
invoices and their lines, subscriptions and their items. The seed and the API writes share
them, so every object has one shape."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]

# Stored URLs on the sandbox start with this; responses carry the caller's origin instead.
ORIGIN = "https://sandbox-origin.invalid"
ACCOUNT_NAME = "Portal Vendor Inc."


def list_object(data: list[Json], url: str, *, has_more: bool = False) -> Json:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def invoice_token(account_id: str, invoice_id: str) -> str:
    raw = f"{account_id},{invoice_id}".encode()
    return "test_" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def invoice_id_of_token(token: str) -> str | None:
    if not token.startswith("test_"):
        return None
    encoded = token[len("test_") :]
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except ValueError:
        return None
    _, _, invoice_id = raw.partition(",")
    return invoice_id or None


def invoice_pdf_url(account_id: str, invoice_id: str) -> str:
    return f"{ORIGIN}/invoice/{account_id}/{invoice_token(account_id, invoice_id)}/pdf?s=ap"


def hosted_invoice_url(account_id: str, invoice_id: str) -> str:
    return f"{ORIGIN}/i/{account_id}/{invoice_token(account_id, invoice_id)}?s=ap"


def address_json(
    line1: str | None, city: str | None, postal_code: str | None, state: str | None,
    country: str | None, line2: str | None = None,
) -> Json:  # fmt: skip
    return {
        "city": city,
        "country": country,
        "line1": line1,
        "line2": line2,
        "postal_code": postal_code,
        "state": state,
    }


def customer_json(
    customer_id: str,
    *,
    name: str,
    email: str,
    phone: str,
    currency: str,
    address: Json,
    created: int,
    invoice_prefix: str,
    default_payment_method: str | None,
) -> Json:
    return {
        "id": customer_id,
        "object": "customer",
        "address": address,
        "balance": 0,
        "business_name": None,
        "created": created,
        "currency": currency,
        "customer_account": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": email,
        "individual_name": None,
        "invoice_prefix": invoice_prefix,
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": default_payment_method,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {},
        "name": name,
        "next_invoice_sequence": 1,
        "phone": phone,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }


@dataclass(frozen=True)
class Card:
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    country: str
    fingerprint: str


def card_payment_method_json(pm_id: str, customer: Json, card: Card, created: int) -> Json:
    return {
        "id": pm_id,
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": {
            "address": dict(customer["address"]) if customer["address"] else None,
            "email": customer["email"],
            "name": customer["name"],
            "phone": customer["phone"],
            "tax_id": None,
        },
        "card": {
            "brand": card.brand,
            "checks": {
                "address_line1_check": None,
                "address_postal_code_check": "pass",
                "cvc_check": "pass",
            },
            "country": card.country,
            "display_brand": card.brand,
            "exp_month": card.exp_month,
            "exp_year": card.exp_year,
            "fingerprint": card.fingerprint,
            "funding": "credit",
            "generated_from": None,
            "last4": card.last4,
            "networks": {"available": [card.brand], "preferred": None},
            "regulated_status": "unregulated",
            "three_d_secure_usage": {"supported": True},
            "wallet": None,
        },
        "created": created,
        "customer": customer["id"],
        "customer_account": None,
        "livemode": False,
        "metadata": {},
        "type": "card",
    }


@dataclass(frozen=True)
class LineSource:
    """What billed a line: a subscription item, or an invoice item (one-off or proration)."""

    subscription_id: str | None = None
    subscription_item_id: str | None = None
    invoice_item_id: str | None = None
    proration: bool = False


def line_json(
    line_id: str,
    invoice_id: str | None,
    *,
    price: Json,
    quantity: int,
    amount: int,
    description: str,
    period: tuple[int, int],
    source: LineSource,
) -> Json:
    if source.subscription_item_id:
        parent = {
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": source.invoice_item_id,
                "proration": source.proration,
                "proration_details": {"credited_items": None},
                "subscription": source.subscription_id,
                "subscription_item": source.subscription_item_id,
            },
            "type": "subscription_item_details",
        }
    else:
        parent = {
            "invoice_item_details": {
                "invoice_item": source.invoice_item_id,
                "proration": source.proration,
                "proration_details": {"credited_items": None},
                "subscription": source.subscription_id,
            },
            "subscription_item_details": None,
            "type": "invoice_item_details",
        }
    return {
        "id": line_id,
        "object": "line_item",
        "amount": amount,
        "currency": price["currency"],
        "description": description,
        "discount_amounts": [],
        "discountable": not source.proration,
        "discounts": [],
        "invoice": invoice_id,
        "livemode": False,
        "metadata": {},
        "parent": parent,
        "period": {"end": period[1], "start": period[0]},
        "pretax_credit_amounts": [],
        "pricing": {
            "price_details": {"price": price["id"], "product": price["product"]},
            "type": "price_details",
            "unit_amount_decimal": price["unit_amount_decimal"],
        },
        "quantity": quantity,
        "quantity_decimal": str(quantity),
        "subscription": source.subscription_id,
        "subtotal": amount,
        "taxes": [],
    }


@dataclass(frozen=True)
class InvoiceFacts:
    """The facts an invoice is made of; `invoice_json` derives the rest as Stripe does."""

    invoice_id: str
    account_id: str
    customer: Json
    number: str | None
    status: str
    created: int
    collection_method: str  # "charge_automatically" or "send_invoice"
    billing_reason: str
    period: tuple[int, int]
    lines: list[Json]
    subscription_id: str | None = None
    due_date: int | None = None
    finalized_at: int | None = None
    paid_at: int | None = None
    voided_at: int | None = None
    uncollectible_at: int | None = None
    description: str | None = None


def invoice_json(facts: InvoiceFacts) -> Json:
    total = sum(line["amount"] for line in facts.lines)
    due = max(total, 0)  # a credit goes to the customer's balance, never a negative amount due
    draft = facts.status == "draft"
    paid = due if facts.status == "paid" else 0
    automatic = facts.collection_method == "charge_automatically"
    customer = facts.customer
    invoice = {
        "id": facts.invoice_id,
        "object": "invoice",
        "account_country": "US",
        "account_name": ACCOUNT_NAME,
        "account_tax_ids": None,
        "amount_due": due,
        "amount_overpaid": 0,
        "amount_paid": paid,
        "amount_remaining": due - paid,
        "amount_shipping": 0,
        "application": None,
        "attempt_count": 1 if automatic and not draft else 0,
        "attempted": (automatic and not draft) or facts.status == "paid",
        "auto_advance": facts.status in ("draft", "open"),
        "automatic_tax": {
            "disabled_reason": None,
            "enabled": False,
            "liability": None,
            "provider": None,
            "status": None,
        },
        "automatically_finalizes_at": facts.created + 3600 if draft and automatic else None,
        "billing_reason": facts.billing_reason,
        "collection_method": facts.collection_method,
        "confirmation_secret": None,
        "created": facts.created,
        "currency": customer["currency"],
        "custom_fields": None,
        "customer": customer["id"],
        "customer_account": None,
        "customer_address": dict(customer["address"]) if customer["address"] else None,
        "customer_email": customer["email"],
        "customer_name": customer["name"],
        "customer_phone": customer["phone"],
        "customer_shipping": None,
        "customer_tax_exempt": "none",
        "customer_tax_ids": [],
        "default_payment_method": None,
        "default_source": None,
        "default_tax_rates": [],
        "description": facts.description,
        "discounts": [],
        "due_date": facts.due_date,
        "effective_at": facts.finalized_at,
        "ending_balance": None if draft else min(total, 0),
        "footer": None,
        "from_invoice": None,
        "hosted_invoice_url": (
            None if draft else hosted_invoice_url(facts.account_id, facts.invoice_id)
        ),
        "invoice_pdf": None if draft else invoice_pdf_url(facts.account_id, facts.invoice_id),
        "issuer": {"type": "self"},
        "last_finalization_error": None,
        "latest_revision": None,
        "lines": {
            "object": "list",
            "data": facts.lines,
            "has_more": False,
            "total_count": len(facts.lines),
            "url": f"/v1/invoices/{facts.invoice_id}/lines",
        },
        "livemode": False,
        "metadata": {},
        "next_payment_attempt": (
            facts.created + 3 * 86400 if automatic and facts.status == "open" else None
        ),
        "number": facts.number,
        "on_behalf_of": None,
        "parent": _invoice_parent(facts.subscription_id),
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        "period_end": facts.period[1],
        "period_start": facts.period[0],
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": None,
        "rendering": None,
        "shipping_cost": None,
        "shipping_details": None,
        "starting_balance": 0,
        "statement_descriptor": None,
        "status": facts.status,
        "status_transitions": {
            "finalized_at": facts.finalized_at,
            "marked_uncollectible_at": facts.uncollectible_at,
            "paid_at": facts.paid_at,
            "voided_at": facts.voided_at,
        },
        "subtotal": total,
        "subtotal_excluding_tax": total,
        "test_clock": None,
        "threshold_reason": None,
        "total": total,
        "total_discount_amounts": [],
        "total_excluding_tax": total,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "webhooks_delivered_at": None if draft else facts.created,
    }
    return invoice


def _invoice_parent(subscription_id: str | None) -> Json | None:
    if subscription_id is None:
        return None
    return {
        "quote_details": None,
        "subscription_details": {
            "metadata": {},
            "subscription": subscription_id,
            "subscription_proration_date": None,
        },
        "type": "subscription_details",
    }


def mark_paid(invoice: Json, paid_at: int) -> None:
    invoice["status"] = "paid"
    invoice["amount_paid"] = invoice["amount_due"]
    invoice["amount_remaining"] = 0
    invoice["attempted"] = True
    invoice["auto_advance"] = False
    invoice["next_payment_attempt"] = None
    invoice["status_transitions"]["paid_at"] = paid_at


def plan_json(price: Json) -> Json:
    """The legacy `plan` every subscription item still carries, mirroring its price."""
    recurring = price["recurring"] or {}
    return {
        "id": price["id"],
        "object": "plan",
        "active": price["active"],
        "amount": price["unit_amount"],
        "amount_decimal": price["unit_amount_decimal"],
        "billing_scheme": price["billing_scheme"],
        "created": price["created"],
        "currency": price["currency"],
        "interval": recurring.get("interval"),
        "interval_count": recurring.get("interval_count"),
        "livemode": False,
        "metadata": price["metadata"],
        "meter": recurring.get("meter"),
        "nickname": price["nickname"],
        "product": price["product"],
        "tiers_mode": None,
        "transform_usage": price["transform_quantity"],
        "trial_period_days": None,
        "usage_type": recurring.get("usage_type"),
    }


def subscription_item_json(
    item_id: str, subscription_id: str, price: Json, quantity: int | None,
    created: int, period: tuple[int, int],
) -> Json:  # fmt: skip
    return {
        "id": item_id,
        "object": "subscription_item",
        "billed_until": None,
        "billing_thresholds": None,
        "created": created,
        "current_period_end": period[1],
        "current_period_start": period[0],
        "current_trial": None,
        "discounts": [],
        "metadata": {},
        "plan": plan_json(price),
        "price": price,
        "quantity": quantity,
        "subscription": subscription_id,
        "tax_rates": [],
    }


def subscription_json(
    subscription_id: str,
    *,
    customer_id: str,
    currency: str,
    created: int,
    items: list[Json],
    default_payment_method: str | None,
    latest_invoice: str | None,
) -> Json:
    return {
        "id": subscription_id,
        "object": "subscription",
        "application": None,
        "application_fee_percent": None,
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
        "billing_cycle_anchor": created,
        "billing_cycle_anchor_config": None,
        "billing_mode": {"flexible": None, "type": "classic", "updated_at": None},
        "billing_schedules": [],
        "billing_thresholds": None,
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": "charge_automatically",
        "created": created,
        "currency": currency,
        "customer": customer_id,
        "customer_account": None,
        "days_until_due": None,
        "default_payment_method": default_payment_method,
        "default_source": None,
        "default_tax_rates": [],
        "description": None,
        "discounts": [],
        "ended_at": None,
        "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
        "items": {
            "object": "list",
            "data": items,
            "has_more": False,
            "total_count": len(items),
            "url": f"/v1/subscription_items?subscription={subscription_id}",
        },
        "latest_invoice": latest_invoice,
        "livemode": False,
        "metadata": {},
        "next_pending_invoice_item_invoice": None,
        "on_behalf_of": None,
        "pause_collection": None,
        "payment_settings": {
            "payment_method_options": None,
            "payment_method_types": None,
            "save_default_payment_method": "off",
        },
        "pending_invoice_item_interval": None,
        "pending_setup_intent": None,
        "pending_update": None,
        "schedule": None,
        "start_date": created,
        "status": "active",
        "test_clock": None,
        "transfer_data": None,
        "trial_end": None,
        "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
        "trial_start": None,
    }
