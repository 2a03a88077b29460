"""`/v1/subscriptions`: list, retrieve, create, update (plan changes with prorations, cancel
at period end with `cancellation_details`, resume, metadata) and cancel."""

from __future__ import annotations

from sandbox.stripe.api import LIST_PARAMS, Call, list_query, paged_list
from sandbox.stripe.billing import (
    PRORATION_BEHAVIORS,
    apply_items,
    current_period,
    first_invoice,
    invoice_now,
    item_changes,
    proration_lines,
    slots_after,
)
from sandbox.stripe.errors import invalid
from sandbox.stripe.forms import Params
from sandbox.stripe.objects import Json, subscription_item_json, subscription_json
from sandbox.stripe.periods import months_later

STATUSES = ("active", "all", "canceled", "ended", "incomplete", "incomplete_expired",
            "past_due", "paused", "trialing", "unpaid")  # fmt: skip
_ENDED = ("canceled", "incomplete_expired")


def list_subscriptions(call: Call) -> Json:
    params, state = call.params, call.state
    params.allow(*LIST_PARAMS, "customer", "price", "status", "created", "collection_method")
    customer_id, price_id = params.text("customer"), params.text("price")
    if customer_id:
        state.require(state.customers, customer_id, param="customer", status=400)
    status = params.choice("status", STATUSES)

    def keep(subscription_id: str) -> bool:
        subscription = state.subscriptions[subscription_id]
        prices = {item["price"]["id"] for item in subscription["items"]["data"]}
        return (
            (customer_id is None or subscription["customer"] == customer_id)
            and (price_id is None or price_id in prices)
            and _status_matches(subscription["status"], status)
        )

    return paged_list(
        list_query(params),
        state.subscription_timeline,
        state.subscriptions,
        "/v1/subscriptions",
        created=params.range("created"),
        keep=keep,
    )


def _status_matches(actual: str, wanted: str | None) -> bool:
    if wanted is None:
        return actual not in _ENDED
    if wanted == "all":
        return True
    if wanted == "ended":
        return actual in _ENDED
    return actual == wanted


def retrieve_subscription(call: Call) -> Json:
    call.params.allow()
    return call.state.require(call.state.subscriptions, call.match("subscription"))


def update_subscription(call: Call) -> Json:
    params, state = call.params, call.state
    subscription = state.require(state.subscriptions, call.match("subscription"))
    params.allow(
        "items", "proration_behavior", "proration_date", "cancel_at_period_end", "metadata",
        "payment_behavior", "default_payment_method", "description", "cancellation_details",
    )  # fmt: skip
    if subscription["status"] in _ENDED and set(params.data) - {"metadata", "cancellation_details"}:
        raise invalid(
            "A canceled subscription can only update its cancellation_details and metadata."
        )
    changes = item_changes(state, subscription, params.items("items"))
    slots = slots_after(subscription, changes)
    behavior = params.choice("proration_behavior", PRORATION_BEHAVIORS) or "create_prorations"
    params.choice("payment_behavior", ("allow_incomplete", "default_incomplete",
                                       "error_if_incomplete", "pending_if_incomplete"))  # fmt: skip
    proration_date = params.integer("proration_date")
    when = state.tick() if proration_date is None else proration_date
    cancelling = params.boolean("cancel_at_period_end")
    default_pm = _default_payment_method(call, subscription)
    metadata = params.metadata()
    if changes:
        lines = [] if behavior == "none" else proration_lines(state, subscription, changes, when)
        apply_items(state, subscription, slots)
        if behavior == "always_invoice":
            pending = state.pending_lines.pop(subscription["id"], [])
            if pending or lines:
                invoice_now(state, subscription, [*pending, *lines])
        else:
            state.pending_lines[subscription["id"]].extend(lines)
    if cancelling is not None:
        _set_cancel_at_period_end(subscription, cancelling, state.now())
    details = params.nested("cancellation_details")
    if details is not None:
        subscription["cancellation_details"].update(_cancellation_details(details))
    if default_pm is not None:
        subscription["default_payment_method"] = default_pm or None
    if params.has("description"):
        subscription["description"] = params.text("description") or None
    if metadata is not None:
        merged = {**subscription["metadata"], **metadata} if metadata else {}
        subscription["metadata"] = {k: v for k, v in merged.items() if v != ""}
    state.tick()
    state.changed("customer.subscription.updated", subscription["id"])
    return subscription


def cancel_subscription(call: Call) -> Json:
    params, state = call.params, call.state
    subscription = state.require(state.subscriptions, call.match("subscription"))
    params.allow("invoice_now", "prorate", "cancellation_details")
    if subscription["status"] in _ENDED:
        raise invalid(f"This subscription ({subscription['id']}) has already been canceled.")
    details = params.nested("cancellation_details")
    now = state.tick()
    subscription.update(
        status="canceled", canceled_at=now, ended_at=now, cancel_at=None,
        cancel_at_period_end=False,
        cancellation_details={"comment": None, "feedback": None,
                              "reason": "cancellation_requested",
                              **(_cancellation_details(details) if details else {})},
    )  # fmt: skip
    state.changed("customer.subscription.deleted", subscription["id"])
    return subscription


FEEDBACK = ("customer_service", "low_quality", "missing_features", "other",
            "switched_service", "too_complex", "too_expensive", "unused")  # fmt: skip


def _cancellation_details(details: Params) -> Json:
    """What the customer said: `comment` (at most 5000 characters) and `feedback`; "" unsets."""
    details.allow("comment", "feedback")
    found: Json = {}
    if details.has("comment"):
        comment = details.text("comment") or None
        if comment is not None and len(comment) > 5000:
            raise invalid("Comment must be at most 5000 characters.", details.name("comment"))
        found["comment"] = comment
    if details.has("feedback"):
        found["feedback"] = (
            None if details.text("feedback") == "" else details.choice("feedback", FEEDBACK)
        )
    return found


def _set_cancel_at_period_end(subscription: Json, cancelling: bool, now: int) -> None:
    subscription["cancel_at_period_end"] = cancelling
    subscription["cancel_at"] = current_period(subscription)[1] if cancelling else None
    subscription["canceled_at"] = now if cancelling else None
    subscription["cancellation_details"] = {
        "comment": None,
        "feedback": None,
        "reason": "cancellation_requested" if cancelling else None,
    }


def _default_payment_method(call: Call, subscription: Json) -> str | None:
    """The new default card: its id, "" to unset, None when the request leaves it alone."""
    if not call.params.has("default_payment_method"):
        return None
    pm_id = call.params.text("default_payment_method") or ""
    if pm_id:
        payment_method = call.state.require(
            call.state.payment_methods, pm_id, param="default_payment_method", status=400
        )
        if payment_method["customer"] != subscription["customer"]:
            raise invalid(
                f"The payment method `{pm_id}` is not attached to customer "
                f"`{subscription['customer']}`.",
                "default_payment_method",
            )
    return pm_id


def create_subscription(call: Call) -> Json:
    """A new subscription billed from now, monthly; its first invoice is charged at once to
    the default card (the subscription's, else the customer's), else left open."""
    params, state = call.params, call.state
    params.allow("customer", "items", "default_payment_method", "metadata", "description",
                 "payment_behavior", "proration_behavior", "collection_method")  # fmt: skip
    customer = state.require(state.customers, params.required_text("customer"),
                             param="customer", status=400)  # fmt: skip
    wanted = params.items("items")
    if not wanted:
        raise invalid("Missing required param: items.", "items", "parameter_missing")
    subscription_id = state.new_id("sub_")
    now = state.tick()
    period = (now, months_later(now, 1))
    items = []
    for item in wanted:
        item.allow("price", "quantity", "metadata")
        price = state.require(state.catalog.prices, item.required_text("price"),
                              param=item.name("price"), status=400)  # fmt: skip
        currency = customer["currency"] or price["currency"]
        if price["currency"] != currency:
            raise invalid(
                "You cannot combine currencies on a single customer. This customer has had a "
                f"subscription, coupon, or invoice item with currency {currency}",
                item.name("price"),
            )
        if not price["active"] or price["type"] != "recurring":
            raise invalid("The price specified is inactive or not recurring.", item.name("price"))
        metered = price["recurring"]["usage_type"] == "metered"
        quantity = None if metered else (item.integer("quantity", low=1) or 1)
        items.append(subscription_item_json(state.new_id("si_", 14), subscription_id, price,
                                            quantity, now, period))  # fmt: skip
    default_pm = params.text("default_payment_method") or None
    if default_pm is not None:
        owned = state.require(state.payment_methods, default_pm,
                              param="default_payment_method", status=400)  # fmt: skip
        if owned["customer"] != customer["id"]:
            raise invalid(f"The payment method `{default_pm}` is not attached to customer "
                          f"`{customer['id']}`.", "default_payment_method")  # fmt: skip
    customer["currency"] = items[0]["price"]["currency"]
    subscription = subscription_json(
        subscription_id, customer_id=customer["id"], currency=customer["currency"],
        created=now, items=items, default_payment_method=default_pm, latest_invoice=None,
    )  # fmt: skip
    subscription["metadata"] = params.metadata() or {}
    state.add_subscription(subscription)
    state.changed("customer.subscription.created", subscription_id)
    first_invoice(state, subscription, customer)
    return subscription
