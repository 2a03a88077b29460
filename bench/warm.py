"""Warm dashboard latency beside a trivial `{ __typename }` on the same server, sent
alternately with the same bearer token, so both pay the same HTTP, auth and context costs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bench.client import GraphQLClient, Timed
from bench.loops import Bound, Run, sequential
from bench.queries import DASHBOARD, TYPENAME
from bench.stats import Summary
from bench.upstreams import counting_calls
from sandbox.control import SandboxControl

PAIRS = Bound(150, 25.0)


@dataclass(frozen=True)
class WarmLatency:
    dashboard: Summary
    typename: Summary
    failures: dict[str, int]  # reason -> count, of both queries
    upstream_calls: int  # during the measured pairs; 0 when every read came from the cache

    @property
    def ratio(self) -> float:
        return self.dashboard.p50_ms / self.typename.p50_ms


async def warm_latency(client: GraphQLClient, control: SandboxControl) -> WarmLatency:
    await client.timed(DASHBOARD)  # fills the cache
    typename: list[Timed] = []

    async def pair() -> Timed:
        typename.append(await client.timed(TYPENAME))
        return await client.timed(DASHBOARD)

    run, calls = await counting_calls(control, lambda: sequential(PAIRS, pair))
    baseline = Run(typename, run.elapsed_s)
    return WarmLatency(
        Summary.of(run.seconds), Summary.of(baseline.seconds),
        dict(Counter(run.failure_reasons) + Counter(baseline.failure_reasons)), calls.total,
    )  # fmt: skip
