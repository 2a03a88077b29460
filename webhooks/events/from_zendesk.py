"""Portal events in a Zendesk event webhook (the ticket event types of Zendesk's webhook
reference)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from webhooks.events import links
from webhooks.events.derived import Derived, Owner
from webhooks.events.types import EventType

_STATUS_WORDS = {"new": "new", "open": "open", "pending": "waiting for your reply",
                 "hold": "on hold", "solved": "solved", "closed": "closed"}  # fmt: skip


def derive(event: Mapping[str, Any]) -> list[Derived]:
    kind = str(event.get("type", "")).removeprefix("zen:event-type:")
    detail = event.get("detail") or {}
    organization = str(detail.get("organization_id") or "")
    ticket_id = str(detail.get("id") or "")
    if not organization or not ticket_id or not event.get("id"):
        return []
    body = event.get("event") or {}
    if kind == "ticket.status_changed":
        status = str(body.get("current") or detail.get("status") or "").lower()
        previous = str(body.get("previous") or "").upper()
        title = f"Ticket #{ticket_id} is now {_STATUS_WORDS.get(status, status)}"
        extra = {"status": status.upper(), "previous": previous}
        return [
            _derived(event, EventType.TICKET_STATUS_CHANGED, organization, detail, title, extra)
        ]
    if kind == "ticket.comment_added":
        comment = body.get("comment") or {}
        author = comment.get("author") or {}
        # Only public replies by agents: internal notes never leave Zendesk, and a member's
        # own comment is no news to the member.
        if comment.get("is_public") is not True or author.get("is_staff") is not True:
            return []
        return [_derived(event, EventType.TICKET_COMMENT_ADDED, organization, detail,
                         f"New reply on ticket #{ticket_id}: {detail.get('subject', '')}",
                         {"comment": {"id": str(comment.get("id") or ""),
                                      "body": str(comment.get("body") or "")}})]  # fmt: skip
    return []


def _derived(
    event: Mapping[str, Any],
    kind: EventType,
    organization: str,
    detail: Mapping[str, Any],
    title: str,
    extra: dict[str, Any],
) -> Derived:
    ticket_id = str(detail["id"])
    return Derived(
        type=kind,
        source="zendesk",
        source_id=str(event["id"]),
        owner=Owner("zendesk_organization_id", organization),
        occurred_at=_time(event.get("time")),
        title=title,
        path=partial(links.ticket, ticket_id=ticket_id),
        data={"ticket": {"id": ticket_id, "subject": detail.get("subject")} | extra},
    )


def _time(value: Any) -> float:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0
