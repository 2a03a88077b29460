"""Cache lookups as Prometheus series and span attributes, by scope *family*
(`stripe:invoices`, never the customer id that follows): hits, misses, stale serves and
lookups that joined another caller's load (single-flight)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import Counter

from connectors import telemetry

CACHE_LOOKUPS = Counter(
    "portal_cache_lookups",
    "Read-through cache lookups by scope family and result (hit, miss, stale, coalesced).",
    ["family", "result"],
)
MAX_FAMILIES = 64
_families: set[str] = set()


@functools.cache
def _counter(name: str, result: str) -> Any:
    """The labelled child, looked up once: a warm dashboard makes dozens of lookups."""
    return CACHE_LOOKUPS.labels(name, result)


@functools.lru_cache(maxsize=4096)
def family(scope: str) -> str:
    """`stripe:invoices:cus_123` → `stripe:invoices`; `viewer:42` → `viewer`."""
    parts = scope.split(":")
    name = ":".join(p for p in parts[:2] if p and not any(c.isdigit() for c in p)) or "other"
    if name not in _families:
        if len(_families) >= MAX_FAMILIES:
            return "other"
        _families.add(name)
    return name


def looked_up(scope: str, result: str) -> None:
    _counter(family(scope), result).inc()
    tally = telemetry.current_tally()
    if tally is not None:
        tally.cache[result] = tally.cache.get(result, 0) + 1


@contextmanager
def loading(scope: str) -> Iterator[None]:
    """Upstream calls made inside say which cache miss they fill."""
    token = telemetry.cache_lookup.set(family(scope))
    try:
        yield
    finally:
        telemetry.cache_lookup.reset(token)
