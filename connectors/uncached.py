"""Tells whoever is recording a response (cache/read_log.py) that it read an upstream
directly, not through the read-through cache. Such an answer has no cache scope to be
invalidated by, so a response cache must not keep it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_observer: ContextVar[Callable[[], None] | None] = ContextVar("uncached_call", default=None)


@contextmanager
def observing(callback: Callable[[], None]) -> Iterator[None]:
    """Calls `callback` for every upstream call made in this context outside a cache load."""
    token = _observer.set(callback)
    try:
        yield
    finally:
        _observer.reset(token)


@contextmanager
def through_cache() -> Iterator[None]:
    """Upstream calls made here fill the read-through cache, under a scope: not direct."""
    token = _observer.set(None)
    try:
        yield
    finally:
        _observer.reset(token)


def note_call() -> None:
    callback = _observer.get()
    if callback is not None:
        callback()
