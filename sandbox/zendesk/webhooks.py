"""Zendesk's event webhooks for the sandbox's changes (ticket and user events, payloads as
Zendesk's webhook event types reference describes), signed with
`X-Zendesk-Webhook-Signature` = base64 HMAC-SHA256 of timestamp + body under the webhook's
signing secret, and `X-Zendesk-Webhook-Signature-Timestamp` (ISO 8601, UTC)."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sandbox.webhooks import Delivery, Target
from sandbox.zendesk.state import Change, ZendeskState

Json = dict[str, Any]
ACCOUNT_ID = 12514403
EVENT_VERSION = "2022-11-06"
# Ticket and user fields whose change Zendesk reports, and the event type it reports.
_TICKET_EVENTS = {
    "status": "status_changed",
    "priority": "priority_changed",
    "subject": "subject_changed",
    "group_id": "group_assignment_changed",
    "assignee_id": "agent_assignment_changed",
    "tags": "tags_changed",
    "organization_id": "organization_changed",
}
_USER_EVENTS = {"name": "name_changed", "role": "role_changed", "active": "active_changed"}


class Renderer:
    """Event types name what changed, so the renderer keeps the last state it reported."""

    def __init__(self) -> None:
        self._tickets: dict[int, Json] = {}
        self._users: dict[int, Json] = {}

    def start(self, state: ZendeskState) -> None:
        """Notes the seed, which Zendesk would have reported before."""
        self._tickets = copy.deepcopy(state.tickets)
        self._users = copy.deepcopy(state.users)

    def __call__(
        self, state: ZendeskState, changes: Sequence[Change], target: Target | None
    ) -> list[Delivery]:
        events = [event for change in changes for event in self._events(state, change)]
        if target is None:
            return []
        return [_delivery(target, event) for event in events]

    def _events(self, state: ZendeskState, change: Change) -> list[Json]:
        if change.kind == "comment":
            ticket, comment = _comment(state, change.id)
            author = state.users.get(comment.get("author_id") or 0) or {}
            body = {"comment": {"id": str(comment["id"]), "body": comment.get("body"),
                                "is_public": comment.get("public", True),
                                "author": {"id": _text(author.get("id")),
                                           "is_staff": author.get("role") in ("agent", "admin"),
                                           "name": author.get("name")}}}  # fmt: skip
            return [_event("ticket.comment_added", "ticket", ticket, body)]
        if change.kind == "ticket":
            return self._changes_of(
                "ticket", state.tickets[change.id], self._tickets, _TICKET_EVENTS, change
            )
        return self._changes_of("user", state.users[change.id], self._users, _USER_EVENTS, change)

    def _changes_of(
        self, kind: str, record: Json, seen: dict[int, Json], names: dict[str, str], change: Change
    ) -> list[Json]:
        before = seen.get(record["id"])
        seen[record["id"]] = copy.deepcopy(record)
        if change.action == "created" or before is None:
            return [_event(f"{kind}.created", kind, record, {})]
        return [
            _event(f"{kind}.{event}", kind, record,
                   {"current": _text(record.get(name)), "previous": _text(before.get(name))})
            for name, event in names.items() if record.get(name) != before.get(name)
        ]  # fmt: skip


def _comment(state: ZendeskState, comment_id: int) -> tuple[Json, Json]:
    """The ticket a comment is on, and the comment."""
    for ticket_id, comments in state.comments.items():
        for comment in comments:
            if comment["id"] == comment_id:
                return state.tickets[ticket_id], comment
    raise KeyError(comment_id)


def _event(event_type: str, kind: str, record: Json, event: Json) -> Json:
    return {
        "type": f"zen:event-type:{event_type}",
        "account_id": ACCOUNT_ID,
        "id": str(uuid.uuid4()),
        "time": _now(),
        "zendesk_event_version": EVENT_VERSION,
        "subject": f"zen:{kind}:{record['id']}",
        "detail": {k: _text(v) if k.endswith("id") else v for k, v in record.items()},
        "event": event,
    }


def _text(value: Any) -> Any:
    """Zendesk's event payloads give ids as strings."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _delivery(target: Target, event: Json) -> Delivery:
    body = json.dumps(event).encode()
    timestamp = _now()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Zendesk Webhook",
        "X-Zendesk-Webhook-Id": "01SANDBOXWEBHOOK",
        "X-Zendesk-Webhook-Signature": sign(target.secret, timestamp, body),
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
    }
    return Delivery(f"{event['type']} {event['subject']}", target.url, headers, body)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(mac).decode()
