"""Money as Stripe counts it: integer minor units and an ISO 4217 currency."""

from __future__ import annotations

from decimal import Decimal

import strawberry

# Currencies whose minor unit is not 1/100 (Stripe's list of zero- and three-decimal ones).
_ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
_THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])


def minor_unit_exponent(currency: str) -> int:
    code = currency.lower()
    if code in _ZERO_DECIMAL:
        return 0
    if code in _THREE_DECIMAL:
        return 3
    return 2


@strawberry.type(description="An amount of money in a currency's minor units.")
class Money:
    amount: int = strawberry.field(description="Minor units, e.g. cents: 1050 is 10.50 USD.")
    currency: str = strawberry.field(description="ISO 4217 code, upper case.")
    decimal: str = strawberry.field(description='The amount in major units, e.g. "10.50".')

    @classmethod
    def of(cls, amount: int, currency: str) -> Money:
        exponent = minor_unit_exponent(currency)
        major = Decimal(amount).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))
        return cls(amount=amount, currency=currency.upper(), decimal=str(major))
