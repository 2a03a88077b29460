"""CPU used during a phase, by the gateway process and by the bench's own client, as shares
of one core: a share near 1.0 means that process was the bottleneck."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bench.processes import ChildProcess

T = TypeVar("T")


@dataclass(frozen=True)
class CpuUse:
    wall_s: float
    gateway_s: float
    client_s: float

    @property
    def gateway_share(self) -> float:
        return self.gateway_s / self.wall_s if self.wall_s else 0.0

    @property
    def client_share(self) -> float:
        return self.client_s / self.wall_s if self.wall_s else 0.0


async def measuring_cpu(
    gateway: ChildProcess, action: Callable[[], Awaitable[T]]
) -> tuple[T, CpuUse]:
    gateway_before, client_before = gateway.cpu_seconds() or 0.0, time.process_time()
    started = time.monotonic()
    result = await action()
    wall = time.monotonic() - started
    gateway_used = (gateway.cpu_seconds() or 0.0) - gateway_before
    return result, CpuUse(wall, gateway_used, time.process_time() - client_before)
