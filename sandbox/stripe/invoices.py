"""`/v1/invoices`: list (newest first), retrieve, their lines, and `create_preview`."""

from __future__ import annotations

from sandbox.stripe.api import LIST_PARAMS, Call, list_query, paged_list, sliced_list
from sandbox.stripe.billing import (
    PRORATION_BEHAVIORS,
    item_changes,
    preview_invoice,
    proration_lines,
    renewal_lines,
    slots_after,
)
from sandbox.stripe.errors import StripeApiError, invalid
from sandbox.stripe.forms import Params, Range
from sandbox.stripe.objects import Json

STATUSES = ("draft", "open", "paid", "uncollectible", "void")


def list_invoices(call: Call) -> Json:
    params, state = call.params, call.state
    params.allow(*LIST_PARAMS, "customer", "status", "subscription", "created", "due_date",
                 "collection_method")  # fmt: skip
    customer_id = params.text("customer")
    timeline = state.invoice_timeline
    if customer_id:
        state.require(state.customers, customer_id, param="customer", status=400)
        timeline = state.invoices_by_customer[customer_id]
    status = params.choice("status", STATUSES)
    subscription_id = params.text("subscription")
    method = params.choice("collection_method", ("charge_automatically", "send_invoice"))
    due = params.range("due_date")

    def keep(invoice_id: str) -> bool:
        invoice = state.invoices[invoice_id]
        return (
            (status is None or invoice["status"] == status)
            and (subscription_id is None or _subscription_of(invoice) == subscription_id)
            and (method is None or invoice["collection_method"] == method)
            and (
                due is None
                or (invoice["due_date"] is not None and due.contains(invoice["due_date"]))
            )
        )

    filtered = any(v is not None for v in (status, subscription_id, method, due))
    return paged_list(
        list_query(params),
        timeline,
        state.invoices,
        "/v1/invoices",
        created=params.range("created"),
        keep=keep if filtered else None,
    )


def retrieve_invoice(call: Call) -> Json:
    call.params.allow()
    return call.state.require(call.state.invoices, call.match("invoice"))


def list_invoice_lines(call: Call) -> Json:
    call.params.allow(*LIST_PARAMS)
    invoice = call.state.require(call.state.invoices, call.match("invoice"))
    lines = invoice["lines"]
    return sliced_list(lines["data"], list_query(call.params), lines["url"], "line_item")


def create_preview(call: Call) -> Json:
    params, state = call.params, call.state
    params.allow("customer", "subscription", "subscription_details", "preview_mode",
                 "automatic_tax", "currency")  # fmt: skip
    subscription_id, customer_id = params.text("subscription"), params.text("customer")
    if not subscription_id:
        raise invalid(
            "Previews need a subscription here: pass `subscription` (and optionally "
            "`subscription_details`).",
            "subscription",
        )
    subscription = state.require(
        state.subscriptions, subscription_id, param="subscription", status=400
    )
    if customer_id and customer_id != subscription["customer"]:
        raise invalid(
            f"The subscription `{subscription_id}` does not belong to customer `{customer_id}`.",
            "subscription",
        )
    details = params.nested("subscription_details") or Params({}, "subscription_details")
    details.allow("items", "proration_behavior", "proration_date", "cancel_at_period_end",
                  "metadata")  # fmt: skip
    changes = item_changes(state, subscription, details.items("items"))
    slots = slots_after(subscription, changes)
    behavior = details.choice("proration_behavior", PRORATION_BEHAVIORS) or "create_prorations"
    proration_date = details.integer("proration_date")
    when = state.now() if proration_date is None else proration_date
    prorations = []
    if behavior != "none":
        param = details.name("proration_date")
        prorations = proration_lines(state, subscription, changes, when, preview=True,
                                     param=param)  # fmt: skip
    lines = [*state.pending_lines.get(subscription["id"], []), *prorations]
    immediate = behavior == "always_invoice"
    cancelling = details.boolean("cancel_at_period_end")
    if cancelling is None:
        cancelling = subscription["cancel_at_period_end"]
    if not immediate and not cancelling:
        lines += renewal_lines(state, subscription, slots)
    if not lines:
        raise StripeApiError(
            400,
            f"No upcoming invoices for customer: {subscription['customer']}",
            code="invoice_upcoming_none",
        )
    return preview_invoice(state, subscription, lines, when, immediate=immediate)


def _due_within(invoice: Json, due: Range) -> bool:
    return invoice["due_date"] is not None and due.contains(invoice["due_date"])


def _subscription_of(invoice: Json) -> str | None:
    parent = invoice["parent"]
    if parent is None or parent["subscription_details"] is None:
        return None
    subscription: str = parent["subscription_details"]["subscription"]
    return subscription
