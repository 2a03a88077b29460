"""Latency summaries: nearest-rank percentiles of a list of seconds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(seconds: Sequence[float], p: float) -> float:
    ordered = sorted(seconds)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    count: int
    p50_ms: float
    p95_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Summary:
        if not seconds:
            raise ValueError("no samples")
        return cls(
            len(seconds),
            percentile(seconds, 50) * 1000,
            percentile(seconds, 95) * 1000,
            max(seconds) * 1000,
        )
