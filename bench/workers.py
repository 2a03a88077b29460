"""One worker process against two, both on the same Redis: warm dashboard throughput at
50 closed-loop clients (the budget: two ≥ 1.6 x one on 2 cores)."""

from __future__ import annotations

import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.client import GraphQLClient
from bench.concurrency import Level, concurrency_levels
from bench.gateway_process import CacheTtls, start_gateway
from bench.loops import Bound
from bench.sandbox_process import SandboxProcess
from bench.signin import sign_in

REDIS_URL = "redis://127.0.0.1:6379/0"
AT_50 = {50: Bound(1500, 20.0)}


@dataclass(frozen=True)
class WorkerScaling:
    one: Level
    two: Level

    @property
    def ratio(self) -> float:
        return self.two.requests_per_s / self.one.requests_per_s


async def worker_scaling(
    sandbox: SandboxProcess, http: aiohttp.ClientSession, email: str, ttls: CacheTtls,
    workdir: Path,
) -> WorkerScaling:  # fmt: skip
    levels = []
    for workers in (1, 2):
        redis = {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}:"}
        async with AsyncExitStack() as stack:
            gateway = await start_gateway(
                f"workers-{workers}", sandbox.urls, ttls, workdir, redis, workers=workers
            )
            stack.callback(gateway.stop)
            client = GraphQLClient(http, gateway.base_url, await sign_in(http, gateway, email))
            [level] = await concurrency_levels(client, sandbox.control, gateway.child, levels=AT_50)
            levels.append(level)
    return WorkerScaling(levels[0], levels[1])
