"""One odd record fails only itself: a record an upstream sends in a shape we cannot read is
left out of its list and reported (service, vendor id, what was wrong), and the rest of the
list is answered. A whole answer we cannot read is an `UpstreamDataError`, never a bug.

Reports go to the collector of the running request (`collecting()`, a context variable, so
the tasks a request spawns report to it too); outside one they are only logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from connectors.http import SHAPE_ERRORS, UpstreamDataError

__all__ = ["SHAPE_ERRORS", "UpstreamDataError", "collecting", "parse_each", "parse_one"]
T = TypeVar("T")
log = logging.getLogger("portal.upstream_data")


@dataclass(frozen=True)
class SkippedRecord:
    service: str
    vendor_id: str | None
    problem: str
    path: tuple[str | int, ...] = ()  # the GraphQL field being resolved, when known


_collector: ContextVar[list[SkippedRecord] | None] = ContextVar("skipped", default=None)
_path: ContextVar[tuple[str | int, ...]] = ContextVar("skipped_path", default=())


@contextmanager
def collecting() -> Iterator[list[SkippedRecord]]:
    found: list[SkippedRecord] = []
    token = _collector.set(found)
    try:
        yield found
    finally:
        _collector.reset(token)


@contextmanager
def watching() -> Iterator[list[SkippedRecord]]:
    """What is left out inside, seen apart and told to the request's collector too: a cache
    keeps no answer that left a record out, so each read tells of it again."""
    outer = _collector.get()
    found: list[SkippedRecord] = []
    token = _collector.set(found)
    try:
        yield found
    finally:
        _collector.reset(token)
        if outer is not None:
            outer.extend(found)


@contextmanager
def resolving(path: tuple[str | int, ...]) -> Iterator[None]:
    """Names the field whose records are being read, for the reports."""
    token = _path.set(path)
    try:
        yield
    finally:
        _path.reset(token)


def parse_each(
    service: str, raws: Iterable[Any], parse: Callable[[Any], T], id_key: str = "id"
) -> list[T]:
    """Each record `parse` can read; the others are reported and left out."""
    parsed = []
    for raw in raws:
        try:
            parsed.append(parse(raw))
        except SHAPE_ERRORS as exc:
            skipped(service, _vendor_id(raw, id_key), exc)
    return parsed


def parse_one(service: str, raw: Any, parse: Callable[[Any], T], id_key: str = "id") -> T | None:
    """A record read by id: None (as if absent) when it cannot be read, and reported."""
    found = parse_each(service, [raw], parse, id_key)
    return found[0] if found else None


def skipped(service: str, vendor_id: str | None, exc: BaseException) -> None:
    record = SkippedRecord(service, vendor_id, f"{type(exc).__name__}: {exc}", _path.get())
    log.warning("left out an unreadable %s record %s: %s", service, vendor_id, record.problem)
    collector = _collector.get()
    if collector is not None:
        collector.append(record)


def _vendor_id(raw: Any, id_key: str) -> str | None:
    value = raw.get(id_key) if isinstance(raw, Mapping) else getattr(raw, id_key, None)
    return None if value is None else str(value)
