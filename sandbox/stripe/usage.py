"""Meter events per meter and customer, aggregated into Stripe's event summaries."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from dataclasses import dataclass, field

from sandbox.stripe.periods import DAY, HOUR

WINDOWS = {"day": DAY, "hour": HOUR}


@dataclass(frozen=True)
class Bucket:
    start: int
    end: int
    value: float


@dataclass
class MeterEvents:
    # (meter id, customer id) → [(timestamp, value)], sorted by timestamp
    events: dict[tuple[str, str], list[tuple[int, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(self, meter_id: str, customer_id: str, timestamp: int, value: float) -> None:
        insort(self.events[(meter_id, customer_id)], (timestamp, value))

    def extend_sorted(
        self, meter_id: str, customer_id: str, events: list[tuple[int, float]]
    ) -> None:
        self.events[(meter_id, customer_id)].extend(events)

    def buckets(
        self, meter_id: str, customer_id: str, start: int, end: int, width: int | None,
        formula: str,
    ) -> list[Bucket]:  # fmt: skip
        """Aggregates per window from `start` (inclusive) to `end` (exclusive), oldest first;
        one bucket for the whole range when `width` is None. Empty windows aggregate to 0."""
        events = self.events.get((meter_id, customer_id), [])
        step = width or (end - start)
        result = []
        for low in range(start, end, step):
            high = min(low + step, end)
            window = events[bisect_left(events, (low,)) : bisect_left(events, (high,))]
            result.append(Bucket(low, high, _aggregate(formula, [v for _, v in window])))
        return result


def _aggregate(formula: str, values: list[float]) -> float:
    if not values:
        return 0.0
    if formula == "count":
        return float(len(values))
    if formula == "last":
        return float(values[-1])
    return float(sum(values))
