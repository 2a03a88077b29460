"""`python -m bench.fragment_bomb`: how long a fragment-doubling document (issue 11, defect 1)
takes to be answered at 20, 30 and 40 levels, and how long `/healthz` waits meanwhile.

A fresh gateway process per level (a bomb that is never answered would otherwise keep the
next level's gateway busy); no sandbox is needed, since the document never reaches a resolver.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.gateway_process import CacheTtls, start_gateway
from config import sandbox_urls

LEVELS = (20, 30, 40)
GIVE_UP_S = 30.0  # a bomb still unanswered after this counts as "no answer"
HEALTH_EVERY_S = 0.01


def fragment_bomb(levels: int) -> str:
    """`{ ...F<levels> }` where each fragment spreads the one below it twice: ~2^levels
    expansions to anything that walks fragments where they are spread."""
    fragments = ["fragment F0 on Query { __typename }"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return f"{{ ...F{levels} }} " + " ".join(fragments)


@dataclass(frozen=True)
class BombFigures:
    levels: int
    document_bytes: int
    answer_s: float | None  # None: no answer within GIVE_UP_S
    status: int | None
    code: str | None
    healthz_max_ms: float
    healthz_p50_ms: float
    healthz_samples: int


async def _bomb(http: aiohttp.ClientSession, base_url: str, document: str) -> tuple[float | None, int | None, str | None]:  # fmt: skip
    started = time.perf_counter()
    try:
        async with http.post(
            f"{base_url}/graphql",
            json={"query": document},
            timeout=aiohttp.ClientTimeout(total=GIVE_UP_S),
        ) as response:
            body = await response.text()
    except (TimeoutError, aiohttp.ClientError):
        return None, None, None
    elapsed = time.perf_counter() - started
    try:
        errors = json.loads(body).get("errors") or [{}]
        code = errors[0].get("extensions", {}).get("code")
    except (ValueError, AttributeError):
        code = None
    return elapsed, response.status, code


async def _health_while(http: aiohttp.ClientSession, base_url: str, running: asyncio.Task[object]) -> list[float]:  # fmt: skip
    samples: list[float] = []
    while not running.done():
        started = time.perf_counter()
        try:
            async with http.get(
                f"{base_url}/healthz", timeout=aiohttp.ClientTimeout(total=GIVE_UP_S)
            ) as response:
                await response.read()
        except (TimeoutError, aiohttp.ClientError):
            pass
        samples.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(HEALTH_EVERY_S)
    return samples


async def measure(levels: int, workdir: Path) -> BombFigures:
    gateway = await start_gateway(
        f"bomb{levels}", sandbox_urls(), CacheTtls(30.0, 60.0), workdir
    )
    try:
        document = fragment_bomb(levels)
        async with aiohttp.ClientSession() as http:
            # Warm both paths first, so that the figures are not the first request's.
            async with http.get(f"{gateway.base_url}/healthz") as warm:
                await warm.read()
            bomb = asyncio.create_task(_bomb(http, gateway.base_url, document))
            samples = await _health_while(http, gateway.base_url, bomb)
            answer_s, status, code = await bomb
    finally:
        gateway.stop()
    ordered = sorted(samples) or [0.0]
    return BombFigures(
        levels, len(document.encode()), answer_s, status, code,
        healthz_max_ms=ordered[-1], healthz_p50_ms=ordered[len(ordered) // 2],
        healthz_samples=len(samples),
    )  # fmt: skip


def _row(figures: BombFigures) -> str:
    answer = (
        f"{figures.answer_s * 1000:9.1f} ms"
        if figures.answer_s is not None
        else f"  >{GIVE_UP_S:.0f} s (none)"
    )
    return (
        f"{figures.levels:6} {figures.document_bytes:7} B {answer} "
        f"{figures.status!s:>6} {figures.code!s:>24} "
        f"{figures.healthz_p50_ms:8.1f} {figures.healthz_max_ms:9.1f} {figures.healthz_samples:7}"
    )


async def _main(levels: tuple[int, ...]) -> None:
    print("levels   bytes     answer   status                     code  hz p50ms  hz max ms samples")
    with tempfile.TemporaryDirectory() as workdir:
        for level in levels:
            print(_row(await measure(level, Path(workdir))), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fragment_bomb")
    parser.add_argument("--levels", type=int, nargs="+", default=list(LEVELS))
    args = parser.parse_args()
    asyncio.run(_main(tuple(args.levels)))


if __name__ == "__main__":
    main()
