"""Sequential upstream round trips of one query, read back from the sandbox request logs.

The sandbox logs each request when it answers, `latency` after it arrived. A call that
needed an earlier answer was sent after it, so it is logged at least `latency` after that
answer; calls of one round are logged closer together than that, even when a busy event
loop sends some of them late. Grouping by that gap gives the chain the gateway really ran,
and what it spent between rounds (time on the event loop, not waiting upstream).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

SAME_ROUND = 0.9  # of the latency: below it a call cannot have waited for the round before


@dataclass(frozen=True)
class LoggedCall:
    vendor: str
    path: str
    at: float  # when the sandbox answered, epoch seconds


@dataclass(frozen=True)
class Chain:
    rounds: tuple[tuple[LoggedCall, ...], ...]
    latency_s: float

    @property
    def length(self) -> int:
        return len(self.rounds)

    @property
    def gaps_ms(self) -> tuple[float, ...]:
        """Per step from one round to the next: time beyond the injected latency."""
        starts = [r[0].at for r in self.rounds]
        return tuple((b - a - self.latency_s) * 1000 for a, b in pairwise(starts))


def chain_of(calls: Sequence[LoggedCall], latency_s: float) -> Chain:
    rounds: list[list[LoggedCall]] = []
    for call in sorted(calls, key=lambda c: c.at):
        if rounds and call.at - rounds[-1][0].at < SAME_ROUND * latency_s:
            rounds[-1].append(call)
        else:
            rounds.append([call])
    return Chain(tuple(tuple(r) for r in rounds), latency_s)
