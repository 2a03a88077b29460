"""The sandbox's one SLA policy and the `slas` side-load it puts on tickets (`include=slas`).

The policy applies to urgent and high tickets: a first reply and a requester wait time target,
counted from the ticket's creation. Stages follow the ticket: active while new or open,
paused while pending or on hold, achieved once solved (and first reply once an agent replied
publicly); `breach_at` is set only while a metric is active.
"""

from __future__ import annotations

from datetime import timedelta

from sandbox.zendesk.errors import Json
from sandbox.zendesk.state import iso, parse_iso

POLICY_ID = 360_001_000_001
# metric -> minutes, per priority
TARGETS = {
    "urgent": {"first_reply_time": 60, "requester_wait_time": 24 * 60},
    "high": {"first_reply_time": 4 * 60, "requester_wait_time": 72 * 60},
}


def policy_metrics(ticket: Json, comments: list[Json], agent_ids: set[int]) -> list[Json]:
    targets = TARGETS.get(ticket["priority"] or "")
    if targets is None:
        return []
    replied = any(c["public"] and c["author_id"] in agent_ids for c in comments)
    created = parse_iso(ticket["created_at"])
    metrics = []
    for metric, minutes in targets.items():
        stage = _stage(ticket["status"], metric, replied)
        breach_at = iso(created + timedelta(minutes=minutes)) if stage == "active" else None
        metrics.append({"breach_at": breach_at, "stage": stage, "metric": metric, **_span(minutes)})
    return metrics


def _stage(status: str, metric: str, replied: bool) -> str:
    if status in ("solved", "closed") or (metric == "first_reply_time" and replied):
        return "achieved"
    if status in ("pending", "hold") and metric == "requester_wait_time":
        return "paused"
    return "active"


def _span(minutes: int) -> dict[str, int]:
    if minutes % (24 * 60) == 0:
        return {"days": minutes // (24 * 60)}
    if minutes % 60 == 0:
        return {"hours": minutes // 60}
    return {"minutes": minutes}
