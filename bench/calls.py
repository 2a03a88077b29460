"""Upstream calls of one dashboard query, per vendor, read from the sandbox request logs:
the first query a fresh gateway process answers (nothing cached), then the same query again
(everything cached)."""

from __future__ import annotations

from dataclasses import dataclass

from bench.client import GraphQLClient, Timed
from bench.queries import DASHBOARD
from bench.upstreams import counting_calls
from sandbox.control import SandboxControl


@dataclass(frozen=True)
class DashboardCalls:
    scale: int
    team_size: int | None
    cold: dict[str, int]
    warm: dict[str, int]
    failure: str | None  # of either query

    @property
    def cold_total(self) -> int:
        return sum(self.cold.values())


async def dashboard_calls(
    scale: int, client: GraphQLClient, control: SandboxControl
) -> DashboardCalls:
    first, cold = await counting_calls(control, lambda: client.timed(DASHBOARD))
    again, warm = await counting_calls(control, lambda: client.timed(DASHBOARD))
    failure = first.failure or again.failure
    return DashboardCalls(scale, _team_size(first), cold.per_vendor, warm.per_vendor, failure)


def _team_size(result: Timed) -> int | None:
    try:
        return int(result.body["data"]["viewer"]["account"]["team"]["totalCount"])
    except (KeyError, TypeError, ValueError):
        return None
