"""One bench run: start the fleet, sign in, measure each budget, print the table, save JSON.

Every loop is bounded by a count and a time limit (see each module); the whole run is
bounded by TOTAL_LIMIT_S as well. All traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import aiohttp

from bench import budgets, report
from bench.calls import dashboard_calls
from bench.client import GraphQLClient, open_http
from bench.cold import cold_latencies
from bench.concurrency import concurrency_levels
from bench.fleet import LONG_TTLS, Fleet, start_fleet
from bench.freshness import freshness
from bench.freshness_rows import freshness_rows
from bench.gateway_process import GatewayProcess
from bench.measurements import Measurements
from bench.queries import TYPENAME
from bench.signin import sign_in
from bench.warm import warm_latency
from bench.workers import worker_scaling
from sandbox.accounts import build_backbone

TOTAL_LIMIT_S = 420.0
GLOBEX = "1004"  # the account that grows with the sandbox's scale


def globex_admin_email(scale: int) -> str:
    admin = build_backbone(scale).people_of(GLOBEX)[0]
    if (admin.role, admin.status) != ("ADMIN", "ACTIVE"):
        raise RuntimeError(f"Globex's first person is {admin.role}/{admin.status}, not an ADMIN")
    return admin.email


class Progress:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def say(self, what: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f} s] {what}", file=sys.stderr, flush=True)


async def measure(
    fleet: Fleet, http: aiohttp.ClientSession, progress: Progress, workdir: Path
) -> Measurements:
    async def client(gateway: GatewayProcess, scale: int) -> GraphQLClient:
        token = await sign_in(http, gateway, globex_admin_email(scale))
        return GraphQLClient(http, gateway.base_url, token)

    warm, cold, big = await asyncio.gather(
        client(fleet.warm, fleet.small.scale), client(fleet.cold, fleet.small.scale),
        client(fleet.big, fleet.large.scale),
    )  # fmt: skip
    progress.say("signed in on each gateway; counting upstream calls")
    calls = [
        await dashboard_calls(fleet.small.scale, warm, fleet.small.control),
        await dashboard_calls(fleet.large.scale, big, fleet.large.control),
    ]
    fleet.big.stop()
    fleet.large.stop()
    progress.say("cold latencies")
    cold_results = await cold_latencies(cold, fleet.small.control)
    fleet.cold.stop()
    progress.say("warm latency")
    warm_result = await warm_latency(warm, fleet.small.control)
    progress.say("concurrent clients")
    levels = await concurrency_levels(warm, fleet.small.control, fleet.warm.child)
    floor = await concurrency_levels(warm, fleet.small.control, fleet.warm.child, TYPENAME)
    rss = fleet.warm.peak_rss_kib()
    fleet.warm.stop()
    progress.say("one worker against two, on Redis")
    scaling = await worker_scaling(
        fleet.small, http, globex_admin_email(fleet.small.scale), LONG_TTLS, workdir
    )
    return Measurements(cold_results, warm_result, calls, levels, floor, rss, scaling)


async def run() -> tuple[Measurements, float]:
    progress = Progress()
    progress.say(f"load average {_load()} before the run")
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as workdir:
        async with asyncio.timeout(TOTAL_LIMIT_S), AsyncExitStack() as stack:
            progress.say("starting 2 sandboxes and 3 gateways")
            fleet = await start_fleet(stack, Path(workdir))
            async with open_http() as http:
                measurements = await measure(fleet, http, progress, Path(workdir))
            progress.say("freshness, with and without webhooks (about 40 s)")
            company = build_backbone(fleet.small.scale).company(GLOBEX)
            email = globex_admin_email(fleet.small.scale)
            fresh = await freshness(fleet.small, company, email, Path(workdir))
            measurements = replace(measurements, freshness=fresh)
            progress.say("done; stopping processes")
    return measurements, time.monotonic() - progress.started


def _load() -> str:
    """The 1-minute load average: above ~0.5 other processes compete with the run."""
    return f"{os.getloadavg()[0]:.2f}"


def payload(m: Measurements, rows: list[budgets.Row], seconds: float) -> dict[str, Any]:
    return {
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "duration_s": round(seconds, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_after": os.getloadavg(),
        },
        "rows": [asdict(r) for r in rows],
        "measurements": asdict(m),
    }


def main() -> None:
    measurements, seconds = asyncio.run(run())
    rows = budgets.rows(measurements) + freshness_rows(measurements.freshness)
    print(report.table(rows))
    path = report.write_json(payload(measurements, rows, seconds))
    print(f"\n{seconds:.0f} s on {os.cpu_count()} CPUs, 1-min load average {_load()} at the end "
          f"(the bench's own processes included); results in {path}", flush=True)  # fmt: skip
