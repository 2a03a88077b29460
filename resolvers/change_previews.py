"""The `prorationDate` a change preview answers: a signed token naming the change (account,
subscription, item, price, seats), the second Stripe prorated it to, when the change takes
effect, and when the preview was made. Applying it bills what the preview showed; it also
derives the change's Idempotency-Key, so the same preview applied twice is one change."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from auth.signing import BadSignature, Signer
from resolvers.idempotency import derived_key


@dataclass(frozen=True)
class PreviewToken:
    account_id: str
    subscription_id: str
    item_id: str
    price_id: str
    quantity: int
    prorated_at: int  # unix seconds, by Stripe's clock
    timing: str  # "now" or "period_end"
    issued_at: int  # unix seconds, by ours: the preview's age

    def sign(self, signer: Signer) -> str:
        return signer.sign(asdict(self))

    @classmethod
    def verify(cls, signer: Signer, token: str) -> PreviewToken | None:
        """The token's content, or None when it is not one we signed."""
        try:
            payload: dict[str, Any] = signer.unsign(token)
            found = cls(**payload)
        except (BadSignature, TypeError):
            return None
        texts = (found.account_id, found.subscription_id, found.item_id, found.price_id,
                 found.timing)  # fmt: skip
        numbers = (found.quantity, found.prorated_at, found.issued_at)
        if not all(isinstance(t, str) for t in texts) or not all(
            isinstance(n, int) for n in numbers
        ):
            return None
        return found

    def names(self, account_id: str, subscription_id: str, price_id: str, quantity: int) -> bool:
        """Whether this preview was of this very change."""
        return (self.account_id, self.subscription_id, self.price_id, self.quantity) == (
            account_id, subscription_id, price_id, quantity,
        )  # fmt: skip

    def expired(self, ttl_s: float, period_start: int) -> bool:
        """Too old, or from a period that has ended since (its proration date is then
        outside the current period, and Stripe would bill something else)."""
        return time.time() - self.issued_at > ttl_s or self.prorated_at < period_start

    def idempotency_key(self) -> str:
        return derived_key("change", self.account_id, self.subscription_id, self.item_id,
                           self.price_id, self.quantity, self.prorated_at)  # fmt: skip
