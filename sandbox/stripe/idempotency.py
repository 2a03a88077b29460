"""Stripe's idempotent POSTs: a key replays its first response while the parameters match."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class StoredResponse:
    fingerprint: str  # method, path and parameters of the first request
    status: int
    body: str


class IdempotencyStore:
    """The most recent keys (Stripe keeps them 24 hours; a bound does here)."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._responses: OrderedDict[str, StoredResponse] = OrderedDict()

    def get(self, key: str) -> StoredResponse | None:
        return self._responses.get(key)

    def put(self, key: str, response: StoredResponse) -> None:
        self._responses[key] = response
        self._responses.move_to_end(key)
        while len(self._responses) > self._capacity:
            self._responses.popitem(last=False)
