"""Everything one bench run measured."""

from __future__ import annotations

from dataclasses import dataclass

from bench.calls import DashboardCalls
from bench.cold import ColdLatency
from bench.concurrency import Level
from bench.freshness import Freshness
from bench.warm import WarmLatency


@dataclass(frozen=True)
class Measurements:
    cold: list[ColdLatency]
    warm: WarmLatency
    calls: list[DashboardCalls]  # the same query on a small and a large sandbox
    levels: list[Level]
    peak_rss_kib: int | None  # the gateway that served the warm and concurrent phases
    freshness: Freshness | None = None  # measured last: it changes the small sandbox's data
