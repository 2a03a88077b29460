"""Throughput and latency of one warm query (the dashboard, or `{ __typename }` as the
floor) under 1, 10 and 50 closed-loop clients, with the CPU the gateway and the client used
meanwhile."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bench.client import GraphQLClient
from bench.cpu import CpuUse, measuring_cpu
from bench.loops import Bound, Run, concurrent
from bench.processes import ChildProcess
from bench.queries import DASHBOARD, TYPENAME
from bench.stats import Summary
from bench.upstreams import counting_calls
from sandbox.control import SandboxControl

LEVELS = {1: Bound(150, 15.0), 10: Bound(400, 20.0), 50: Bound(800, 30.0)}


@dataclass(frozen=True)
class Level:
    query: str  # "dashboard" or "__typename"
    clients: int
    requests_per_s: float
    summary: Summary
    failures: dict[str, int]  # reason -> count
    upstream_calls: int
    cpu: CpuUse

    @property
    def gateway_cpu_ms_per_request(self) -> float:
        return self.cpu.gateway_s * 1000 / self.summary.count


async def concurrency_levels(
    client: GraphQLClient,
    control: SandboxControl,
    gateway: ChildProcess,
    query: str = DASHBOARD,
    levels: dict[int, Bound] | None = None,
) -> list[Level]:
    await client.timed(query)  # fills the cache
    return [
        await _level(clients, bound, client, control, gateway, query)
        for clients, bound in (levels or LEVELS).items()
    ]


async def _level(
    clients: int,
    bound: Bound,
    client: GraphQLClient,
    control: SandboxControl,
    gateway: ChildProcess,
    query: str,
) -> Level:
    # Not measured: opens the clients' connections.
    await asyncio.gather(*(client.timed(query) for _ in range(clients)))

    async def load() -> tuple[Run, CpuUse]:
        return await measuring_cpu(
            gateway, lambda: concurrent(clients, bound, lambda: client.timed(query))
        )

    (run, cpu), calls = await counting_calls(control, load)
    name = "__typename" if query == TYPENAME else "dashboard"
    return Level(
        name, clients, run.per_second, Summary.of(run.seconds), run.failure_reasons,
        calls.total, cpu,
    )  # fmt: skip
