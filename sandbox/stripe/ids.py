"""Stripe-shaped object ids (`cus_…`, `in_…`), drawn from a seeded generator."""

from __future__ import annotations

import random

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class IdMaker:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def __call__(self, prefix: str, length: int = 24) -> str:
        # One draw per id keeps seeding 10,000 invoices cheap.
        number = self._rng.getrandbits(6 * length)
        chars = []
        for _ in range(length):
            number, digit = divmod(number, 62)
            chars.append(_ALPHABET[digit])
        return prefix + "".join(chars)
