"""Stripe's amounts: integers in a currency's minor unit, which is not always 1/100."""

from __future__ import annotations

from decimal import Decimal

# Stripe's zero- and three-decimal currencies; every other currency has two decimals.
ZERO_DECIMAL = frozenset(
    ("bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
     "xaf", "xof", "xpf")
)  # fmt: skip
THREE_DECIMAL = frozenset(("bhd", "jod", "kwd", "omr", "tnd"))


def minor_unit_exponent(currency: str) -> int:
    code = currency.lower()
    return 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2


def decimal_amount(minor_units: int, currency: str) -> str:
    """The amount in major units as an exact decimal string: 1050 USD is "10.50"."""
    exponent = minor_unit_exponent(currency)
    return str(Decimal(minor_units).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent)))
