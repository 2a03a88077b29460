"""The plans the portal offers: Stripe's recurring prices marked `portal_offer` in their
metadata, with their products and tiers, in one list call (archived prices included, so
that a member naming one hears it is archived rather than unknown).

Metadata the vendor sets in Stripe (the sandbox's catalogue has all of them):
    price `portal_offer`="true", `portal_max_quantity`="N", `portal_downgrade`="period_end",
    `portal_account`="<HubSpot company id>" (a contract price for that account only);
    product `portal_rank`="1".."n" (the plans' order, lowest first).
"""

from __future__ import annotations

from dataclasses import dataclass

import stripe

from connectors.stripe import _all, _metadata


@dataclass(frozen=True)
class PriceTier:
    up_to: int | None  # None: the last tier, without a bound
    unit_amount: int | None
    flat_amount: int | None


@dataclass(frozen=True)
class CataloguePrice:
    id: str
    product_id: str
    product_name: str
    product_description: str | None
    rank: int | None
    active: bool
    currency: str
    unit_amount: int | None  # minor units; None for tiered prices
    interval: str
    interval_count: int
    max_quantity: int | None
    downgrade_at_period_end: bool
    account_id: str | None  # offered to this HubSpot company only
    tiers_mode: str | None  # graduated or volume
    tiers: tuple[PriceTier, ...]

    @property
    def per_seat(self) -> bool:
        return self.max_quantity != 1

    def monthly_amount(self, quantity: int) -> int:
        """What `quantity` costs per period, for telling upgrades from downgrades."""
        if self.unit_amount is not None or not self.tiers:
            return (self.unit_amount or 0) * quantity
        if self.tiers_mode == "volume":
            tier = next(t for t in self.tiers if t.up_to is None or quantity <= t.up_to)
            return (tier.unit_amount or 0) * quantity + (tier.flat_amount or 0)
        total, below = 0, 0
        for tier in self.tiers:
            upper = quantity if tier.up_to is None else min(quantity, tier.up_to)
            if upper > below:
                total += (tier.unit_amount or 0) * (upper - below) + (tier.flat_amount or 0)
            below = upper
        return total


@dataclass(frozen=True)
class Catalogue:
    prices: tuple[CataloguePrice, ...]  # offered in the portal, archived ones included
    product_names: dict[str, str]  # of every recurring price's product, offered or not


async def portal_catalogue(client: stripe.StripeClient) -> Catalogue:
    prices = await _all(
        client.v1.prices.list_async,
        {"type": "recurring", "expand": ["data.product", "data.tiers"]},
    )
    offered = tuple(
        _price(price)
        for price in prices
        if _metadata(price.metadata).get("portal_offer") == "true"
        and isinstance(price.product, stripe.Product)
        and price.recurring is not None
        and price.recurring.usage_type == "licensed"
    )
    names = {p.product.id: p.product.name for p in prices if isinstance(p.product, stripe.Product)}
    return Catalogue(offered, names)


def _price(price: stripe.Price) -> CataloguePrice:
    product = price.product
    assert isinstance(product, stripe.Product) and price.recurring is not None
    metadata, product_metadata = _metadata(price.metadata), _metadata(product.metadata)
    tiers = price.tiers or []  # only in the answer when expanded (`data.tiers`)
    return CataloguePrice(
        id=price.id,
        product_id=product.id,
        product_name=product.name,
        product_description=product.description,
        rank=_number(product_metadata.get("portal_rank")),
        active=price.active,
        currency=price.currency,
        unit_amount=price.unit_amount,
        interval=price.recurring.interval,
        interval_count=price.recurring.interval_count,
        max_quantity=_number(metadata.get("portal_max_quantity")),
        downgrade_at_period_end=metadata.get("portal_downgrade") == "period_end",
        account_id=metadata.get("portal_account") or None,
        tiers_mode=price.tiers_mode,
        tiers=tuple(PriceTier(t.up_to, t.unit_amount, t.flat_amount) for t in tiers),
    )


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None
