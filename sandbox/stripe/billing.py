"""Subscription changes as Stripe bills them (classic billing mode): item swaps prorated to
the second, pending proration invoice items, `always_invoice`, and invoice previews."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.stripe.catalog import monthly_description, quantity_label
from sandbox.stripe.errors import invalid, no_such
from sandbox.stripe.forms import Params
from sandbox.stripe.objects import (
    InvoiceFacts,
    Json,
    LineSource,
    invoice_json,
    line_json,
    mark_paid,
    plan_json,
    subscription_item_json,
)
from sandbox.stripe.periods import day_label, months_later
from sandbox.stripe.state import StripeState

PRORATION_BEHAVIORS = ("always_invoice", "create_prorations", "none")


@dataclass(frozen=True)
class ItemChange:
    item_id: str  # of the existing item, or the id the added one will get
    item: Json | None  # the existing item, or None to add one
    price: Json | None  # the new price, None to keep the item's
    quantity: int | None
    deleted: bool


@dataclass(frozen=True)
class Slot:
    """One item of the subscription after the change."""

    item_id: str
    price: Json
    quantity: int | None


def item_changes(state: StripeState, subscription: Json, items: list[Params]) -> list[ItemChange]:
    by_id = {item["id"]: item for item in subscription["items"]["data"]}
    changes = []
    for params in items:
        params.allow("id", "price", "quantity", "deleted", "metadata", "clear_usage")
        item_id, price_id = params.text("id"), params.text("price")
        item = by_id.get(item_id) if item_id else None
        if item_id and item is None:
            raise no_such("subscription_item", item_id, param=params.name("id"), status=400)
        if not item_id and not price_id:
            raise invalid("You must provide either `price` or `id` for each item.",
                          params.name("price"))  # fmt: skip
        price = None
        if price_id:
            price = state.require(state.catalog.prices, price_id, param=params.name("price"),
                                  status=400)  # fmt: skip
            _check_price(subscription, price, params)
        quantity = params.integer("quantity", low=0)
        effective = price or (item["price"] if item else None)
        if quantity is not None and effective and _metered(effective):
            raise invalid(
                "Quantity should not be specified where usage_type is `metered`. "
                f"Remove quantity from `{effective['id']}` and try again.",
                params.name("quantity"),
            )
        deleted = bool(params.boolean("deleted"))
        new_id = item["id"] if item else state.new_id("si_", 14)
        changes.append(ItemChange(new_id, item, price, quantity, deleted))
    return changes


def _check_price(subscription: Json, price: Json, params: Params) -> None:
    if not price["active"]:
        raise invalid("The price specified is inactive. This field only accepts active prices.",
                      params.name("price"))  # fmt: skip
    if price["type"] != "recurring":
        raise invalid(f"The price `{price['id']}` is a one-time price; subscriptions only "
                      "accept recurring prices.", params.name("price"))  # fmt: skip
    if price["currency"] != subscription["currency"]:
        raise invalid(
            f"The price `{price['id']}` is in {price['currency']}, but this subscription is "
            f"billed in {subscription['currency']}.",
            params.name("price"),
        )


def slots_after(subscription: Json, changes: list[ItemChange]) -> list[Slot]:
    changed = {change.item["id"]: change for change in changes if change.item}
    slots = []
    for item in subscription["items"]["data"]:
        change = changed.get(item["id"])
        if change is None:
            slots.append(Slot(item["id"], item["price"], item["quantity"]))
        elif not change.deleted:
            quantity = change.quantity if change.quantity is not None else item["quantity"]
            price = change.price or item["price"]
            slots.append(Slot(item["id"], price, None if _metered(price) else quantity or 1))
    for change in changes:
        if change.item is None and change.price is not None and not change.deleted:
            quantity = None if _metered(change.price) else (change.quantity or 1)
            slots.append(Slot(change.item_id, change.price, quantity))
    seen: set[str] = set()
    for slot in slots:
        if slot.price["id"] in seen:
            raise invalid(
                f"Cannot add multiple subscription items with the same price: {slot.price['id']}",
                "items",
            )
        seen.add(slot.price["id"])
    return slots


def current_period(subscription: Json) -> tuple[int, int]:
    items = subscription["items"]["data"]
    return items[0]["current_period_start"], items[0]["current_period_end"]


def proration_lines(
    state: StripeState, subscription: Json, changes: list[ItemChange], proration_date: int,
    *, preview: bool = False, param: str = "proration_date",
) -> list[Json]:  # fmt: skip
    start, end = current_period(subscription)
    if not start <= proration_date <= end:
        raise invalid("The proration date must be within the subscription's current period.",
                      param)  # fmt: skip
    share = (end - proration_date) / (end - start)
    when = day_label(proration_date)
    lines = []
    for change in changes:
        old = change.item
        new_price = None if change.deleted else (change.price or (old["price"] if old else None))
        new_quantity = (
            change.quantity if change.quantity is not None else (old["quantity"] if old else 1)
        )
        unchanged_price = old and new_price and new_price["id"] == old["price"]["id"]
        if unchanged_price and old and new_quantity == old["quantity"]:
            continue
        item_id = change.item_id
        if old and not _metered(old["price"]):
            lines.append(_proration(state, subscription, item_id, old["price"], old["quantity"],
                                    -share, f"Unused time on {{}} after {when}",
                                    (proration_date, end), preview))  # fmt: skip
        if new_price is not None and not _metered(new_price):
            lines.append(_proration(state, subscription, item_id, new_price, new_quantity or 1,
                                    share, f"Remaining time on {{}} after {when}",
                                    (proration_date, end), preview))  # fmt: skip
    return lines


def _proration(
    state: StripeState, subscription: Json, item_id: str, price: Json, quantity: int,
    share: float, template: str, period: tuple[int, int], preview: bool,
) -> Json:  # fmt: skip
    product = state.catalog.products[price["product"]]["name"]
    label = product if quantity == 1 else quantity_label(quantity, product)
    return line_json(
        state.new_id("il_tmp_" if preview else "il_"), None, price=price, quantity=quantity,
        amount=round(state.catalog.amount(price, quantity) * share),
        description=template.format(label), period=period,
        source=LineSource(subscription["id"], item_id, state.new_id("ii_"), proration=True),
    )  # fmt: skip


def renewal_lines(state: StripeState, subscription: Json, slots: list[Slot]) -> list[Json]:
    """The licensed charges of the next period, as the renewal invoice will bill them."""
    _, end = current_period(subscription)
    following = months_later(end, 1)
    lines = []
    for slot in slots:
        if _metered(slot.price):
            continue
        product = state.catalog.products[slot.price["product"]]["name"]
        quantity = slot.quantity or 1
        lines.append(line_json(
            state.new_id("il_tmp_"), None, price=slot.price, quantity=quantity,
            amount=state.catalog.amount(slot.price, quantity),
            description=monthly_description(quantity, product, slot.price),
            period=(end, following),
            source=LineSource(subscription["id"], slot.item_id),
        ))  # fmt: skip
    return lines


def apply_items(state: StripeState, subscription: Json, slots: list[Slot]) -> None:
    period = current_period(subscription)
    existing = {item["id"]: item for item in subscription["items"]["data"]}
    items = []
    for slot in slots:
        item = existing.get(slot.item_id)
        if item is None:
            item = subscription_item_json(
                slot.item_id, subscription["id"], slot.price, slot.quantity, state.now(), period
            )
        else:
            item.update(price=slot.price, plan=plan_json(slot.price), quantity=slot.quantity)
        items.append(item)
    subscription["items"]["data"] = items
    subscription["items"]["total_count"] = len(items)


def invoice_now(
    state: StripeState, subscription: Json, lines: list[Json],
    reason: str = "subscription_update",
) -> Json:  # fmt: skip
    """`always_invoice`: bill the prorations at once, charged to the default card (the
    subscription's, else the customer's)."""
    customer = state.customers[subscription["customer"]]
    invoice_id = state.new_id("in_")
    created = state.tick()
    for line in lines:
        line["invoice"] = invoice_id
    invoice = invoice_json(InvoiceFacts(
        invoice_id=invoice_id, account_id=state.account_id, customer=customer,
        number=state.next_invoice_number(customer), status="open", created=created,
        collection_method="charge_automatically", billing_reason=reason,
        period=(created, created), lines=lines, subscription_id=subscription["id"],
        finalized_at=created,
    ))  # fmt: skip
    card = (
        subscription["default_payment_method"]
        or (customer["invoice_settings"]["default_payment_method"])
    )
    if card or invoice["amount_due"] == 0:
        mark_paid(invoice, created)
    customer["balance"] += invoice["ending_balance"]
    state.add_invoice(invoice)
    subscription["latest_invoice"] = invoice_id
    state.changed("invoice.created", invoice_id)
    if invoice["status"] == "paid":
        state.changed("invoice.paid", invoice_id)
    return invoice


def preview_invoice(
    state: StripeState, subscription: Json, lines: list[Json], proration_date: int,
    *, immediate: bool,
) -> Json:  # fmt: skip
    customer = state.customers[subscription["customer"]]
    start, end = current_period(subscription)
    invoice_id = state.new_id("upcoming_in_")
    created = proration_date if immediate else end
    invoice = invoice_json(InvoiceFacts(
        invoice_id=invoice_id, account_id=state.account_id, customer=customer, number=None,
        status="draft", created=created, collection_method="charge_automatically",
        billing_reason="upcoming", period=(start, created), lines=lines,
        subscription_id=subscription["id"],
    ))  # fmt: skip
    invoice["parent"]["subscription_details"]["subscription_proration_date"] = proration_date
    invoice["automatically_finalizes_at"] = None
    invoice["webhooks_delivered_at"] = None
    return invoice


def _metered(price: Json) -> bool:
    return bool(price["recurring"] and price["recurring"]["usage_type"] == "metered")


def first_invoice(state: StripeState, subscription: Json, customer: Json) -> Json:
    """A new subscription's first invoice: its licensed items for the first period."""
    slots = [Slot(i["id"], i["price"], i["quantity"]) for i in subscription["items"]["data"]]
    start, end = current_period(subscription)
    lines = renewal_lines(state, subscription, slots)
    for line in lines:
        line["id"] = state.new_id("il_")
        line["period"] = {"start": start, "end": end}
    return invoice_now(state, subscription, lines, "subscription_create")


def end_period(state: StripeState, subscription: Json) -> Json | None:
    """What happens at the end of the current period, as on Stripe: a subscription set to
    cancel ends; otherwise the schedule's next phase (if any) takes over, the periods move
    on a month and the renewal invoice bills the new period plus pending prorations."""
    _, end = current_period(subscription)
    state.clock = max(state.clock, end)
    if subscription["cancel_at_period_end"]:
        subscription.update(status="canceled", ended_at=end, cancel_at_period_end=False)
        state.changed("customer.subscription.deleted", subscription["id"])
        return None
    _enter_next_phase(state, subscription, end)
    following = months_later(end, 1)
    for item in subscription["items"]["data"]:
        item["current_period_start"], item["current_period_end"] = end, following
    slots = [Slot(i["id"], i["price"], i["quantity"]) for i in subscription["items"]["data"]]
    lines = [*state.pending_lines.pop(subscription["id"], [])]
    for line in renewal_lines(state, subscription, slots):
        line["id"] = state.new_id("il_")
        line["period"] = {"start": end, "end": following}
        lines.append(line)
    state.changed("customer.subscription.updated", subscription["id"])
    return invoice_now(state, subscription, lines, "subscription_cycle") if lines else None


def _enter_next_phase(state: StripeState, subscription: Json, at: int) -> None:
    schedule = state.schedules.get(subscription["schedule"] or "")
    if schedule is None:
        return
    following = [p for p in schedule["phases"] if p["start_date"] >= at]
    if not following:  # the last phase is over: the schedule ends as `end_behavior` says
        schedule.update(status="released", released_at=at, current_phase=None,
                        released_subscription=subscription["id"], subscription=None)  # fmt: skip
        subscription["schedule"] = None
        state.changed("subscription_schedule.released", schedule["id"])
        return
    phase = following[0]
    period = (at, phase["end_date"])
    items = []
    for wanted in phase["items"]:
        price = state.catalog.prices[wanted["price"]]
        same = next((i for i in subscription["items"]["data"] if i["price"]["id"] == price["id"]),
                    None)  # fmt: skip
        item = same or subscription_item_json(state.new_id("si_", 14), subscription["id"], price,
                                              wanted["quantity"], at, period)  # fmt: skip
        item["quantity"] = wanted["quantity"]
        items.append(item)
    subscription["items"]["data"] = items
    subscription["items"]["total_count"] = len(items)
    schedule["current_phase"] = {"start_date": at, "end_date": phase["end_date"]}
    state.changed("subscription_schedule.updated", schedule["id"])
