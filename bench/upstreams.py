"""The sandbox's admin API as the bench uses it: latency for every vendor, and the calls
each vendor saw. The admin client blocks, so it runs in a worker thread."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bench.rounds import LoggedCall
from sandbox.control import SandboxControl

T = TypeVar("T")


@dataclass(frozen=True)
class Calls:
    vendors: tuple[str, ...]
    logged: tuple[LoggedCall, ...]

    @property
    def per_vendor(self) -> dict[str, int]:
        seen = Counter(c.vendor for c in self.logged)
        return {vendor: seen[vendor] for vendor in self.vendors}

    @property
    def total(self) -> int:
        return len(self.logged)


async def set_latency(control: SandboxControl, latency_ms: float) -> None:
    def patch_all() -> None:
        for vendor in control.vendors.values():
            vendor.set_knobs(latency_ms=latency_ms, jitter_ms=0)

    await asyncio.to_thread(patch_all)


async def counting_calls(
    control: SandboxControl, action: Callable[[], Awaitable[T]]
) -> tuple[T, Calls]:
    """`action()`'s result and the upstream calls made while it ran."""
    await asyncio.to_thread(control.clear_requests)
    result = await action()
    return result, await asyncio.to_thread(_logged, control)


def _logged(control: SandboxControl) -> Calls:
    return Calls(
        tuple(control.vendors),
        tuple(
            LoggedCall(name, entry["path"], float(entry["at"]))
            for name, vendor in control.vendors.items()
            for entry in vendor.call("GET", "/_sandbox/requests")
        ),
    )
