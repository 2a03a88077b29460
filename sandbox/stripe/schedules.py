"""`/v1/subscription_schedules`: create one from a subscription, replace its phases (say, a
cheaper plan from the period's end), retrieve, release and cancel. Phases start where the
previous one ends; `iterations` counts billing periods (months here). The period-end
transition itself happens when the sandbox's admin API ends the period (see `admin.py`)."""

from __future__ import annotations

from sandbox.stripe.api import Call
from sandbox.stripe.billing import current_period
from sandbox.stripe.errors import invalid
from sandbox.stripe.forms import Params
from sandbox.stripe.objects import Json
from sandbox.stripe.periods import months_later
from sandbox.stripe.state import StripeState

END_BEHAVIORS = ("cancel", "none", "release", "renew")
_LIVE = ("not_started", "active")


def create_schedule(call: Call) -> Json:
    params, state = call.params, call.state
    params.allow("from_subscription", "customer", "metadata", "end_behavior", "phases",
                 "start_date", "default_settings")  # fmt: skip
    subscription_id = params.text("from_subscription")
    if not subscription_id:
        raise invalid(
            "This sandbox creates schedules from an existing subscription only: pass "
            "`from_subscription`.",
            "from_subscription",
        )
    for other in ("customer", "phases", "start_date", "end_behavior", "default_settings"):
        if params.has(other):
            raise invalid(f"You cannot set `{other}` if `from_subscription` is set.", other)
    subscription = state.require(
        state.subscriptions, subscription_id, param="from_subscription", status=400
    )
    if subscription["schedule"]:
        raise invalid(
            f"You cannot migrate a subscription that is already attached to a schedule: "
            f"`{subscription['schedule']}`.",
            "from_subscription",
        )
    if subscription["status"] in ("canceled", "incomplete_expired"):
        raise invalid("You cannot create a schedule from a canceled subscription.",
                      "from_subscription")  # fmt: skip
    start, end = current_period(subscription)
    schedule_id = state.new_id("sub_sched_")
    items = [
        {"price": item["price"]["id"], "quantity": item["quantity"]}
        for item in subscription["items"]["data"]
    ]
    schedule = _schedule_json(state, schedule_id, subscription, params.metadata() or {})
    schedule["phases"] = [_phase_json(subscription["currency"], items, start, end, None)]
    schedule["current_phase"] = {"start_date": start, "end_date": end}
    state.schedules[schedule_id] = schedule
    subscription["schedule"] = schedule_id
    state.tick()
    state.changed("subscription_schedule.created", schedule_id)
    state.changed("customer.subscription.updated", subscription_id)
    return schedule


def retrieve_schedule(call: Call) -> Json:
    call.params.allow()
    return call.state.require(call.state.schedules, call.match("schedule"))


def update_schedule(call: Call) -> Json:
    params, state = call.params, call.state
    schedule = state.require(state.schedules, call.match("schedule"))
    params.allow("phases", "end_behavior", "metadata", "proration_behavior", "default_settings")
    _require_live(schedule)
    if params.has("phases"):
        schedule["phases"] = _phases(state, schedule, params.items("phases"))
        first = schedule["phases"][0]
        schedule["current_phase"] = {"start_date": first["start_date"],
                                     "end_date": first["end_date"]}  # fmt: skip
    behavior = params.choice("end_behavior", END_BEHAVIORS)
    if behavior is not None:
        schedule["end_behavior"] = behavior
    metadata = params.metadata()
    if metadata is not None:
        merged = {**schedule["metadata"], **metadata} if metadata else {}
        schedule["metadata"] = {k: v for k, v in merged.items() if v != ""}
    state.tick()
    state.changed("subscription_schedule.updated", schedule["id"])
    return schedule


def release_schedule(call: Call) -> Json:
    params, state = call.params, call.state
    params.allow("preserve_cancel_date")
    schedule = state.require(state.schedules, call.match("schedule"))
    _require_live(schedule)
    now = state.tick()
    subscription_id = schedule["subscription"]
    schedule.update(status="released", released_at=now, released_subscription=subscription_id,
                    subscription=None, current_phase=None)  # fmt: skip
    state.subscriptions[subscription_id]["schedule"] = None
    state.changed("subscription_schedule.released", schedule["id"])
    state.changed("customer.subscription.updated", subscription_id)
    return schedule


def cancel_schedule(call: Call) -> Json:
    """Cancels the schedule and, as Stripe does, its subscription at once."""
    params, state = call.params, call.state
    params.allow("invoice_now", "prorate")
    schedule = state.require(state.schedules, call.match("schedule"))
    _require_live(schedule)
    now = state.tick()
    schedule.update(status="canceled", canceled_at=now, current_phase=None)
    subscription = state.subscriptions[schedule["subscription"]]
    subscription.update(status="canceled", canceled_at=now, ended_at=now, schedule=None,
                        cancel_at=None, cancel_at_period_end=False)  # fmt: skip
    subscription["cancellation_details"]["reason"] = "cancellation_requested"
    state.changed("subscription_schedule.canceled", schedule["id"])
    state.changed("customer.subscription.deleted", subscription["id"])
    return schedule


def _require_live(schedule: Json) -> None:
    if schedule["status"] not in _LIVE:
        raise invalid(
            f"You cannot update a subscription schedule that is currently in the "
            f"`{schedule['status']}` status. It must be in one of the following statuses: "
            "not_started, active.",
        )


def _phases(state: StripeState, schedule: Json, phases: list[Params]) -> list[Json]:
    if not phases:
        raise invalid("A schedule needs at least one phase.", "phases")
    subscription = state.subscriptions[schedule["subscription"]]
    current_start = schedule["phases"][0]["start_date"]
    built: list[Json] = []
    for index, phase in enumerate(phases):
        phase.allow("items", "start_date", "end_date", "iterations", "proration_behavior",
                    "metadata", "trial_end", "duration")  # fmt: skip
        start = phase.integer("start_date")
        if index == 0:
            if start is not None and start != current_start:
                raise invalid(
                    "You can not modify the start date of the current phase.",
                    phase.name("start_date"),
                )
            start = current_start
        else:
            start = built[-1]["end_date"] if start is None else start
            if start != built[-1]["end_date"]:
                raise invalid("Each phase must start when the previous one ends.",
                              phase.name("start_date"))  # fmt: skip
        end = phase.integer("end_date")
        iterations = phase.integer("iterations", low=1)
        if end is None:
            end = months_later(start, iterations or 1)
        elif iterations is not None:
            raise invalid("You may only specify one of these parameters: end_date, iterations.",
                          phase.name("iterations"))  # fmt: skip
        if end <= start:
            raise invalid("The phase's end_date must be after its start_date.",
                          phase.name("end_date"))  # fmt: skip
        items = _phase_items(state, subscription, phase)
        behavior = phase.choice("proration_behavior",
                                ("always_invoice", "create_prorations", "none"))  # fmt: skip
        built.append(_phase_json(subscription["currency"], items, start, end, behavior))
    return built


def _phase_items(state: StripeState, subscription: Json, phase: Params) -> list[Json]:
    items = []
    for item in phase.items("items"):
        item.allow("price", "quantity", "metadata")
        price_id = item.required_text("price")
        price = state.require(state.catalog.prices, price_id, param=item.name("price"),
                              status=400)  # fmt: skip
        if not price["active"]:
            raise invalid("The price specified is inactive. This field only accepts active "
                          "prices.", item.name("price"))  # fmt: skip
        if price["currency"] != subscription["currency"]:
            raise invalid(
                f"The price `{price_id}` is in {price['currency']}, but this schedule's "
                f"subscription is billed in {subscription['currency']}.",
                item.name("price"),
            )
        metered = price["recurring"] and price["recurring"]["usage_type"] == "metered"
        quantity = item.integer("quantity", low=0)
        items.append({"price": price_id, "quantity": None if metered else (quantity or 1)})
    if not items:
        raise invalid("Each phase needs at least one item.", phase.name("items"))
    return items


def _phase_json(
    currency: str, items: list[Json], start: int, end: int, proration_behavior: str | None
) -> Json:
    return {
        "add_invoice_items": [],
        "application_fee_percent": None,
        "automatic_tax": None,
        "billing_cycle_anchor": None,
        "billing_thresholds": None,
        "collection_method": None,
        "currency": currency,
        "default_payment_method": None,
        "default_tax_rates": [],
        "description": None,
        "discounts": [],
        "end_date": end,
        "invoice_settings": None,
        "items": [
            {
                "billing_thresholds": None,
                "discounts": [],
                "metadata": {},
                "plan": item["price"],
                "price": item["price"],
                "quantity": item["quantity"],
                "tax_rates": [],
            }
            for item in items
        ],
        "metadata": {},
        "on_behalf_of": None,
        "proration_behavior": proration_behavior or "create_prorations",
        "start_date": start,
        "transfer_data": None,
        "trial_end": None,
    }


def _schedule_json(
    state: StripeState, schedule_id: str, subscription: Json, metadata: dict[str, str]
) -> Json:
    return {
        "id": schedule_id,
        "object": "subscription_schedule",
        "application": None,
        "billing_mode": {"flexible": None, "type": "classic", "updated_at": None},
        "canceled_at": None,
        "completed_at": None,
        "created": state.now(),
        "current_phase": None,
        "customer": subscription["customer"],
        "customer_account": None,
        "default_settings": {
            "application_fee_percent": None,
            "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
            "billing_cycle_anchor": "automatic",
            "billing_thresholds": None,
            "collection_method": "charge_automatically",
            "default_payment_method": None,
            "description": None,
            "invoice_settings": {
                "account_tax_ids": None,
                "days_until_due": None,
                "issuer": {"type": "self"},
            },
            "on_behalf_of": None,
            "transfer_data": None,
        },
        "end_behavior": "release",
        "livemode": False,
        "metadata": metadata,
        "phases": [],
        "released_at": None,
        "released_subscription": None,
        "status": "active",
        "subscription": subscription["id"],
        "test_clock": None,
    }
