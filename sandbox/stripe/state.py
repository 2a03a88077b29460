"""The sandboxed Stripe account's mutable data, stored as Stripe's own JSON objects and
indexed by owner. Every change, API write or admin change, is recorded by `changed()` under
the Stripe event type a webhook would carry."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sandbox.stripe.catalog import Catalog
from sandbox.stripe.errors import no_such
from sandbox.stripe.idempotency import IdempotencyStore
from sandbox.stripe.ids import IdMaker
from sandbox.stripe.timeline import Timeline
from sandbox.stripe.usage import MeterEvents

Json = dict[str, Any]

_NOUNS = {
    "sub_sched_": "subscription_schedule",
    "cus_": "customer",
    "in_": "invoice",
    "sub_": "subscription",
    "pm_": "payment_method",
    "price_": "price",
    "prod_": "product",
    "mtr_": "billing.meter",
    "cs_": "checkout.session",
    "bps_": "billing_portal.session",
}


@dataclass(frozen=True)
class Change:
    kind: str  # a Stripe event type, e.g. "invoice.paid", "customer.subscription.updated"
    object_id: str
    at: int


@dataclass
class StripeState:
    account_id: str
    clock: int  # unix seconds; each write advances it, so new objects list first
    new_id: IdMaker
    catalog: Catalog
    portal_configuration_id: str = ""
    customers: dict[str, Json] = field(default_factory=dict)
    payment_methods: dict[str, Json] = field(default_factory=dict)
    subscriptions: dict[str, Json] = field(default_factory=dict)
    invoices: dict[str, Json] = field(default_factory=dict)
    schedules: dict[str, Json] = field(default_factory=dict)  # subscription schedules
    sessions: dict[str, Json] = field(default_factory=dict)  # checkout and portal sessions
    usage: MeterEvents = field(default_factory=MeterEvents)
    customer_timeline: Timeline = field(default_factory=Timeline)
    invoice_timeline: Timeline = field(default_factory=Timeline)
    subscription_timeline: Timeline = field(default_factory=Timeline)
    invoices_by_customer: dict[str, Timeline] = field(default_factory=lambda: defaultdict(Timeline))
    payment_methods_by_customer: dict[str, list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    pending_lines: dict[str, list[Json]] = field(default_factory=lambda: defaultdict(list))
    idempotency: IdempotencyStore = field(default_factory=IdempotencyStore)
    changes: list[Change] = field(default_factory=list)

    # Time and change log

    def now(self) -> int:
        return self.clock

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def changed(self, kind: str, object_id: str) -> None:
        self.changes.append(Change(kind, object_id, self.clock))

    # Reads

    def lookup(self, object_id: str) -> Json | None:
        """Any object by id, as expansion needs."""
        for table in (
            self.customers, self.invoices, self.subscriptions, self.payment_methods,
            self.catalog.prices, self.catalog.products, self.catalog.meters, self.sessions,
            self.schedules,
        ):  # fmt: skip
            found = table.get(object_id)
            if found is not None:
                return found
        return None

    def include(self, obj: Json, field: str) -> tuple[bool, Any]:
        """Fields Stripe leaves out unless expanded: a price's `tiers` (null unless tiered)."""
        if field == "tiers" and obj.get("object") == "price":
            return True, self.catalog.tiers.get(str(obj["id"]))
        return False, None

    def require(self, table: dict[str, Json], object_id: str, *, param: str = "id",
                status: int = 404) -> Json:  # fmt: skip
        found = table.get(object_id)
        if found is None:
            raise no_such(noun_of(object_id, table), object_id, param=param, status=status)
        return found

    # Writes, each followed by `changed()`

    def add_invoice(self, invoice: Json) -> None:
        self.invoices[invoice["id"]] = invoice
        self.invoice_timeline.add(invoice["created"], invoice["id"])
        self.invoices_by_customer[invoice["customer"]].add(invoice["created"], invoice["id"])

    def next_invoice_number(self, customer: Json) -> str:
        sequence = customer["next_invoice_sequence"]
        customer["next_invoice_sequence"] = sequence + 1
        return f"{customer['invoice_prefix']}-{sequence:04d}"

    def add_customer(self, customer: Json) -> None:
        self.customers[customer["id"]] = customer
        self.customer_timeline.add(customer["created"], customer["id"])

    def add_subscription(self, subscription: Json) -> None:
        self.subscriptions[subscription["id"]] = subscription
        self.subscription_timeline.add(subscription["created"], subscription["id"])

    def add_payment_method(self, payment_method: Json) -> None:
        self.payment_methods[payment_method["id"]] = payment_method
        self.payment_methods_by_customer[payment_method["customer"]].append(payment_method["id"])


def noun_of(object_id: str, table: dict[str, Json] | None = None) -> str:
    for prefix, noun in _NOUNS.items():
        if object_id.startswith(prefix):
            return noun
    if table:  # an id of the wrong shape: name the kind of object looked for
        sample = next(iter(table.values()))
        return str(sample["object"])
    return "object"
