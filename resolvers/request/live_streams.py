"""How many live streams (subscriptions) each viewer holds open on this replica, within a
cap. Every event is handed to every open stream, so a client that opened stream after
stream would slow everyone's events: past the cap a new one is refused with RATE_LIMITED,
and the viewer's own streams keep running."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from graphql import GraphQLError

# A portal tab holds two (the bell and a screen); a person with a few tabs and a BI tool
# stay well under this.
MAX_STREAMS_PER_VIEWER = 20


class LiveStreams:
    def __init__(self, per_viewer: int = MAX_STREAMS_PER_VIEWER) -> None:
        self.per_viewer = per_viewer
        self._open: Counter[str] = Counter()

    @contextmanager
    def held_by(self, contact_id: str) -> Iterator[None]:
        if self._open[contact_id] >= self.per_viewer:
            raise GraphQLError(
                f"You have {self.per_viewer} live updates open already: close one first.",
                extensions={"code": "RATE_LIMITED"},
            )
        self._open[contact_id] += 1
        try:
            yield
        finally:
            self._open[contact_id] -= 1
            if not self._open[contact_id]:
                del self._open[contact_id]
