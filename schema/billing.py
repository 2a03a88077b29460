"""Billing as the account sees it: the subscription with its next invoice and any change
planned for the period's end, metered usage, the plans it may move to, its payment methods."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry

from connectors import stripe
from connectors.stripe_catalogue import CataloguePrice
from connectors.stripe_payment_methods import PaymentMethod as PaymentMethodRecord
from connectors.stripe_payment_methods import PaymentMethods
from connectors.stripe_subscriptions import InvoicePreview, PreviewLine
from resolvers import billing
from resolvers.billing import MetricUsage
from resolvers.request.ids import encode_id
from schema.context import Info
from schema.enums import parse_enum
from schema.money import Money
from schema.relay import Node


@strawberry.enum
class SubscriptionStatus(Enum):
    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    UNPAID = "unpaid"
    PAUSED = "paused"


@strawberry.enum(description="Why a subscription is cancelled (Stripe's cancellation feedback).")
class CancellationReason(Enum):
    CUSTOMER_SERVICE = "customer_service"
    LOW_QUALITY = "low_quality"
    MISSING_FEATURES = "missing_features"
    SWITCHED_SERVICE = "switched_service"
    TOO_COMPLEX = "too_complex"
    TOO_EXPENSIVE = "too_expensive"
    UNUSED = "unused"
    OTHER = "other"


@strawberry.type
class SubscriptionItem:
    product: str | None
    price_id: strawberry.ID = strawberry.field(description="The Stripe price id.")
    quantity: int | None
    unit_price: Money | None
    interval: str | None
    metered: bool

    @classmethod
    def from_upstream(cls, item: stripe.SubscriptionItem) -> SubscriptionItem:
        price = None
        if item.unit_amount is not None and item.currency:
            price = Money.of(item.unit_amount, item.currency)
        return cls(
            product=item.product_name,
            price_id=strawberry.ID(item.price_id),
            quantity=item.quantity,
            unit_price=price,
            interval=item.interval,
            metered=item.usage_type == "metered",
        )


@strawberry.type(description="A price tier of a tiered plan.")
class PriceTier:
    up_to: int | None = strawberry.field(description="Null for the last tier.")
    unit_price: Money | None
    flat_price: Money | None


@strawberry.type(description="A plan the account may choose: a Stripe price and its product.")
class Plan:
    price_id: strawberry.ID = strawberry.field(description="The Stripe price id.")
    name: str
    description: str | None
    interval: str = strawberry.field(description="Billed every `intervalCount` of these.")
    interval_count: int
    currency: str
    unit_price: Money | None = strawberry.field(description="Per seat, or for the flat plan.")
    per_seat: bool
    max_quantity: int | None = strawberry.field(description="The most seats; 1 for a flat plan.")
    downgrade_at_period_end: bool = strawberry.field(
        description="Moving down to this plan waits for the end of the current period."
    )
    tiers: list[PriceTier]

    @classmethod
    def from_upstream(cls, price: CataloguePrice) -> Plan:
        def money(amount: int | None) -> Money | None:
            return None if amount is None else Money.of(amount, price.currency)

        return cls(
            price_id=strawberry.ID(price.id), name=price.product_name,
            description=price.product_description, interval=price.interval,
            interval_count=price.interval_count, currency=price.currency.upper(),
            unit_price=money(price.unit_amount), per_seat=price.per_seat,
            max_quantity=price.max_quantity, downgrade_at_period_end=price.downgrade_at_period_end,
            tiers=[PriceTier(up_to=t.up_to, unit_price=money(t.unit_amount),
                             flat_price=money(t.flat_amount)) for t in price.tiers],
        )  # fmt: skip


@strawberry.type(description="One line of an invoice Stripe has not issued yet.")
class InvoiceLinePreview:
    description: str | None
    amount: Money
    proration: bool = strawberry.field(description="A credit or charge for part of a period.")
    period_start: datetime
    period_end: datetime
    quantity: int | None

    @classmethod
    def from_upstream(cls, line: PreviewLine, currency: str) -> InvoiceLinePreview:
        return cls(
            description=line.description, amount=Money.of(line.amount, currency),
            proration=line.proration, period_start=line.period_start,
            period_end=line.period_end, quantity=line.quantity,
        )  # fmt: skip


@strawberry.type(description="The subscription's next invoice, as Stripe would draft it now.")
class UpcomingInvoice:
    amount_due: Money
    total: Money
    billed_at: datetime
    lines: list[InvoiceLinePreview]

    @classmethod
    def from_upstream(cls, preview: InvoicePreview) -> UpcomingInvoice:
        currency = preview.currency
        return cls(
            amount_due=Money.of(preview.amount_due, currency),
            total=Money.of(preview.total, currency), billed_at=preview.billed_at,
            lines=[InvoiceLinePreview.from_upstream(ln, currency) for ln in preview.lines],
        )  # fmt: skip


@strawberry.type(description="A change that takes effect at the end of the current period.")
class ScheduledChange:
    effective_at: datetime
    price_id: strawberry.ID
    quantity: int | None
    plan: str | None = strawberry.field(description="The plan's name.")


@strawberry.type(description="The account's Stripe subscription, live.")
class Subscription(Node):
    plan: str | None = strawberry.field(description="The name of the main (licensed) product.")
    status: SubscriptionStatus | None
    current_period_start: datetime
    current_period_end: datetime
    cancel_at_period_end: bool
    cancel_at: datetime | None
    cancellation_reason: CancellationReason | None
    trial_start: datetime | None
    trial_end: datetime | None
    items: list[SubscriptionItem]
    record: strawberry.Private[stripe.Subscription]

    @classmethod
    def from_upstream(cls, subscription: stripe.Subscription, account_id: str) -> Subscription:
        licensed = [i for i in subscription.items if i.usage_type != "metered"]
        return cls(
            id=strawberry.ID(encode_id("Subscription", account_id, subscription.id)),
            plan=licensed[0].product_name if licensed else None,
            status=parse_enum(SubscriptionStatus, subscription.status, upper=False),
            current_period_start=subscription.current_period_start,
            current_period_end=subscription.current_period_end,
            cancel_at_period_end=subscription.cancel_at_period_end,
            cancel_at=subscription.cancel_at,
            cancellation_reason=parse_enum(
                CancellationReason, subscription.cancellation_feedback, upper=False
            ),
            trial_start=subscription.trial_start,
            trial_end=subscription.trial_end,
            items=[SubscriptionItem.from_upstream(i) for i in subscription.items],
            record=subscription,
        )

    @strawberry.field(description="The plan change planned for the end of the current period.")
    async def scheduled_change(self, info: Info) -> ScheduledChange | None:
        phase = self.record.phase_after_period()
        licensed = [i for i in self.record.items if i.usage_type != "metered"]
        if phase is None or not phase.items or not licensed:
            return None
        main = next((i for i in phase.items if i.quantity is not None), phase.items[0])
        price = billing.price_by_id(await billing.catalogue(info.context), main.price_id)
        return ScheduledChange(
            effective_at=phase.start, price_id=strawberry.ID(main.price_id),
            quantity=main.quantity, plan=price.product_name if price else None,
        )  # fmt: skip

    @strawberry.field(description="The next invoice (Stripe's preview); null when none is due.")
    async def upcoming_invoice(self, info: Info) -> UpcomingInvoice | None:
        found = await billing.upcoming_invoice(info.context, self.record)
        return None if found is None else UpcomingInvoice.from_upstream(found)


@strawberry.type(description="A card (or other method) the account pays with, kept by Stripe.")
class PaymentMethod(Node):
    type: str = strawberry.field(description="Stripe's type: card, sepa_debit, ...")
    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None
    is_default: bool = strawberry.field(description="Invoices are charged to it.")

    @classmethod
    def from_upstream(
        cls, method: PaymentMethodRecord, methods: PaymentMethods, account_id: str
    ) -> PaymentMethod:
        return cls(
            id=strawberry.ID(encode_id("PaymentMethod", account_id, method.id)),
            type=method.type, brand=method.brand, last4=method.last4,
            exp_month=method.exp_month, exp_year=method.exp_year,
            is_default=method.id == methods.default_id,
        )  # fmt: skip

    @classmethod
    def all_of(cls, methods: PaymentMethods, account_id: str) -> list[PaymentMethod]:
        return [cls.from_upstream(m, methods, account_id) for m in methods.methods]


@strawberry.type
class UsagePoint:
    date: date
    quantity: float


@strawberry.type(description="Use of one metered feature over a period.")
class UsageMetric:
    key: str = strawberry.field(description="The meter's event name, stable for BI.")
    name: str
    unit: str
    period_start: date
    period_end: date
    quantity_used: float
    included_quantity: int | None
    percent_used: float | None
    daily: list[UsagePoint]

    @classmethod
    def from_upstream(cls, usage: MetricUsage) -> UsageMetric:
        return cls(
            key=usage.meter.event_name,
            name=usage.meter.display_name,
            unit=usage.meter.unit,
            period_start=usage.period.start,
            period_end=usage.period.end,
            quantity_used=usage.quantity_used,
            included_quantity=usage.included_quantity,
            percent_used=usage.percent_used,
            daily=[UsagePoint(date=d.day, quantity=d.quantity) for d in usage.daily],
        )
