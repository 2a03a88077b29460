"""Everything one bench run measured."""

from __future__ import annotations

from dataclasses import dataclass

from bench.calls import DashboardCalls
from bench.cold import ColdLatency
from bench.concurrency import Level
from bench.freshness import Freshness
from bench.warm import WarmLatency
from bench.workers import WorkerScaling


@dataclass(frozen=True)
class Measurements:
    cold: list[ColdLatency]
    warm: WarmLatency
    calls: list[DashboardCalls]  # the same query on a small and a large sandbox
    levels: list[Level]  # the warm dashboard at 1, 10 and 50 clients
    floor_levels: list[Level]  # `{ __typename }` the same way: the floor
    peak_rss_kib: int | None  # the gateway that served the warm and concurrent phases
    workers: WorkerScaling | None = None
    freshness: Freshness | None = None  # measured last: it changes the small sandbox's data
