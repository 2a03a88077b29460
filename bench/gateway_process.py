"""The gateway in a process of its own (`portal-gateway serve --no-sandbox`), pointed at a
sandbox process with the credentials the sandbox accepts."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.command import PORTAL_GATEWAY, child_env
from bench.ports import LOOPBACK, free_port
from bench.processes import ChildFailed, ChildProcess
from config import SANDBOX_CREDENTIALS

START_TIMEOUT_S = 60.0
UNLIMITED = 10**9


@dataclass(frozen=True)
class CacheTtls:
    """PORTAL_CACHE_TTL_S and PORTAL_VIEWER_TTL_S of one gateway process."""

    cache_s: float
    viewer_s: float


@dataclass
class GatewayProcess:
    name: str
    child: ChildProcess
    base_url: str
    outbox: Path
    ttls: CacheTtls

    def stop(self) -> None:
        self.child.stop()

    def peak_rss_kib(self) -> int | None:
        return self.child.peak_rss_kib()


def gateway_settings(
    sandbox_urls: dict[str, str], port: int, outbox: Path, ttls: CacheTtls
) -> dict[str, str]:
    return {
        **SANDBOX_CREDENTIALS,  # its keys are the environment variables' names
        "HUBSPOT_BASE_URL": sandbox_urls["hubspot"],
        "STRIPE_BASE_URL": sandbox_urls["stripe"],
        "ZENDESK_BASE_URL": sandbox_urls["zendesk"],
        "DRIVE_BASE_URL": sandbox_urls["drive"],
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(32),
        "PORTAL_PUBLIC_URL": f"http://{LOOPBACK}:{port}",
        "PORTAL_OUTBOX_DIR": str(outbox),
        "PORTAL_GRAPHIQL": "false",
        "PORTAL_CACHE_TTL_S": repr(ttls.cache_s),
        "PORTAL_VIEWER_TTL_S": repr(ttls.viewer_s),
        # One signed-in client sends thousands of queries a minute here. The limiter still
        # counts every request (its cost is measured); it only never refuses one.
        "PORTAL_RATE_LIMIT_PER_VIEWER": str(UNLIMITED),
        "PORTAL_RATE_LIMIT_PER_IP": str(UNLIMITED),
    }


async def start_gateway(
    name: str, sandbox_urls: dict[str, str], ttls: CacheTtls, workdir: Path,
    extra: Mapping[str, str] | None = None, workers: int = 1,
) -> GatewayProcess:  # fmt: skip
    """`extra`: more settings, e.g. webhook secrets (bench.freshness) or Redis."""
    port = free_port()
    outbox = workdir / f"outbox-{name}"
    settings = {**gateway_settings(sandbox_urls, port, outbox, ttls), **(extra or {})}
    argv = [PORTAL_GATEWAY, "serve", "--no-sandbox", "--host", LOOPBACK, "--port", str(port),
            "--workers", str(workers)]  # fmt: skip
    child = ChildProcess(argv, child_env(settings), workdir / f"gateway-{name}.log")
    gateway = GatewayProcess(name, child, settings["PORTAL_PUBLIC_URL"], outbox, ttls)
    try:
        await _healthy(gateway)
    except BaseException:
        child.stop()
        raise
    return gateway


async def _healthy(gateway: GatewayProcess) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    timeout = aiohttp.ClientTimeout(total=1.0)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        while time.monotonic() < deadline:
            if gateway.child.exited() is not None:
                raise ChildFailed(f"gateway {gateway.name} exited", gateway.child)
            try:
                async with http.get(f"{gateway.base_url}/healthz") as response:
                    if response.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.1)
    raise ChildFailed(f"gateway {gateway.name} not healthy in {START_TIMEOUT_S:.0f} s",
                      gateway.child)  # fmt: skip
