from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry

from connectors import stripe
from resolvers.billing import MetricUsage
from resolvers.request.ids import encode_id
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


@strawberry.type
class SubscriptionItem:
    product: str | None
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
            quantity=item.quantity,
            unit_price=price,
            interval=item.interval,
            metered=item.usage_type == "metered",
        )


@strawberry.type(description="The account's Stripe subscription, live.")
class Subscription(Node):
    plan: str | None = strawberry.field(description="The name of the main (licensed) product.")
    status: SubscriptionStatus | None
    current_period_start: datetime
    current_period_end: datetime
    cancel_at_period_end: bool
    items: list[SubscriptionItem]

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
            items=[SubscriptionItem.from_upstream(i) for i in subscription.items],
        )


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
