"""Which cache scopes one response was built from, and at which generation.

A response cache (cache/responses.py) may serve an answer again only while none of the
scopes it read has been invalidated since: the read-through cache notes each scope's
generation here as it builds a key, for whichever response is being recorded. A context
variable holds the log, so reads in dataloader batches and spawned tasks note into it too.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from connectors import uncached


@dataclass
class ReadLog:
    generations: dict[str, int] = field(default_factory=dict)  # scope -> generation read
    expires_at: float = float("inf")  # the earliest expiry of any value read (time.time())
    direct_calls: int = 0  # upstream reads outside the read-through cache: no scope tells

    def note_direct_call(self) -> None:
        self.direct_calls += 1

    def note(self, scope: str, generation: int) -> None:
        self.generations.setdefault(scope, generation)

    def note_expiry(self, expires_at: float) -> None:
        self.expires_at = min(self.expires_at, expires_at)

    def ttl_s(self, cap_s: float) -> float:
        """How long an answer built from these reads may be kept: no longer than any of them."""
        return max(0.0, min(cap_s, self.expires_at - time.time()))


_log: ContextVar[ReadLog | None] = ContextVar("read_log", default=None)


@contextmanager
def recording() -> Iterator[ReadLog]:
    log = ReadLog()
    token = _log.set(log)
    try:
        with uncached.observing(log.note_direct_call):
            yield log
    finally:
        _log.reset(token)


def current() -> ReadLog | None:
    return _log.get()


def note_expiry(expires_at: float) -> None:
    """What is being read stops being valid at `expires_at`: an answer holding it must not
    be kept past then."""
    log = _log.get()
    if log is not None:
        log.note_expiry(expires_at)
