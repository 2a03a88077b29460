"""Relay pagination: `first` bounds and opaque, signed cursors bound to one connection.

A cursor carries the upstream's own position (a Stripe id, a Zendesk cursor, a Drive page
token, a timestamp) and the name of the connection it came from; its signature makes
forged or transplanted cursors fail with BAD_USER_INPUT instead of reaching an upstream.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

from auth.signing import BadSignature, Signer
from resolvers.request.errors import bad_input

T = TypeVar("T")

MAX_PAGE_SIZE = 100
CURSOR_LIFETIME_S = 7 * 24 * 3600


def page_size(first: int | None, default: int = 10) -> int:
    size = default if first is None else first
    if not 0 <= size <= MAX_PAGE_SIZE:
        raise bad_input(f"`first` must be between 0 and {MAX_PAGE_SIZE}; got {size}.", "first")
    return size


@dataclass(frozen=True)
class Cursors:
    """Signs and reads cursors of one connection (its `scope` names account and filters)."""

    signer: Signer
    scope: str

    def encode(self, position: Any) -> str:
        return self.signer.sign(
            {"s": self.scope, "p": position, "exp": int(time.time()) + CURSOR_LIFETIME_S}
        )

    def decode(self, cursor: str | None) -> Any:
        if cursor is None:
            return None
        try:
            payload = self.signer.unsign(cursor)
        except (BadSignature, TypeError):  # TypeError: hmac refuses non-ASCII text
            raise bad_input("`after` is not a cursor this API gave out, or it expired.",
                            "after") from None  # fmt: skip
        if payload.get("s") != self.scope:
            raise bad_input("`after` is a cursor of another list or filter.", "after")
        return payload.get("p")


@dataclass(frozen=True)
class Edge(Generic[T]):
    """A node and where it stands in its list. The cursor is signed only when a client asks
    for it: most queries never do (the dashboard signed 35 cursors and read one; measured
    in-process, the warm dashboard went from ~5.1 to ~4.9 ms, within noise)."""

    node: T
    cursors: Cursors
    position: Any

    @cached_property
    def cursor(self) -> str:
        return self.cursors.encode(self.position)


@dataclass(frozen=True)
class Page(Generic[T]):
    edges: list[Edge[T]]
    has_next_page: bool
    total_count: int | None = None

    @classmethod
    def empty(cls) -> Page[T]:
        return cls([], False, None)
