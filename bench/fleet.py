"""The processes one bench run needs: a small and a large sandbox, and three gateways.

- `warm`: long TTLs on the small sandbox, so warm phases never see an expiry; its first
  dashboard query is also the scale-1 call count (a fresh process: nothing cached).
- `cold`: tiny TTLs on the small sandbox (see bench.cold).
- `large`: long TTLs on the scale-100 sandbox, for the scale-100 call count.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bench.cold import COLD_TTL_S
from bench.gateway_process import CacheTtls, GatewayProcess, start_gateway
from bench.sandbox_process import SandboxProcess, start_sandbox

SMALL_SCALE = 1
LARGE_SCALE = 100
LONG_TTLS = CacheTtls(cache_s=900.0, viewer_s=900.0)
COLD_TTLS = CacheTtls(cache_s=COLD_TTL_S, viewer_s=COLD_TTL_S)

P = TypeVar("P", SandboxProcess, GatewayProcess)


@dataclass(frozen=True)
class Fleet:
    small: SandboxProcess
    large: SandboxProcess
    warm: GatewayProcess
    cold: GatewayProcess
    big: GatewayProcess


async def start_fleet(stack: AsyncExitStack, workdir: Path) -> Fleet:
    """Starts everything at once; `stack` stops each process that started, whatever happens.
    (A start that is cancelled stops its own process.)"""
    async with asyncio.TaskGroup() as group:
        small = group.create_task(_kept(stack, start_sandbox(SMALL_SCALE, workdir)))
        large = group.create_task(_kept(stack, start_sandbox(LARGE_SCALE, workdir)))
    async with asyncio.TaskGroup() as group:
        warm = group.create_task(
            _kept(stack, start_gateway("warm", small.result().urls, LONG_TTLS, workdir))
        )
        cold = group.create_task(
            _kept(stack, start_gateway("cold", small.result().urls, COLD_TTLS, workdir))
        )
        big = group.create_task(
            _kept(stack, start_gateway("large", large.result().urls, LONG_TTLS, workdir))
        )
    return Fleet(small.result(), large.result(), warm.result(), cold.result(), big.result())


async def _kept(stack: AsyncExitStack, starting: Awaitable[P]) -> P:
    process = await starting
    stack.callback(process.stop)
    return process
