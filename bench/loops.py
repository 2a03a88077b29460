"""Bounded request loops: every loop stops at a request count or a time limit, first reached."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bench.client import Timed

Attempt = Callable[[], Awaitable[Timed]]


@dataclass(frozen=True)
class Bound:
    count: int
    seconds: float


@dataclass(frozen=True)
class Run:
    results: list[Timed]
    elapsed_s: float

    @property
    def seconds(self) -> list[float]:
        return [r.seconds for r in self.results]

    @property
    def failures(self) -> int:
        return sum(not r.ok for r in self.results)

    @property
    def failure_reasons(self) -> dict[str, int]:
        return dict(Counter(r.failure for r in self.results if r.failure is not None))

    @property
    def per_second(self) -> float:
        return len(self.results) / self.elapsed_s if self.elapsed_s else 0.0


async def sequential(
    bound: Bound, attempt: Attempt, between: Callable[[], Awaitable[None]] | None = None
) -> Run:
    """One request at a time; `between` runs after each, outside the timing."""
    results: list[Timed] = []
    started = time.monotonic()
    for _ in range(bound.count):
        if time.monotonic() - started >= bound.seconds:
            break
        results.append(await attempt())
        if between is not None:
            await between()
    return Run(results, time.monotonic() - started)


async def concurrent(clients: int, bound: Bound, attempt: Attempt) -> Run:
    """`clients` closed-loop clients sharing one request budget."""
    results: list[Timed] = []
    remaining = bound.count
    started = time.monotonic()

    async def client() -> None:
        nonlocal remaining
        while remaining > 0 and time.monotonic() - started < bound.seconds:
            remaining -= 1
            results.append(await attempt())

    await asyncio.gather(*(client() for _ in range(clients)))
    return Run(results, time.monotonic() - started)
