"""The vendor's product catalogue in Stripe: three monthly plans, two metered add-ons with
their billing meters, and hourly professional services, each priced in usd, eur and gbp.

The plans are also priced in jpy (a zero-decimal currency) for customers created later, and
the catalogue holds an archived plan price, one contract price for a single account and one
graduated (tiered) seat price, whose `tiers` a response includes only when expanded. What
the client portal offers is marked in metadata, as a vendor would configure it in Stripe:
    price `portal_offer`="true"            offered for self-service changes
    price `portal_max_quantity`="N"        most seats (1: a flat plan)
    price `portal_downgrade`="period_end"  moving down to it waits for the period's end
    price `portal_account`="<company id>"  offered to that HubSpot company only
    product `portal_rank`="1".."3"         the plans' order, lowest first (add-ons, like
                                           the portal seats, have none)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from sandbox.stripe.ids import IdMaker

Json = dict[str, Any]
CURRENCIES = ("usd", "eur", "gbp")
CATALOG_CREATED = 1_669_888_800  # 2022-12-01 10:00 UTC, before any customer


@dataclass(frozen=True)
class Plan:
    tier: str  # the HubSpot company's tier
    name: str
    description: str
    amounts: dict[str, int]  # monthly, by currency
    max_seats: int  # 1 for a flat plan
    jpy: int  # monthly, in yen


# Prices added after the first catalogue draw their ids from a generator of their own, so
# that every id seeded before them (customers' invoices, subscriptions) stays as it was.
_LATER_SEED = 7


@dataclass(frozen=True)
class Metered:
    event_name: str
    display_name: str
    product_name: str
    unit_label: str
    formula: str  # the meter's aggregation: "sum" or "last"
    amounts: dict[str, int]  # per unit (after `divide_by`), by currency
    divide_by: int | None
    included: dict[str, int]  # by tier


PLANS = (
    Plan("STARTER", "Starter", "For small teams getting started.",
         {"usd": 4_900, "eur": 4_500, "gbp": 3_900}, 1, 7_500),
    Plan("GROWTH", "Growth", "For growing teams that need more room.",
         {"usd": 19_900, "eur": 18_500, "gbp": 15_900}, 50, 30_000),
    Plan("ENTERPRISE", "Enterprise", "For organisations with advanced needs.",
         {"usd": 99_900, "eur": 92_900, "gbp": 79_900}, 500, 150_000),
)  # fmt: skip
METERED = (
    Metered("api_calls", "API calls", "API calls", "call", "sum",
            {"usd": 20, "eur": 18, "gbp": 16}, 1000,
            {"STARTER": 100_000, "GROWTH": 1_000_000, "ENTERPRISE": 10_000_000}),
    Metered("storage_gb", "Storage (GB)", "Storage", "GB", "last",
            {"usd": 25, "eur": 23, "gbp": 20}, None,
            {"STARTER": 50, "GROWTH": 500, "ENTERPRISE": 5_000}),
)  # fmt: skip
SERVICES_HOURLY = {"usd": 15_000, "eur": 14_000, "gbp": 12_000}
# Portal seats, billed per seat: no seeded subscription has them (a test or a CSM adds the
# item); `per_seat` in the price's metadata tells the portal the quantity is a seat limit.
SEATS_MONTHLY = {"usd": 1_500, "eur": 1_400, "gbp": 1_200}


@dataclass
class Catalog:
    products: dict[str, Json] = field(default_factory=dict)
    prices: dict[str, Json] = field(default_factory=dict)
    meters: dict[str, Json] = field(default_factory=dict)
    by_lookup_key: dict[str, str] = field(default_factory=dict)  # lookup key → price id
    meter_by_event: dict[str, str] = field(default_factory=dict)  # event name → meter id
    tiers: dict[str, list[Json]] = field(default_factory=dict)  # of tiered prices, by price id

    def price(self, lookup_key: str) -> Json:
        return self.prices[self.by_lookup_key[lookup_key]]

    def amount(self, price: Json, quantity: int) -> int:
        """What `quantity` costs for one period of a licensed price, tiered or per unit."""
        if price["billing_scheme"] != "tiered":
            return int(price["unit_amount"]) * quantity
        tiers, total, below = self.tiers[price["id"]], 0, 0
        if price["tiers_mode"] == "volume":
            tier = next(t for t in tiers if t["up_to"] is None or quantity <= t["up_to"])
            return (tier["unit_amount"] or 0) * quantity + (tier["flat_amount"] or 0)
        for tier in tiers:  # graduated: each tier prices the seats that fall in it
            upper = quantity if tier["up_to"] is None else min(quantity, tier["up_to"])
            if upper > below:
                total += (tier["unit_amount"] or 0) * (upper - below) + (tier["flat_amount"] or 0)
            below = max(below, upper)
        return total


def format_money(amount: int, currency: str) -> str:
    symbol = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥"}.get(currency, currency.upper() + " ")
    if currency == "jpy":  # zero-decimal: amounts are whole yen
        return f"{symbol}{amount:,}"
    return f"{symbol}{amount / 100:,.2f}"


def quantity_label(quantity: int, product_name: str) -> str:
    return f"{quantity} \N{MULTIPLICATION SIGN} {product_name}"


def monthly_description(quantity: int, product_name: str, price: Json) -> str:
    """Stripe's description of a licensed line, e.g. "1 x Growth (at $199.00 / month)"
    with a multiplication sign."""
    if price["unit_amount"] is None:  # tiered: the amount depends on the quantity
        return quantity_label(quantity, product_name)
    amount = format_money(price["unit_amount"], price["currency"])
    return f"{quantity_label(quantity, product_name)} (at {amount} / month)"


def plan_key(tier: str, currency: str) -> str:
    return f"{tier.lower()}_monthly_{currency}"


def metered_key(event_name: str, tier: str, currency: str) -> str:
    return f"{event_name}_{tier.lower()}_{currency}"


def services_key(currency: str) -> str:
    return f"services_hourly_{currency}"


def legacy_key(tier: str, currency: str) -> str:
    return f"{tier.lower()}_monthly_2024_{currency}"


def contract_key(company_id: str, tier: str, currency: str) -> str:
    return f"{tier.lower()}_contract_{company_id}_{currency}"


# The one contract price of the catalogue: Acme Holdings' negotiated Enterprise rate.
CONTRACT = ("1001", "ENTERPRISE", "usd", 89_900)


def seats_key(currency: str) -> str:
    return f"seats_monthly_{currency}"


def add_seats(catalog: Catalog, new_id: IdMaker) -> None:
    """The per-seat product. Added after the rest of the seed with ids of its own, so that
    the seeded customers, subscriptions and invoices keep their ids."""
    product = _product(new_id("prod_", 14), "Portal seats", "Members of the client portal.",
                       "seat")  # fmt: skip
    catalog.products[product["id"]] = product
    for currency in CURRENCIES:
        _add_price(catalog, new_id("price_"), product, seats_key(currency), "Seats (monthly)",
                   currency, SEATS_MONTHLY[currency], _recurring("licensed", None), None,
                   {"per_seat": "true", "portal_offer": "true",
                    "portal_max_quantity": "1000"})  # fmt: skip


def build_catalog(new_id: IdMaker) -> Catalog:
    catalog = Catalog()
    plan_products = []
    for rank, plan in enumerate(PLANS, start=1):
        product = _product(new_id("prod_", 14), plan.name, plan.description, None)
        product["metadata"] = {"portal_rank": str(rank)}
        catalog.products[product["id"]] = product
        plan_products.append(product)
        for currency in CURRENCIES:
            _add_price(catalog, new_id("price_"), product, plan_key(plan.tier, currency),
                       f"{plan.name} monthly", currency, plan.amounts[currency],
                       _recurring("licensed", None), None, _offer(plan))  # fmt: skip
    for metered in METERED:
        meter = _meter(new_id("mtr_test_"), metered)
        catalog.meters[meter["id"]] = meter
        catalog.meter_by_event[metered.event_name] = meter["id"]
        product = _product(new_id("prod_", 14), metered.product_name, None, metered.unit_label)
        catalog.products[product["id"]] = product
        transform = {"divide_by": metered.divide_by, "round": "up"} if metered.divide_by else None
        for plan in PLANS:
            for currency in CURRENCIES:
                included = {"included_quantity": str(metered.included[plan.tier])}
                _add_price(catalog, new_id("price_"), product,
                           metered_key(metered.event_name, plan.tier, currency),
                           f"{metered.product_name} ({plan.name})", currency,
                           metered.amounts[currency], _recurring("metered", meter["id"]),
                           transform, included)  # fmt: skip
    services = _product(new_id("prod_", 14), "Professional services", None, "hour")
    catalog.products[services["id"]] = services
    for currency in CURRENCIES:
        _add_price(catalog, new_id("price_"), services, services_key(currency),
                   "Professional services (hourly)", currency, SERVICES_HOURLY[currency],
                   None, None, {})  # fmt: skip
    _add_later_prices(catalog, plan_products)
    return catalog


def _offer(plan: Plan, **more: str) -> dict[str, str]:
    offer = {"portal_offer": "true", "portal_max_quantity": str(plan.max_seats)}
    if plan.tier != "ENTERPRISE":  # moving down to Starter or Growth waits for the period end
        offer["portal_downgrade"] = "period_end"
    return {**offer, **more}


def _add_later_prices(catalog: Catalog, plan_products: list[Json]) -> None:
    new_id = IdMaker(random.Random(_LATER_SEED))
    for plan, product in zip(PLANS, plan_products, strict=True):
        _add_price(catalog, new_id("price_"), product, plan_key(plan.tier, "jpy"),
                   f"{plan.name} monthly", "jpy", plan.jpy, _recurring("licensed", None),
                   None, _offer(plan))  # fmt: skip
        legacy = legacy_key(plan.tier, "usd")
        _add_price(catalog, new_id("price_"), product, legacy, f"{plan.name} monthly (2024)",
                   "usd", plan.amounts["usd"] - 1_000, _recurring("licensed", None), None,
                   _offer(plan))  # fmt: skip
        catalog.prices[catalog.by_lookup_key[legacy]]["active"] = False
    company_id, tier, currency, amount = CONTRACT
    plan = next(p for p in PLANS if p.tier == tier)
    product = plan_products[PLANS.index(plan)]
    offer = _offer(plan, portal_account=company_id)
    _add_price(catalog, new_id("price_"), product, contract_key(company_id, tier, currency),
               f"{plan.name} monthly (contract)", currency, amount,
               _recurring("licensed", None), None, offer)  # fmt: skip
    _add_graduated(catalog, new_id, plan_products[1], PLANS[1])


def _add_price(
    catalog: Catalog,
    price_id: str,
    product: Json,
    lookup_key: str,
    nickname: str,
    currency: str,
    unit_amount: int,
    recurring: Json | None,
    transform: Json | None,
    metadata: dict[str, str],
) -> None:
    catalog.prices[price_id] = {
        "id": price_id,
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": CATALOG_CREATED,
        "currency": currency,
        "custom_unit_amount": None,
        "livemode": False,
        "lookup_key": lookup_key,
        "metadata": metadata,
        "nickname": nickname,
        "product": product["id"],
        "recurring": recurring,
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "transform_quantity": transform,
        "type": "recurring" if recurring else "one_time",
        "unit_amount": unit_amount,
        "unit_amount_decimal": str(unit_amount),
    }
    catalog.by_lookup_key[lookup_key] = price_id


def _add_graduated(catalog: Catalog, new_id: IdMaker, product: Json, plan: Plan) -> None:
    """Growth by the seat, graduated: the first 10 seats at the plan's price, more cheaper."""
    price_id = new_id("price_")
    _add_price(catalog, price_id, product, f"{plan.tier.lower()}_graduated_usd",
               f"{plan.name} monthly (graduated seats)", "usd", 0,
               _recurring("licensed", None), None, _offer(plan))  # fmt: skip
    catalog.prices[price_id].update(billing_scheme="tiered", tiers_mode="graduated",
                                    unit_amount=None, unit_amount_decimal=None)  # fmt: skip
    catalog.tiers[price_id] = [
        _tier(10, plan.amounts["usd"]),
        _tier(None, plan.amounts["usd"] - 5_000),
    ]


def _tier(up_to: int | None, unit_amount: int) -> Json:
    return {"flat_amount": None, "flat_amount_decimal": None, "unit_amount": unit_amount,
            "unit_amount_decimal": str(unit_amount), "up_to": up_to}  # fmt: skip


def _recurring(usage_type: str, meter_id: str | None) -> Json:
    return {
        "interval": "month",
        "interval_count": 1,
        "meter": meter_id,
        "trial_period_days": None,
        "usage_type": usage_type,
    }


def _product(product_id: str, name: str, description: str | None, unit: str | None) -> Json:
    return {
        "id": product_id,
        "object": "product",
        "active": True,
        "created": CATALOG_CREATED,
        "default_price": None,
        "description": description,
        "images": [],
        "livemode": False,
        "marketing_features": [],
        "metadata": {},
        "name": name,
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "type": "service",
        "unit_label": unit,
        "updated": CATALOG_CREATED,
        "url": None,
    }


def _meter(meter_id: str, metered: Metered) -> Json:
    return {
        "id": meter_id,
        "object": "billing.meter",
        "created": CATALOG_CREATED,
        "customer_mapping": {"event_payload_key": "stripe_customer_id", "type": "by_id"},
        "default_aggregation": {"formula": metered.formula},
        "display_name": metered.display_name,
        "event_name": metered.event_name,
        "event_time_window": None,
        "livemode": False,
        "status": "active",
        "status_transitions": {"deactivated_at": None},
        "updated": CATALOG_CREATED,
        "value_settings": {"event_payload_key": "value"},
    }
