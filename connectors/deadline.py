"""The deadline of the request being served, carried in a context variable so that every
upstream call below it, however deep, can see how much time is left: every response arrives
within two seconds.

Tasks copy the context they start in, so dataloader batches and `gather_aligned` children
inherit the deadline of the request that started them. Outside a request there is none.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("portal_deadline", default=None)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Runs the block with a deadline `seconds` from now (or the enclosing one, if sooner)."""
    at = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(at if outer is None else min(at, outer))
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the deadline (≤ 0 once passed); None when there is no deadline."""
    at = _deadline.get()
    return None if at is None else at - time.monotonic()
