"""An account's Stripe subscription, its metered usage and next invoice, the plans it may
move to, and its payment methods: the reads of billing."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from cache import scopes
from cache.read_through import CacheKey
from connectors import stripe, stripe_catalogue, stripe_payment_methods, stripe_subscriptions
from connectors.hubspot import Company
from connectors.stripe_catalogue import Catalogue, CataloguePrice
from connectors.stripe_payment_methods import PaymentMethod, PaymentMethods
from connectors.stripe_subscriptions import InvoicePreview
from resolvers.request.access import visible_account
from resolvers.request.context import RequestContext
from resolvers.request.errors import bad_input, not_found
from resolvers.request.ids import decode_id

# The subscription a portal shows when a customer has several: the live one first.
_STATUS_ORDER = ("active", "trialing", "past_due", "unpaid", "incomplete", "paused", "canceled")
METERS_TTL_S = 600.0  # meters are configuration: they change rarely
CATALOGUE_TTL_S = 600.0  # so are prices; webhooks of `price.*` and `product.*` evict it


async def current_subscription(ctx: RequestContext, account: Company) -> stripe.Subscription | None:
    if account.stripe_customer_id is None:
        return None
    subscriptions = await ctx.loaders.subscriptions_by_customer.load(account.stripe_customer_id)
    owned = [s for s in subscriptions if s.customer_id == account.stripe_customer_id]
    if not owned:
        return None
    return min(owned, key=lambda s: _rank(s.status))


def _rank(status: str) -> int:
    return _STATUS_ORDER.index(status) if status in _STATUS_ORDER else len(_STATUS_ORDER)


@dataclass(frozen=True)
class UsagePeriod:
    start: date  # inclusive
    end: date  # inclusive

    @classmethod
    def of(cls, start: date | None, end: date | None, fallback: UsagePeriod) -> UsagePeriod:
        period = cls(start or fallback.start, end or fallback.end)
        if period.end < period.start:
            raise bad_input("`to` must not be before `from`.", "period")
        if (period.end - period.start).days > 366:
            raise bad_input("A usage period spans at most 366 days.", "period")
        return period

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        """Exclusive end: midnight after the last day."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)


@dataclass(frozen=True)
class DailyQuantity:
    day: date
    quantity: float


@dataclass(frozen=True)
class MetricUsage:
    meter: stripe.Meter
    item: stripe.SubscriptionItem
    period: UsagePeriod
    daily: tuple[DailyQuantity, ...]

    @property
    def quantity_used(self) -> float:
        return sum(d.quantity for d in self.daily)

    @property
    def included_quantity(self) -> int | None:
        return self.item.included_quantity

    @property
    def percent_used(self) -> float | None:
        if not self.included_quantity:
            return None
        return round(100 * self.quantity_used / self.included_quantity, 2)


def default_period(subscription: stripe.Subscription) -> UsagePeriod:
    end = subscription.current_period_end - timedelta(seconds=1)
    return UsagePeriod(subscription.current_period_start.date(), end.date())


async def usage(
    ctx: RequestContext,
    account: Company,
    start: date | None,
    end: date | None,
) -> list[MetricUsage]:
    subscription = await current_subscription(ctx, account)
    customer_id = account.stripe_customer_id
    if subscription is None or customer_id is None:
        return []
    period = UsagePeriod.of(start, end, default_period(subscription))
    metered = [item for item in subscription.items if item.meter_id]
    meters, series = await asyncio.gather(
        _meters_by_id(ctx),
        asyncio.gather(*(_daily(ctx, item, customer_id, period) for item in metered)),
    )
    return [
        MetricUsage(meters[item.meter_id], item, period, daily)
        for item, daily in zip(metered, series, strict=True)
        if item.meter_id in meters
    ]


async def _meters_by_id(ctx: RequestContext) -> dict[str, stripe.Meter]:
    async def fetch() -> dict[str, stripe.Meter]:
        return {m.id: m for m in await stripe.meters(ctx.services.upstreams.stripe)}

    return await ctx.services.cache.get_or_load(CacheKey(scopes.meters()), fetch, METERS_TTL_S)


async def _daily(
    ctx: RequestContext, item: stripe.SubscriptionItem, customer_id: str, period: UsagePeriod
) -> tuple[DailyQuantity, ...]:
    assert item.meter_id is not None
    meter_id = item.meter_id

    async def fetch() -> tuple[DailyQuantity, ...]:
        buckets = await stripe.meter_usage(
            ctx.services.upstreams.stripe, meter_id, customer_id, period.start_at, period.end_at
        )
        return tuple(DailyQuantity(b.start.date(), b.value) for b in buckets)

    key = CacheKey(scopes.usage(customer_id), f"{meter_id}|{period.start}|{period.end}")
    return await ctx.services.cache.get_or_load(key, fetch)


async def subscription_by_global_id(
    ctx: RequestContext, global_id: str
) -> tuple[Company, stripe.Subscription]:
    gid = decode_id(global_id, "Subscription")
    account = await visible_account(ctx, gid.account_id)
    if account is not None and account.stripe_customer_id:
        subscriptions = await ctx.loaders.subscriptions_by_customer.load(account.stripe_customer_id)
        for subscription in subscriptions:
            if subscription.id == gid.upstream_id and (
                subscription.customer_id == account.stripe_customer_id
            ):
                return account, subscription
    raise not_found("Subscription", global_id)


# The plan catalogue


async def catalogue(ctx: RequestContext) -> Catalogue:
    """Every price offered in the portal, to anyone; `plans_for` says which an account sees."""

    async def fetch() -> Catalogue:
        return await stripe_catalogue.portal_catalogue(ctx.services.upstreams.stripe)

    key = CacheKey(scopes.catalogue())
    found: Catalogue = await ctx.services.cache.get_or_load(key, fetch, CATALOGUE_TTL_S)
    return found


def offered_to(price: CataloguePrice, account: Company) -> bool:
    """A contract price is the named account's alone: to others it does not exist."""
    return price.account_id is None or price.account_id == account.id


async def plans_for(ctx: RequestContext, account: Company) -> list[CataloguePrice]:
    """The active plans the account may choose, in its subscription's currency, lowest first."""
    found, subscription = await asyncio.gather(catalogue(ctx), current_subscription(ctx, account))
    prices = found.prices
    currency = subscription.currency if subscription else None
    return sorted(
        (
            p for p in prices
            if p.active and offered_to(p, account) and currency in (None, "", p.currency)
        ),
        # Plans by rank, add-ons (no rank) after them.
        key=lambda p: (p.rank is None, p.rank or 0, p.account_id is not None,
                       p.unit_amount or 0, p.id),
    )  # fmt: skip


def price_by_id(found: Catalogue, price_id: str) -> CataloguePrice | None:
    return next((p for p in found.prices if p.id == price_id), None)


# The next invoice and the payment methods


async def upcoming_invoice(
    ctx: RequestContext, subscription: stripe.Subscription
) -> InvoicePreview | None:
    if subscription.status in ("canceled", "incomplete_expired"):
        return None
    customer_id = subscription.customer_id

    async def fetch() -> InvoicePreview | None:
        return await stripe_subscriptions.upcoming_invoice(
            ctx.services.upstreams.stripe, customer_id, subscription.id
        )

    key = CacheKey(scopes.upcoming_invoice(customer_id), subscription.id)
    found: InvoicePreview | None = await ctx.services.cache.get_or_load(key, fetch)
    return found


async def payment_methods(ctx: RequestContext, account: Company) -> PaymentMethods | None:
    customer_id = account.stripe_customer_id
    if customer_id is None:
        return None

    async def fetch() -> PaymentMethods:
        return await stripe_payment_methods.payment_methods_of_customer(
            ctx.services.upstreams.stripe, customer_id
        )

    found: PaymentMethods = await ctx.services.cache.get_or_load(
        CacheKey(scopes.payment_methods(customer_id)), fetch
    )
    # Stripe lists a customer's own cards; checked all the same, like every record.
    owned = tuple(m for m in found.methods if m.customer_id == customer_id)
    return PaymentMethods(found.default_id, owned, found.last_portal_change)


async def payment_method_by_global_id(
    ctx: RequestContext, global_id: str
) -> tuple[Company, PaymentMethods, PaymentMethod]:
    gid = decode_id(global_id, "PaymentMethod")
    account = await visible_account(ctx, gid.account_id)
    methods = None if account is None else await payment_methods(ctx, account)
    found = None if methods is None else methods.find(gid.upstream_id)
    if account is None or methods is None or found is None:
        raise not_found("PaymentMethod", global_id)
    return account, methods, found
