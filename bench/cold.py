"""Cold dashboard latency at several injected upstream latencies, against the critical-path
bound of docs/architecture.md (4 sequential round trips x the latency).

How "cold" is made: a gateway process of its own runs with `PORTAL_CACHE_TTL_S` and
`PORTAL_VIEWER_TTL_S` at COLD_TTL_S (0.25 s), and every sample starts COLD_GAP_S after the
previous response, so each entry of the previous sample has expired. Within a sample the
cache behaves as in production: the viewer read primes the member's contact, which the
`member` field reads milliseconds later. (A TTL of 0 would not: that prime would be lost
and cost an extra call.) Restarting the process per sample would be colder still but costs
seconds a sample; a fresh viewer would still find its company's data cached.

One warm-up query runs first: the Stripe meters (a list of meters and one of metered
prices) have a fixed 600 s TTL (`resolvers.billing.METERS_TTL_S`) that the settings do not
reach, so every measured sample reads them from the cache. They are read in the last round
either way, beside the meter summaries, so they do not change the chain. Each sample's
upstream calls are counted from the sandbox logs: equal counts across samples show that
none was served from the cache.
"""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass

from bench.client import GraphQLClient, Timed
from bench.loops import Bound, sequential
from bench.queries import DASHBOARD
from bench.rounds import Chain, chain_of
from bench.stats import Summary
from bench.upstreams import counting_calls, set_latency
from sandbox.control import SandboxControl

COLD_TTL_S = 0.25
COLD_GAP_S = COLD_TTL_S + 0.1
CRITICAL_PATH_ROUND_TRIPS = 4
SAMPLES = {0: Bound(25, 15.0), 50: Bound(20, 20.0), 100: Bound(15, 20.0), 300: Bound(10, 25.0)}


@dataclass(frozen=True)
class ColdLatency:
    latency_ms: int
    summary: Summary
    failures: dict[str, int]  # reason -> count
    calls_per_sample: tuple[int, ...]  # distinct totals seen; one value when all were cold
    rounds: tuple[int, ...]  # distinct chain lengths seen (none at 0 ms: nothing to tell by)
    gaps_ms: tuple[float, ...]  # median time between rounds beyond the latency, per step

    @property
    def bound_ms(self) -> float:
        return CRITICAL_PATH_ROUND_TRIPS * self.latency_ms

    @property
    def ratio(self) -> float | None:
        return self.summary.p50_ms / self.bound_ms if self.bound_ms else None


async def cold_latencies(client: GraphQLClient, control: SandboxControl) -> list[ColdLatency]:
    await set_latency(control, 0)
    await client.timed(DASHBOARD)  # warm-up: fills the fixed-TTL meters (see above)
    await asyncio.sleep(COLD_GAP_S)
    results = []
    for latency_ms, bound in SAMPLES.items():
        await set_latency(control, latency_ms)
        results.append(await _cold_at(latency_ms, bound, client, control))
    await set_latency(control, 0)
    return results


async def _cold_at(
    latency_ms: int, bound: Bound, client: GraphQLClient, control: SandboxControl
) -> ColdLatency:
    totals: set[int] = set()
    chains: list[Chain] = []

    async def attempt() -> Timed:
        result, calls = await counting_calls(control, lambda: client.timed(DASHBOARD))
        totals.add(calls.total)
        if latency_ms:
            chains.append(chain_of(calls.logged, latency_ms / 1000))
        return result

    run = await sequential(bound, attempt, between=lambda: asyncio.sleep(COLD_GAP_S))
    return ColdLatency(
        latency_ms, Summary.of(run.seconds), run.failure_reasons, tuple(sorted(totals)),
        tuple(sorted({c.length for c in chains})), _median_gaps(chains),
    )  # fmt: skip


def _median_gaps(chains: list[Chain]) -> tuple[float, ...]:
    if not chains:
        return ()
    typical = statistics.mode(c.length for c in chains)
    steps = zip(*(c.gaps_ms for c in chains if c.length == typical), strict=True)
    return tuple(statistics.median(step) for step in steps)
