"""Throughput and latency of the warm dashboard under 1, 10 and 50 closed-loop clients,
with the CPU the gateway and the client used meanwhile."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bench.client import GraphQLClient
from bench.cpu import CpuUse, measuring_cpu
from bench.loops import Bound, Run, concurrent
from bench.processes import ChildProcess
from bench.queries import DASHBOARD
from bench.stats import Summary
from bench.upstreams import counting_calls
from sandbox.control import SandboxControl

LEVELS = {1: Bound(150, 15.0), 10: Bound(400, 20.0), 50: Bound(800, 30.0)}


@dataclass(frozen=True)
class Level:
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
    client: GraphQLClient, control: SandboxControl, gateway: ChildProcess
) -> list[Level]:
    await client.timed(DASHBOARD)  # fills the cache
    return [
        await _level(clients, bound, client, control, gateway) for clients, bound in LEVELS.items()
    ]


async def _level(
    clients: int,
    bound: Bound,
    client: GraphQLClient,
    control: SandboxControl,
    gateway: ChildProcess,
) -> Level:
    # Not measured: opens the clients' connections.
    await asyncio.gather(*(client.timed(DASHBOARD) for _ in range(clients)))

    async def load() -> tuple[Run, CpuUse]:
        return await measuring_cpu(
            gateway, lambda: concurrent(clients, bound, lambda: client.timed(DASHBOARD))
        )

    (run, cpu), calls = await counting_calls(control, load)
    return Level(clients, run.per_second, Summary.of(run.seconds), run.failure_reasons, calls.total,
                 cpu)  # fmt: skip
