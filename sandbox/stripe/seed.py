"""The sandboxed Stripe account's demo data, derived from the backbone: one customer per
company with one or two cards, one subscription (the tier's plan plus metered API calls and
storage), `invoice_count` invoices over the last two years (monthly subscription invoices
plus one-off services) and 120 days of meter events."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sandbox.accounts import SEED, Backbone, Company
from sandbox.stripe.catalog import (
    METERED,
    PLANS,
    Metered,
    Plan,
    add_seats,
    build_catalog,
    metered_key,
    monthly_description,
    plan_key,
    services_key,
)
from sandbox.stripe.ids import IdMaker
from sandbox.stripe.objects import (
    Card,
    InvoiceFacts,
    Json,
    LineSource,
    address_json,
    card_payment_method_json,
    customer_json,
    invoice_json,
    line_json,
    subscription_item_json,
    subscription_json,
)
from sandbox.stripe.periods import DAY, HOUR, billing_period, months_between, months_later
from sandbox.stripe.state import StripeState

RNG_OFFSET = 2
SEATS_RNG_OFFSET = 20
HISTORY_DAYS = 730
USAGE_DAYS = 120
SUBSCRIPTION_INVOICES = 24
_SERVICES = (
    "Onboarding workshop", "Custom integration work", "Data migration",
    "Admin training session", "Quarterly business review", "Security review support",
)  # fmt: skip
_CARDS = (("visa", "US"), ("mastercard", "GB"), ("amex", "US"), ("visa", "DE"))


def build_state(backbone: Backbone) -> StripeState:
    rng = random.Random(SEED + RNG_OFFSET)
    new_id = IdMaker(rng)
    account_id = new_id("acct_", 16)
    state = StripeState(account_id, int(backbone.now.timestamp()), new_id, build_catalog(new_id))
    state.portal_configuration_id = new_id("bpc_")
    prefixes = invoice_prefixes(backbone.companies)
    for company in backbone.companies:
        _Seeder(state, rng, backbone, company, prefixes[company.hubspot_id]).run()
    add_seats(state.catalog, IdMaker(random.Random(SEED + SEATS_RNG_OFFSET)))
    return state


def invoice_prefixes(companies: tuple[Company, ...]) -> dict[str, str]:
    """Stripe's `invoice_prefix` per company: its first word, made unique with initials."""
    taken: set[str] = set()
    prefixes = {}
    for company in companies:
        words = [re.sub(r"[^A-Z0-9]", "", w.upper()) for w in company.name.split()]
        prefix = words[0][:12]
        for word in words[1:]:
            if prefix not in taken:
                break
            prefix = (prefix + word[:1])[:12]
        taken.add(prefix)
        prefixes[company.hubspot_id] = prefix
    return prefixes


@dataclass
class _Seeder:
    state: StripeState
    rng: random.Random
    backbone: Backbone
    company: Company
    invoice_prefix: str

    def run(self) -> None:
        customer = self._customer()
        subscription = self._subscription(customer)
        self._invoices(customer, subscription)
        self._usage(customer["id"])

    @property
    def plan(self) -> Plan:
        return next(p for p in PLANS if p.tier == self.company.tier)

    def _customer(self) -> Json:
        company, state = self.company, self.state
        admin = next(p for p in self.backbone.people_of(company.hubspot_id) if p.role == "ADMIN")
        address = company.address
        customer = customer_json(
            company.stripe_customer_id,
            name=company.name,
            email=admin.email,
            phone=company.phone,
            currency=company.currency,
            address=address_json(address.street, address.city, address.postal_code,
                                 address.state or None, address.country),
            created=int(company.created_at.timestamp()),
            invoice_prefix=self.invoice_prefix,
            default_payment_method=None,
        )  # fmt: skip
        state.customers[customer["id"]] = customer
        state.customer_timeline.add(customer["created"], customer["id"])
        for index in range(1 + (self.rng.random() < 0.5)):
            brand, country = self.rng.choice(_CARDS)
            card = Card(
                brand=brand,
                last4=f"{self.rng.randrange(10_000):04d}",
                exp_month=self.rng.randint(1, 12),
                exp_year=self.backbone.today.year + self.rng.randint(1, 4),
                country=country,
                fingerprint=self.state.new_id("", 16),
            )
            created = customer["created"] + HOUR * (1 + index * 24 * 200)
            state.add_payment_method(
                card_payment_method_json(state.new_id("pm_"), customer, card, created)
            )
        default_card = state.payment_methods_by_customer[customer["id"]][0]
        customer["invoice_settings"]["default_payment_method"] = default_card
        return customer

    def _subscription(self, customer: Json) -> Json:
        state, catalog = self.state, self.state.catalog
        subscription_id = state.new_id("sub_")
        created = customer["created"]
        period = billing_period(created, state.now())
        currency = customer["currency"]
        prices = [catalog.price(plan_key(self.plan.tier, currency))] + [
            catalog.price(metered_key(m.event_name, self.plan.tier, currency)) for m in METERED
        ]
        items = [
            subscription_item_json(
                state.new_id("si_", 14), subscription_id, price,
                1 if price["recurring"]["usage_type"] == "licensed" else None, created, period,
            )
            for price in prices
        ]  # fmt: skip
        subscription = subscription_json(
            subscription_id,
            customer_id=customer["id"],
            currency=currency,
            created=created,
            items=items,
            default_payment_method=customer["invoice_settings"]["default_payment_method"],
            latest_invoice=None,
        )
        state.subscriptions[subscription_id] = subscription
        state.subscription_timeline.add(created, subscription_id)
        return subscription

    def _invoices(self, customer: Json, subscription: Json) -> None:
        count = self.company.invoice_count
        monthly = min(SUBSCRIPTION_INVOICES, math.ceil(count / 2))
        facts = self._subscription_invoices(customer, subscription, monthly)
        facts += self._one_off_invoices(customer, count - monthly)
        facts.sort(key=lambda f: (f.created, f.invoice_id))
        for fact in facts:
            number = None if fact.status == "draft" else self.state.next_invoice_number(customer)
            invoice = invoice_json(_with_number(fact, number))
            self.state.add_invoice(invoice)
            if invoice["status"] == "open" and (invoice["due_date"] or 0) < self.state.now():
                customer["delinquent"] = customer["delinquent"] or bool(invoice["due_date"])
        subscription["latest_invoice"] = max(
            (f for f in facts if f.subscription_id), key=lambda f: f.created
        ).invoice_id

    def _subscription_invoices(
        self, customer: Json, subscription: Json, count: int
    ) -> list[InvoiceFacts]:
        now, anchor = self.state.now(), subscription["billing_cycle_anchor"]
        months_now = months_between(anchor, billing_period(anchor, now)[0])
        facts = []
        for months in range(months_now - count + 1, months_now + 1):
            created = months_later(anchor, months)
            previous = months_later(anchor, months - 1)
            following = months_later(anchor, months + 1)
            invoice_id = self.state.new_id("in_")
            lines = self._subscription_lines(
                invoice_id, subscription, (previous, created), (created, following)
            )
            recent = now - created < 7 * DAY
            facts.append(
                InvoiceFacts(
                    invoice_id=invoice_id,
                    account_id=self.state.account_id,
                    customer=customer,
                    number=None,
                    status="open" if recent else "paid",
                    created=created,
                    collection_method="charge_automatically",
                    billing_reason="subscription_cycle",
                    period=(previous, created),
                    lines=lines,
                    subscription_id=subscription["id"],
                    finalized_at=created + HOUR,
                    paid_at=None if recent else created + HOUR + 60,
                )
            )
        return facts

    def _subscription_lines(
        self, invoice_id: str, subscription: Json, used: tuple[int, int], ahead: tuple[int, int]
    ) -> list[Json]:
        lines = []
        for item in subscription["items"]["data"]:
            price = item["price"]
            source = LineSource(subscription["id"], item["id"])
            if price["recurring"]["usage_type"] == "licensed":
                lines.append(line_json(
                    self.state.new_id("il_"), invoice_id, price=price, quantity=1,
                    amount=price["unit_amount"],
                    description=monthly_description(1, self.plan.name, price),
                    period=ahead, source=source,
                ))  # fmt: skip
                continue
            metered = next(m for m in METERED if m.event_name in price["lookup_key"])
            used_quantity = self._monthly_usage(metered)
            billable = _billable(metered, self.plan, used_quantity)
            lines.append(line_json(
                self.state.new_id("il_"), invoice_id, price=price, quantity=billable,
                amount=billable * price["unit_amount"],
                description=(f"{metered.product_name}: {used_quantity:,} {metered.unit_label} "
                             f"used, {metered.included[self.plan.tier]:,} included"),
                period=used, source=source,
            ))  # fmt: skip
        return lines

    def _monthly_usage(self, metered: Metered) -> int:
        included = metered.included[self.plan.tier]
        return int(included * self.rng.uniform(0.4, 1.5))

    def _one_off_invoices(self, customer: Json, count: int) -> list[InvoiceFacts]:
        now, rng = self.state.now(), self.rng
        times = sorted(rng.randint(now - HISTORY_DAYS * DAY, now - HOUR) for _ in range(count))
        draft = count > 0 and rng.random() < 0.5
        facts = []
        for index, created in enumerate(times):
            is_draft = draft and index == count - 1
            if is_draft:
                created = now - rng.randint(600, 20 * HOUR)
            facts.append(self._one_off(customer, created, "draft" if is_draft else None))
        return facts

    def _one_off(self, customer: Json, created: int, status: str | None) -> InvoiceFacts:
        rng, now = self.rng, self.state.now()
        invoice_id = self.state.new_id("in_")
        price = self.state.catalog.price(services_key(customer["currency"]))
        lines = []
        for _ in range(1 + (rng.random() < 0.2)):
            hours = rng.randint(2, 40)
            source = LineSource(invoice_item_id=self.state.new_id("ii_"))
            lines.append(line_json(
                self.state.new_id("il_"), invoice_id, price=price, quantity=hours,
                amount=hours * price["unit_amount"],
                description=f"{rng.choice(_SERVICES)} ({hours} hours)",
                period=(created, created), source=source,
            ))  # fmt: skip
        age = now - created
        roll = rng.random()
        if status is None:
            status = _one_off_status(age, roll)
        due = created + 30 * DAY
        settled = min(now - 60, created + rng.randint(HOUR, 20 * DAY))
        return InvoiceFacts(
            invoice_id=invoice_id,
            account_id=self.state.account_id,
            customer=customer,
            number=None,
            status=status,
            created=created,
            collection_method="send_invoice",
            billing_reason="manual",
            period=(created, created),
            lines=lines,
            due_date=due,
            finalized_at=None if status == "draft" else created + 60,
            paid_at=settled if status == "paid" else None,
            voided_at=settled if status == "void" else None,
            uncollectible_at=due + 30 * DAY if status == "uncollectible" else None,
            description=None,
        )

    def _usage(self, customer_id: str) -> None:
        today = int(datetime.combine(self.backbone.today, datetime.min.time(), UTC).timestamp())
        for metered in METERED:
            meter_id = self.state.catalog.meter_by_event[metered.event_name]
            included = metered.included[self.plan.tier]
            events: list[tuple[int, float]] = []
            for day_index in range(USAGE_DAYS + 1):
                day = today - (USAGE_DAYS - day_index) * DAY
                events += _day_events(self.rng, metered, included, day, day_index)
            now = self.state.now()
            self.state.usage.extend_sorted(
                meter_id, customer_id, [e for e in events if e[0] <= now]
            )


def _day_events(
    rng: random.Random, metered: Metered, included: int, day: int, day_index: int
) -> list[tuple[int, float]]:
    if metered.formula == "last":  # storage in use: one reading a day, slowly growing
        gigabytes = included * 0.6 * (1 + 0.004 * day_index) * rng.uniform(0.97, 1.03)
        return [(day + HOUR, round(gigabytes, 1))]
    weekday = datetime.fromtimestamp(day, UTC).weekday()
    daily = included / 30 * rng.uniform(0.55, 1.15) * (0.4 if weekday >= 5 else 1.0)
    return [(day + hour * HOUR, float(round(daily / 4))) for hour in (2, 8, 14, 20)]


def _one_off_status(age: int, roll: float) -> str:
    if age < 30 * DAY:
        return "open"
    if age < 120 * DAY:
        return "open" if roll < 0.25 else "paid"  # the open ones are past due
    if roll < 0.03:
        return "void"
    if roll < 0.05:
        return "uncollectible"
    return "paid"


def _billable(metered: Metered, plan: Plan, used: int) -> int:
    over = max(0, used - metered.included[plan.tier])
    return math.ceil(over / metered.divide_by) if metered.divide_by else over


def _with_number(facts: InvoiceFacts, number: str | None) -> InvoiceFacts:
    return replace(facts, number=number)


def usage_days(backbone: Backbone) -> tuple[datetime, datetime]:
    """The days the seeded meter events cover: from 120 days ago to the end of today."""
    today = datetime.combine(backbone.today, datetime.min.time(), UTC)
    return today - timedelta(days=USAGE_DAYS), today + timedelta(days=1)
