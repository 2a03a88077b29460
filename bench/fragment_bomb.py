"""`python -m bench.fragment_bomb`: how long a fragment-doubling document (issue 11, defect 1)
takes to be answered at 20, 30 and 40 levels, and how long `/healthz` waits meanwhile; then
the same for the costliest documents the limits let through (500 fields of one name, which
the overlapping-fields rule compares pairwise), several at once, each new to the gateway.

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
from typing import Any

import aiohttp

from bench.gateway_process import CacheTtls, start_gateway
from config import sandbox_urls

LEVELS = (20, 30, 40)
GIVE_UP_S = 30.0  # a bomb still unanswered after this counts as "no answer"
HEALTH_EVERY_S = 0.01


def heavy_document(n: int) -> str:
    """Within every limit, yet ~0.1 s of validation CPU; `n` makes it new."""
    return f"# {n}\n{{ " + "__typename " * 497 + "}"


def fragment_bomb(levels: int) -> str:
    """`{ ...F<levels> }` where each fragment spreads the one below it twice: ~2^levels
    expansions to anything that walks fragments where they are spread."""
    fragments = ["fragment F0 on Query { __typename }"]
    fragments += [
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)
    ]
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
    healthz_idle_p50_ms: float


async def _bomb(
    http: aiohttp.ClientSession, base_url: str, document: str
) -> tuple[float | None, int | None, str | None]:
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


async def _health_idle(http: aiohttp.ClientSession, base_url: str) -> list[float]:
    """`/healthz` with nothing else to do (the first answers warm the paths up)."""
    samples = []
    for _ in range(30):
        started = time.perf_counter()
        async with http.get(f"{base_url}/healthz") as response:
            await response.read()
        samples.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(HEALTH_EVERY_S)
    return sorted(samples[10:])


async def _health_while(
    http: aiohttp.ClientSession, base_url: str, running: asyncio.Future[Any]
) -> list[float]:
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


async def measure(levels: int, workdir: Path, copies: int = 1) -> BombFigures:
    """`levels` 0: `copies` heavy documents at once instead of one bomb."""
    gateway = await start_gateway(f"bomb{levels}", sandbox_urls(), CacheTtls(30.0, 60.0), workdir)
    documents = (
        [heavy_document(n) for n in range(copies)] if levels == 0 else [fragment_bomb(levels)]
    )
    try:
        async with aiohttp.ClientSession() as http:
            # Warm both paths first, so that the figures are not the first request's.
            idle = await _health_idle(http, gateway.base_url)
            sent = asyncio.gather(*(_bomb(http, gateway.base_url, d) for d in documents))
            bombs = asyncio.ensure_future(sent)
            samples = await _health_while(http, gateway.base_url, bombs)
            answers = await bombs
    finally:
        gateway.stop()
    ordered = sorted(samples) or [0.0]
    slowest = max(answers, key=lambda a: a[0] if a[0] is not None else float("inf"))
    answer_s, status, code = slowest
    return BombFigures(
        levels,
        len(documents[0].encode()),
        answer_s,
        status,
        code,
        healthz_max_ms=ordered[-1],
        healthz_p50_ms=ordered[len(ordered) // 2],
        healthz_samples=len(samples),
        healthz_idle_p50_ms=idle[len(idle) // 2],
    )


def _row(figures: BombFigures) -> str:
    answer = (
        f"{figures.answer_s * 1000:9.1f} ms"
        if figures.answer_s is not None
        else f"  >{GIVE_UP_S:.0f} s (none)"
    )
    return (
        f"{figures.levels:6} {figures.document_bytes:7} B {answer} "
        f"{figures.status!s:>6} {figures.code!s:>24} "
        f"{figures.healthz_p50_ms:8.1f} {figures.healthz_max_ms:9.1f} "
        f"{figures.healthz_samples:7} {figures.healthz_idle_p50_ms:9.1f}"
    )


async def _main(levels: tuple[int, ...], heavy: int) -> None:
    print(
        "levels   bytes     answer   status                     code  hz p50ms  hz max ms samples"
    )
    with tempfile.TemporaryDirectory() as workdir:
        for level in levels:
            print(_row(await measure(level, Path(workdir))), flush=True)
        if heavy:
            print(f"{heavy} heavy documents at once (levels 0 = heavy; slowest answer shown):")
            print(_row(await measure(0, Path(workdir), heavy)), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fragment_bomb")
    parser.add_argument("--levels", type=int, nargs="+", default=list(LEVELS))
    parser.add_argument("--heavy", type=int, default=8, help="heavy documents at once (0: none)")
    args = parser.parse_args()
    asyncio.run(_main(tuple(args.levels), args.heavy))


if __name__ == "__main__":
    main()
