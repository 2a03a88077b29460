"""Stored records as responses: the absolute `url` of each, and the side-loads (`include=`)."""

from __future__ import annotations

from collections.abc import Iterable

from sandbox.zendesk.errors import Json
from sandbox.zendesk.sla import policy_metrics
from sandbox.zendesk.state import ZendeskState

SIDELOADS = ("users", "groups", "organizations")


def with_url(record: Json, base: str, collection: str) -> Json:
    return {"url": f"{base}/api/v2/{collection}/{record['id']}.json", **record}


def includes(raw: str | None) -> set[str]:
    return {part.strip() for part in (raw or "").split(",") if part.strip()}


def tickets(state: ZendeskState, items: Iterable[Json], base: str, include: set[str]) -> list[Json]:
    agents = state.agent_ids() if "slas" in include else set()
    rendered = []
    for ticket in items:
        out = with_url(ticket, base, "tickets")
        if "slas" in include:
            comments = state.comments.get(ticket["id"], [])
            out["slas"] = {"policy_metrics": policy_metrics(ticket, comments, agents)}
        rendered.append(out)
    return rendered


def sideloads(state: ZendeskState, items: list[Json], base: str, include: set[str]) -> Json:
    """The `users`, `groups` and `organizations` arrays a ticket list asked to side-load."""
    out: Json = {}
    if "users" in include:
        ids = {t[k] for t in items for k in ("requester_id", "submitter_id", "assignee_id")}
        out["users"] = _present(state.users, ids, base, "users")
    if "groups" in include:
        out["groups"] = _present(state.groups, {t["group_id"] for t in items}, base, "groups")
    if "organizations" in include:
        ids = {t["organization_id"] for t in items}
        out["organizations"] = _present(state.organizations, ids, base, "organizations")
    return out


def _present(
    store: dict[int, Json], ids: set[int | None], base: str, collection: str
) -> list[Json]:
    present = sorted(i for i in ids if i is not None and i in store)
    return [with_url(store[i], base, collection) for i in present]
