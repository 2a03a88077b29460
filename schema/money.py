"""Money as Stripe counts it: integer minor units and an ISO 4217 currency."""

from __future__ import annotations

import strawberry

from connectors.stripe_money import decimal_amount


@strawberry.type(description="An amount of money in a currency's minor units.")
class Money:
    amount: int = strawberry.field(description="Minor units, e.g. cents: 1050 is 10.50 USD.")
    currency: str = strawberry.field(description="ISO 4217 code, upper case.")
    decimal: str = strawberry.field(description='The amount in major units, e.g. "10.50".')

    @classmethod
    def of(cls, amount: int, currency: str) -> Money:
        decimal = decimal_amount(amount, currency)
        return cls(amount=amount, currency=currency.upper(), decimal=decimal)
