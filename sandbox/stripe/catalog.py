"""The vendor's product catalogue in Stripe: three monthly plans, two metered add-ons with
their billing meters, and hourly professional services, each priced in usd, eur and gbp."""

from __future__ import annotations

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
         {"usd": 4_900, "eur": 4_500, "gbp": 3_900}),
    Plan("GROWTH", "Growth", "For growing teams that need more room.",
         {"usd": 19_900, "eur": 18_500, "gbp": 15_900}),
    Plan("ENTERPRISE", "Enterprise", "For organisations with advanced needs.",
         {"usd": 99_900, "eur": 92_900, "gbp": 79_900}),
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

    def price(self, lookup_key: str) -> Json:
        return self.prices[self.by_lookup_key[lookup_key]]


def format_money(amount: int, currency: str) -> str:
    symbol = {"usd": "$", "eur": "€", "gbp": "£"}.get(currency, currency.upper() + " ")
    return f"{symbol}{amount / 100:,.2f}"


def quantity_label(quantity: int, product_name: str) -> str:
    return f"{quantity} \N{MULTIPLICATION SIGN} {product_name}"


def monthly_description(quantity: int, product_name: str, price: Json) -> str:
    """Stripe's description of a licensed line, e.g. "1 x Growth (at $199.00 / month)"
    with a multiplication sign."""
    amount = format_money(price["unit_amount"], price["currency"])
    return f"{quantity_label(quantity, product_name)} (at {amount} / month)"


def plan_key(tier: str, currency: str) -> str:
    return f"{tier.lower()}_monthly_{currency}"


def metered_key(event_name: str, tier: str, currency: str) -> str:
    return f"{event_name}_{tier.lower()}_{currency}"


def services_key(currency: str) -> str:
    return f"services_hourly_{currency}"


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
                   {"per_seat": "true"})  # fmt: skip


def build_catalog(new_id: IdMaker) -> Catalog:
    catalog = Catalog()
    for plan in PLANS:
        product = _product(new_id("prod_", 14), plan.name, plan.description, None)
        catalog.products[product["id"]] = product
        for currency in CURRENCIES:
            _add_price(catalog, new_id("price_"), product, plan_key(plan.tier, currency),
                       f"{plan.name} monthly", currency, plan.amounts[currency],
                       _recurring("licensed", None), None, {})  # fmt: skip
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
    return catalog


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
