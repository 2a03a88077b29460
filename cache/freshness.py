"""Which parts of one response were served stale (stale-if-error), told to the client.

The GraphQL layer opens a `StaleReport` per operation; the read-through cache notes each
stale value it serves, with the path of the field being resolved. Values that reach a field
through a dataloader batch are matched by identity when the field takes them
(`note_if_stale`), because the batch runs in the context of whichever field asked first.

Naming every field as it starts (a resolve hook) costs every request (measured: 0.6-0.9 ms
of a 9 ms warm dashboard), so the GraphQL layer does it only while an upstream has failed
recently (`tracking_wanted`). Otherwise the path is found when a stale value is served, by
looking up the stack for the resolver's `info`; that misses values read in tasks a resolver
spawned (`asyncio.gather`), so the first request of an outage may list fewer fields.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

Path = tuple[str | int, ...]


@dataclass
class StaleReport:
    paths: list[Path] = field(default_factory=list)
    scopes: set[str] = field(default_factory=set)
    _values: dict[int, Any] = field(default_factory=dict)  # id → value, kept alive

    def add_path(self, path: Path | None) -> None:
        if path is not None and path not in self.paths:
            self.paths.append(path)


_report: ContextVar[StaleReport | None] = ContextVar("stale_report", default=None)
_field: ContextVar[Path | None] = ContextVar("stale_field", default=None)
_MAX_DEPTH = 60  # frames to look through for a resolver
TRACK_AFTER_OUTAGE_S = 120.0
# When this process last saw an upstream outage: process-wide on purpose, since it decides
# how every following request is executed.
_outage_seen_at = -TRACK_AFTER_OUTAGE_S


def note_outage() -> None:
    global _outage_seen_at
    _outage_seen_at = time.monotonic()


def tracking_wanted() -> bool:
    """Should requests name each field as it resolves? Yes while outages are recent."""
    return time.monotonic() - _outage_seen_at < TRACK_AFTER_OUTAGE_S


@contextmanager
def reporting() -> Iterator[StaleReport]:
    report = StaleReport()
    token = _report.set(report)
    try:
        yield report
    finally:
        _report.reset(token)


@contextmanager
def resolving(path: Path) -> Iterator[None]:
    token = _field.set(path)
    try:
        yield
    finally:
        _field.reset(token)


def note_stale(scope: str, value: Any, *, batched: bool = False) -> None:
    """Called by the cache when it serves `value` past its TTL."""
    report = _report.get()
    if report is None:
        return
    report.scopes.add(scope)
    # Scalars may be shared objects (small ints, interned strings): only records and lists
    # are matched by identity.
    if not isinstance(value, str | int | float | bool | None):
        report._values[id(value)] = value
    if not batched:
        report.add_path(_field.get() or _resolving_path())


def note_if_stale(value: Any) -> None:
    """Called where a field takes a value from a dataloader."""
    report = _report.get()
    if report is not None and report._values and id(value) in report._values:
        report.add_path(_field.get() or _resolving_path())


def _resolving_path() -> Path | None:
    """The path of the innermost field resolver on the stack (its `info` argument)."""
    frame: FrameType | None = sys._getframe(1)
    for _ in range(_MAX_DEPTH):
        if frame is None:
            return None
        path = getattr(frame.f_locals.get("info"), "path", None)
        if path is not None and hasattr(path, "as_list"):
            return tuple(path.as_list())
        frame = frame.f_back
    return None
