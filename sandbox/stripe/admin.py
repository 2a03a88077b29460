"""Vendor-side changes under `/_sandbox/` (JSON in, JSON out): what would happen in Stripe
without the portal asking, such as a customer paying an invoice by bank transfer."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from sandbox.stripe.api import json_answer
from sandbox.stripe.billing import end_period
from sandbox.stripe.catalog import services_key
from sandbox.stripe.objects import (
    Card,
    InvoiceFacts,
    Json,
    LineSource,
    card_payment_method_json,
    invoice_json,
    line_json,
    mark_paid,
)
from sandbox.stripe.periods import DAY
from sandbox.stripe.state import StripeState
from sandbox.upstream import StateHolder


class AdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def admin_routes(holder: StateHolder[StripeState]) -> list[web.RouteDef]:
    def route(change: Any) -> Any:
        async def handle(request: web.Request) -> web.Response:
            try:
                raw = await request.read()
                body = json.loads(raw) if raw else {}
                if not isinstance(body, dict):
                    raise AdminError(400, "the body must be a JSON object")
                return json_answer(request, change(holder.state, request, body))
            except AdminError as exc:
                return web.json_response({"error": str(exc)}, status=exc.status)
            except ValueError as exc:
                return web.json_response({"error": f"invalid JSON: {exc}"}, status=400)

        return handle

    async def changes(request: web.Request) -> web.Response:
        return web.json_response(
            [{"kind": c.kind, "object_id": c.object_id, "at": c.at} for c in holder.state.changes]
        )

    return [
        web.post("/_sandbox/invoices/{invoice}/pay", route(pay_invoice)),
        web.post("/_sandbox/invoices", route(create_invoice)),
        web.post("/_sandbox/meter_events", route(record_meter_event)),
        web.post("/_sandbox/checkout/sessions/{session}/complete", route(complete_checkout)),
        web.post(
            "/_sandbox/subscriptions/{subscription}/end_period", route(end_subscription_period)
        ),
        web.get("/_sandbox/changes", changes),
    ]


def pay_invoice(state: StripeState, request: web.Request, body: Json) -> Json:
    invoice = state.invoices.get(request.match_info["invoice"])
    if invoice is None:
        raise AdminError(404, f"no invoice {request.match_info['invoice']}")
    if invoice["status"] != "open":
        raise AdminError(400, f"invoice {invoice['id']} is {invoice['status']}, not open")
    mark_paid(invoice, state.tick())
    _refresh_delinquency(state, invoice["customer"])
    state.changed("invoice.paid", invoice["id"])
    return invoice


def create_invoice(state: StripeState, request: web.Request, body: Json) -> Json:
    customer = state.customers.get(str(body.get("customer")))
    if customer is None:
        raise AdminError(404, f"no customer {body.get('customer')}")
    amount = body.get("amount_due")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise AdminError(400, "amount_due must be a positive integer (minor units)")
    description = str(body.get("description") or "Professional services")
    days_until_due = body.get("days_until_due", 30)
    if not isinstance(days_until_due, int):
        raise AdminError(400, "days_until_due must be an integer")
    created, invoice_id = state.tick(), state.new_id("in_")
    price = state.catalog.price(services_key(customer["currency"]))
    line = line_json(
        state.new_id("il_"), invoice_id, price=price, quantity=1, amount=amount,
        description=description, period=(created, created),
        source=LineSource(invoice_item_id=state.new_id("ii_")),
    )  # fmt: skip
    line["pricing"]["unit_amount_decimal"] = str(amount)
    invoice = invoice_json(
        InvoiceFacts(
            invoice_id=invoice_id, account_id=state.account_id, customer=customer,
            number=state.next_invoice_number(customer), status="open", created=created,
            collection_method="send_invoice", billing_reason="manual",
            period=(created, created), lines=[line], due_date=created + days_until_due * DAY,
            finalized_at=created, description=description,
        )
    )  # fmt: skip
    state.add_invoice(invoice)
    state.changed("invoice.created", invoice_id)
    state.changed("invoice.finalized", invoice_id)
    return invoice


def record_meter_event(state: StripeState, request: web.Request, body: Json) -> Json:
    event_name = str(body.get("event_name"))
    meter_id = state.catalog.meter_by_event.get(event_name)
    if meter_id is None:
        raise AdminError(400, f"no meter for event_name {event_name!r}")
    customer_id = str(body.get("customer"))
    if customer_id not in state.customers:
        raise AdminError(404, f"no customer {customer_id}")
    value = body.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AdminError(400, "value must be a number")
    timestamp = body.get("timestamp")
    if timestamp is None:
        timestamp = state.tick()
    if not isinstance(timestamp, int):
        raise AdminError(400, "timestamp must be unix seconds")
    state.usage.add(meter_id, customer_id, timestamp, float(value))
    identifier = state.new_id("evt_sandbox_", 16)
    state.changed("billing.meter_event.created", identifier)
    return {
        "object": "billing.meter_event",
        "created": state.now(),
        "event_name": event_name,
        "identifier": identifier,
        "livemode": False,
        "payload": {"stripe_customer_id": customer_id, "value": str(value)},
        "timestamp": timestamp,
    }


_CARD_FIELDS = {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030,
                "country": "US"}  # fmt: skip


def complete_checkout(state: StripeState, request: web.Request, body: Json) -> Json:
    """The customer finishes a setup-mode Checkout page: the card they entered (`card`,
    default a Visa 4242) becomes a payment method attached to the session's customer."""
    session = state.sessions.get(request.match_info["session"])
    if session is None or session["object"] != "checkout.session":
        raise AdminError(404, f"no checkout session {request.match_info['session']}")
    if session["status"] != "open":
        raise AdminError(400, f"checkout session {session['id']} is {session['status']}")
    customer = state.customers.get(session["customer"] or "")
    if customer is None:
        raise AdminError(400, "this sandbox completes sessions of an existing customer only")
    given = body.get("card") or {}
    if not isinstance(given, dict) or set(given) - set(_CARD_FIELDS):
        raise AdminError(400, f"card takes {', '.join(_CARD_FIELDS)}")
    fields = {**_CARD_FIELDS, **given}
    card = Card(
        brand=str(fields["brand"]), last4=str(fields["last4"]),
        exp_month=int(fields["exp_month"]), exp_year=int(fields["exp_year"]),
        country=str(fields["country"]), fingerprint=state.new_id("", 16),
    )  # fmt: skip
    payment_method = card_payment_method_json(state.new_id("pm_"), customer, card, state.tick())
    state.add_payment_method(payment_method)
    session.update(status="complete", customer_details={
        "address": customer["address"], "email": customer["email"], "name": customer["name"],
        "phone": customer["phone"], "tax_exempt": "none", "tax_ids": [],
    })  # fmt: skip
    state.changed("payment_method.attached", payment_method["id"])
    state.changed("checkout.session.completed", session["id"])
    return payment_method


def end_subscription_period(state: StripeState, request: web.Request, body: Json) -> Json:
    """Moves the clock to the end of the subscription's current period, as a test clock
    would: a pending cancellation or scheduled phase takes effect and the renewal is billed."""
    subscription = state.subscriptions.get(request.match_info["subscription"])
    if subscription is None:
        raise AdminError(404, f"no subscription {request.match_info['subscription']}")
    if subscription["status"] in ("canceled", "incomplete_expired"):
        raise AdminError(400, f"subscription {subscription['id']} has ended")
    end_period(state, subscription)
    return subscription


def _refresh_delinquency(state: StripeState, customer_id: str) -> None:
    now = state.now()
    state.customers[customer_id]["delinquent"] = any(
        invoice["status"] == "open"
        and invoice["due_date"] is not None
        and invoice["due_date"] < now
        for invoice in (
            state.invoices[i] for i in state.invoices_by_customer[customer_id].newest_first()
        )
    )
