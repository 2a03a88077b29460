"""A retry budget per upstream, as a token bucket, so that retries cannot multiply the load
on a vendor that is struggling: each first attempt earns `ratio` of a retry, a retry spends
one, and the bucket holds at most `burst`. With ratio 0.2, retries add at most ~20 % to the
calls a vendor sees, however many requests fail at once."""

from __future__ import annotations


class RetryBudget:
    def __init__(self, ratio: float = 0.2, burst: float = 10.0) -> None:
        self.ratio = ratio
        self.burst = burst
        self._tokens = burst

    def deposit(self) -> None:
        self._tokens = min(self.burst, self._tokens + self.ratio)

    def withdraw(self) -> bool:
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True

    @property
    def tokens(self) -> float:
        return self._tokens
