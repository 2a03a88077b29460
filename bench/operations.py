"""`python -m bench.operations`: what the operations tooling costs and what a scrape shows.

Two gateway processes on one sandbox, alike but for tracing (off; on, exporting over OTLP
to a local receiver that drops what it gets): warm dashboards at 10 concurrent clients
(throughput, p50, p95, CPU per request); a third with tiny TTLs, for cold ones; then the
per-call cost of the upstream instrumentation with tracing off, and the `portal_*` series
of a scrape of the tracing-off gateway after its run (docs/operations.md quotes them)."""

from __future__ import annotations

import asyncio
import functools
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

from aiohttp import web

from bench.client import GraphQLClient, open_http
from bench.cold import COLD_TTL_S
from bench.gateway_process import CacheTtls, GatewayProcess, start_gateway
from bench.loops import Bound, concurrent, sequential
from bench.queries import DASHBOARD
from bench.run import globex_admin_email
from bench.sandbox_process import start_sandbox
from bench.signin import sign_in
from bench.stats import Summary
from connectors.telemetry import UpstreamCall

WARM = Bound(600, 30.0)
COLD = Bound(40, 30.0)
CLIENTS = 10
TTLS = CacheTtls(cache_s=900.0, viewer_s=900.0)
COLD_TTLS = CacheTtls(cache_s=COLD_TTL_S, viewer_s=COLD_TTL_S)


async def _receiver(stack: AsyncExitStack) -> str:
    async def drop(request: web.Request) -> web.Response:
        await request.read()
        return web.Response()

    app = web.Application()
    app.router.add_post("/v1/traces", drop)
    runner = web.AppRunner(app)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return f"http://127.0.0.1:{port}"


async def _measure(gateway: GatewayProcess, email: str, *, cold: bool = False) -> str:
    """Warm: 10 closed-loop clients. Cold: one request at a time, each after the TTLs ran
    out, so that every one makes all its upstream calls."""
    async with open_http() as http:
        client = GraphQLClient(http, gateway.base_url, await sign_in(http, gateway, email))
        await client.timed(DASHBOARD)  # fills the cache (the cold gateway's expires at once)
        cpu_before = gateway.child.cpu_seconds() or 0.0
        if cold:
            expire = functools.partial(asyncio.sleep, COLD_TTL_S + 0.05)
            run = await sequential(COLD, lambda: client.timed(DASHBOARD), expire)
        else:
            run = await concurrent(CLIENTS, WARM, lambda: client.timed(DASHBOARD))
        cpu = (gateway.child.cpu_seconds() or 0.0) - cpu_before
    summary = Summary.of(run.seconds)
    return (
        f"{gateway.name:12} {run.per_second:6.1f} req/s at {1 if cold else CLIENTS} clients, "
        f"p50 {summary.p50_ms:5.1f} ms, p95 {summary.p95_ms:5.1f} ms, "
        f"{1000 * cpu / max(1, len(run.results)):4.2f} CPU-ms/request, "
        f"{run.failures} failures"
    )


def _instrumentation_cost(calls: int = 100_000) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        call = UpstreamCall("stripe", "GET", "https://api.stripe.com/v1/invoices?customer=cus_1")
        with call.span():
            call.attempt()
            call.sent()
            call.answered(200)
    return (time.perf_counter() - started) / calls * 1e6


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-ops-") as tmp:
        workdir = Path(tmp)
        async with AsyncExitStack() as stack:
            sandbox = await start_sandbox(1, workdir)
            stack.callback(sandbox.stop)
            collector = await _receiver(stack)
            traced_env = {"OTEL_EXPORTER_OTLP_ENDPOINT": collector}
            plain = await start_gateway("tracing-off", sandbox.urls, TTLS, workdir)
            stack.callback(plain.stop)
            traced = await start_gateway("tracing-on", sandbox.urls, TTLS, workdir, traced_env)
            stack.callback(traced.stop)
            cold = await start_gateway("cold", sandbox.urls, COLD_TTLS, workdir)
            stack.callback(cold.stop)
            email = globex_admin_email(1)
            for gateway in (plain, traced):
                print(await _measure(gateway, email), flush=True)
            print(await _measure(cold, email, cold=True), flush=True)
            print(f"upstream instrumentation, tracing off: {_instrumentation_cost():.1f} µs "
                  f"per call (a cold dashboard makes 17)")  # fmt: skip
            async with open_http() as http, http.get(f"{plain.base_url}/metrics") as response:
                scrape = await response.text()
            print("\n/metrics of tracing-off after its run (portal_* series, buckets omitted):")
            for line in scrape.splitlines():
                if line.startswith("portal_") and "_bucket{" not in line:
                    print(line)


if __name__ == "__main__":
    asyncio.run(main())
