"""Ticket writes as Zendesk validates and records them: create, update (fields and a comment,
each write leaving an audit), and the changes an agent makes, for the admin API."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.zendesk import users
from sandbox.zendesk.errors import Json, bad_request, invalid_record, invalid_records, not_found
from sandbox.zendesk.records import comment_record, ticket_record, via
from sandbox.zendesk.state import PRIORITIES, STATUSES, TICKET_TYPES, ZendeskState, iso

Problems = dict[str, list[tuple[str, str]]]
_TAG_SPLIT = re.compile(r"[\s,]+")
_HTML_TAG = re.compile(r"<[^>]+>")
_FIELD_KEYS = (
    "subject", "status", "priority", "type", "group_id", "assignee_id", "tags", "custom_fields",
    "external_id", "due_at",
)  # fmt: skip


@dataclass(frozen=True)
class _CommentSpec:
    body: str
    html: str | None
    public: bool
    author_id: int | None


def ticket_payload(payload: Any) -> Json:
    if not isinstance(payload, dict) or not isinstance(payload.get("ticket"), dict):
        raise bad_request("param is missing or the value is empty: ticket", "ParameterMissing")
    ticket: Json = payload["ticket"]
    return ticket


# -- create ------------------------------------------------------------------------------


def create_ticket(state: ZendeskState, payload: Any, actor: Json) -> tuple[Json, Json]:
    data = ticket_payload(payload)
    problems: Problems = {}
    comment = _comment_spec(state, _first_comment(data), problems)
    if comment is None or not comment.body.strip():
        problems["description"] = [("Description: cannot be blank", "BlankValue")]
    requester, new_requester = _requester(state, data, actor, problems)
    submitter = _user_ref(state, data, "submitter_id", problems)
    changes = _field_changes(state, data, problems)
    organization_id = _organization(state, data, requester, new_requester, problems)
    if changes.get("status") == "closed":
        problems["status"] = [("Status: closed is not valid for a new ticket", "InvalidValue")]
    if problems or comment is None:
        raise invalid_records(problems)
    now = state.tick()
    if new_requester is not None:
        requester = users.add_end_user(state, *new_requester, organization_id, now)
    assert requester is not None, "no requester without a problem reported"
    # Through the API the submitter, and so the first comment's author, is the requester.
    submitter = submitter or requester
    ticket_id, audit_id = state.new_id("ticket"), state.new_id("audit")
    author_id = comment.author_id or submitter["id"]
    first = _comment_record(state, comment, author_id, audit_id, now)
    ticket = ticket_record(
        ticket_id,
        subject=changes.get("subject"),
        description=first["body"],
        status=changes.get("status") or ("open" if changes.get("assignee_id") else "new"),
        priority=changes.get("priority"),
        ticket_type=changes.get("type"),
        requester_id=requester["id"],
        submitter_id=submitter["id"],
        assignee_id=changes.get("assignee_id"),
        organization_id=organization_id,
        group_id=changes.get("group_id"),
        tags=changes.get("tags", []),
        created_at=now,
        updated_at=now,
        custom_fields=changes.get("custom_fields"),
        external_id=changes.get("external_id"),
        channel="api",
    )
    ticket["due_at"] = changes.get("due_at")
    ticket["is_public"] = comment.public
    state.save_ticket(ticket, "created")
    state.save_comment(ticket_id, first)
    events = [_comment_event(first)] + [
        _event(state, "Create", name, ticket[name])
        for name in ("subject", "status", "priority", "type", "requester_id", "group_id",
                     "assignee_id", "organization_id", "tags")
        if ticket[name] not in (None, [])
    ]  # fmt: skip
    return ticket, _audit(audit_id, ticket_id, actor["id"], now, events)


def _first_comment(data: Json) -> Any:
    if data.get("comment") is None and isinstance(data.get("description"), str):
        return {"body": data["description"]}
    return data.get("comment")


def _requester(
    state: ZendeskState, data: Json, actor: Json, problems: Problems
) -> tuple[Json | None, tuple[str, str] | None]:
    """The requester, or the (name, email) of an end-user to create for it."""
    if data.get("requester_id") is not None:
        return _user_ref(state, data, "requester_id", problems), None
    spec = data.get("requester")
    if spec is None:
        return actor, None
    email = spec.get("email") if isinstance(spec, dict) else None
    if not isinstance(email, str) or not users.valid_email(email):
        problems["requester"] = [("Requester: Email is not properly formatted", "InvalidValue")]
        return None, None
    existing = state.user_by_email(email)
    if existing is not None:
        return existing, None
    name = spec.get("name")
    return None, (name if isinstance(name, str) and name.strip() else email.split("@")[0], email)


def _user_ref(state: ZendeskState, data: Json, key: str, problems: Problems) -> Json | None:
    value = data.get(key)
    if value is None:
        return None
    user = state.users.get(value) if _is_id(value) else None
    if user is None:
        label = key.removesuffix("_id")
        problems[label] = [(f"{label.capitalize()}: is invalid", "InvalidValue")]
    return user


def _organization(
    state: ZendeskState,
    data: Json,
    requester: Json | None,
    new_requester: tuple[str, str] | None,
    problems: Problems,
) -> int | None:
    value = data.get("organization_id")
    if value is None:
        if new_requester is not None:
            return users.organization_for_email(state, new_requester[1])
        return requester["organization_id"] if requester else None
    if not _is_id(value) or value not in state.organizations:
        problems["organization_id"] = [("Organization: is invalid", "InvalidValue")]
    elif requester is not None and value not in state.memberships.get(requester["id"], []):
        problems["organization_id"] = [
            ("Organization: the requester is not a member of this organization", "InvalidValue")
        ]
    return int(value) if _is_id(value) else None


# -- update ------------------------------------------------------------------------------


def update_ticket(
    state: ZendeskState, ticket_id: int, payload: Any, actor: Json, *, may_close: bool = False
) -> tuple[Json, Json]:
    ticket = state.tickets.get(ticket_id)
    if ticket is None:
        raise not_found()
    data = ticket_payload(payload)
    if ticket["status"] == "closed":
        raise invalid_record("status", "Status: closed prevents ticket update", "ClosedPrevents")
    problems: Problems = {}
    changes = _field_changes(state, data, problems)
    comment = _comment_spec(state, data.get("comment"), problems)
    if comment is not None and not comment.body.strip():
        problems["comment"] = [("Comment: body cannot be blank", "BlankValue")]
    if changes.get("status") == "closed" and ticket["status"] != "solved" and not may_close:
        problems["status"] = [("Status: closed is only reachable from solved", "InvalidValue")]
    if problems:
        raise invalid_records(problems)
    author_id = (comment.author_id if comment else None) or actor["id"]
    _implied_changes(state, ticket, changes, comment, author_id, actor)
    effective = {k: v for k, v in changes.items() if ticket[k] != v}
    audit_id = state.new_id("audit")
    if not effective and comment is None:
        return ticket, _audit(audit_id, ticket_id, actor["id"], state.current_time(), [])
    now = state.tick()
    updated = {**ticket, **effective, "updated_at": iso(now)}
    updated["generated_timestamp"] = int(now.timestamp())
    updated["raw_subject"] = updated["subject"]
    updated["fields"] = list(updated["custom_fields"])
    events = [_event(state, "Change", k, v, ticket[k]) for k, v in effective.items()]
    record = None
    if comment is not None:
        record = _comment_record(state, comment, author_id, audit_id, now)
        updated["is_public"] = ticket["is_public"] or comment.public
        events.insert(0, _comment_event(record))
    state.save_ticket(updated, "updated")
    if record is not None:
        state.save_comment(ticket_id, record)
    return updated, _audit(audit_id, ticket_id, actor["id"], now, events)


def _implied_changes(
    state: ZendeskState,
    ticket: Json,
    changes: Json,
    comment: _CommentSpec | None,
    author_id: int,
    actor: Json,
) -> None:
    """What Zendesk's defaults change on their own: a requester's reply reopens a pending or
    solved ticket; an agent who solves an unassigned ticket takes it."""
    author = state.users.get(author_id)
    by_requester = comment is not None and author is not None and author["role"] == "end-user"
    if by_requester and "status" not in changes and ticket["status"] in ("pending", "solved"):
        changes["status"] = "open"
    solving = changes.get("status") == "solved" and "assignee_id" not in changes
    if solving and ticket["assignee_id"] is None and actor["role"] in ("agent", "admin"):
        changes["assignee_id"] = actor["id"]


# -- admin (an agent's changes) ----------------------------------------------------------


def agent_for(state: ZendeskState, ticket: Json) -> Json:
    """The agent an admin change acts as: the assignee, else one of the ticket's group."""
    if ticket["assignee_id"] is not None:
        return state.users[ticket["assignee_id"]]
    group_agents = [
        u
        for u in state.users.values()
        if u["role"] == "agent" and u["default_group_id"] == ticket["group_id"]
    ]
    return group_agents[0] if group_agents else state.users[state.integration_user_id]


def admin_set_status(state: ZendeskState, ticket_id: int, payload: Any) -> Json:
    status = payload.get("status") if isinstance(payload, dict) else None
    if status not in STATUSES:
        raise bad_request(f"status must be one of {', '.join(STATUSES)}")
    ticket = state.tickets.get(ticket_id)
    if ticket is None:
        raise not_found()
    body = {"ticket": {"status": status}}
    updated, _ = update_ticket(state, ticket_id, body, agent_for(state, ticket), may_close=True)
    return updated


def admin_add_comment(state: ZendeskState, ticket_id: int, payload: Any) -> tuple[Json, Json]:
    spec = payload if isinstance(payload, dict) else {}
    body, public, author_id = spec.get("body"), spec.get("public", True), spec.get("author_id")
    if not isinstance(body, str) or not body.strip():
        raise bad_request("body must be a non-empty string")
    if not isinstance(public, bool):
        raise bad_request("public must be true or false")
    if author_id is not None and (not _is_id(author_id) or author_id not in state.users):
        raise bad_request("author_id must be the id of a user")
    ticket = state.tickets.get(ticket_id)
    if ticket is None:
        raise not_found()
    actor = state.users[author_id] if author_id is not None else agent_for(state, ticket)
    comment = {"body": body, "public": public, "author_id": actor["id"]}
    updated, _ = update_ticket(state, ticket_id, {"ticket": {"comment": comment}}, actor)
    return updated, state.comments[ticket_id][-1]


# -- parsing -----------------------------------------------------------------------------


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _field_changes(state: ZendeskState, data: Json, problems: Problems) -> Json:
    changes: Json = {}
    for key in _FIELD_KEYS:
        if key in data:
            try:
                changes[key] = _field_value(state, key, data[key])
            except ValueError as exc:
                problems[key.removesuffix("_id")] = [(str(exc), "InvalidValue")]
    return changes


def _field_value(state: ZendeskState, key: str, value: Any) -> Any:
    label = key.removesuffix("_id").replace("_", " ").capitalize()
    if key in ("subject", "external_id", "due_at"):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{label}: is invalid")
        return value
    if key in ("status", "priority", "type"):
        allowed = {"status": STATUSES, "priority": PRIORITIES, "type": TICKET_TYPES}[key]
        if value is None and key != "status":
            return None
        if value not in allowed:
            raise ValueError(f"{label}: {value} is not valid")
        return value
    if key == "tags":
        return _tags(value)
    if key == "custom_fields":
        return _custom_fields(value)
    if value is None:
        return None
    store = state.groups if key == "group_id" else state.users
    record = store.get(value) if _is_id(value) else None
    if record is None or (key == "assignee_id" and record["role"] == "end-user"):
        raise ValueError(f"{label}: is invalid")
    return value


def _tags(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise ValueError("Tags: must be a list of strings")
    tags: list[str] = []
    for raw in value:
        tags += [t for t in _TAG_SPLIT.split(raw.lower()) if t and t not in tags]
    return tags


def _custom_fields(value: Any) -> list[Json]:
    valid = isinstance(value, list) and all(
        isinstance(f, dict) and _is_id(f.get("id")) for f in value
    )
    if not valid:
        raise ValueError("Custom fields: must be a list of {id, value}")
    return [{"id": f["id"], "value": f.get("value")} for f in value]


def _comment_spec(state: ZendeskState, raw: Any, problems: Problems) -> _CommentSpec | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems["comment"] = [("Comment: is invalid", "InvalidValue")]
        return None
    body, markup = raw.get("body"), raw.get("html_body")
    public, author_id = raw.get("public", True), raw.get("author_id")
    if isinstance(markup, str) and not isinstance(body, str):
        body = html.unescape(_HTML_TAG.sub(" ", markup)).strip()
    if not isinstance(body, str) or not isinstance(public, bool):
        problems["comment"] = [("Comment: is invalid", "InvalidValue")]
        return None
    if author_id is not None and (not _is_id(author_id) or author_id not in state.users):
        problems["comment"] = [("Comment: author is invalid", "InvalidValue")]
        return None
    return _CommentSpec(body, markup if isinstance(markup, str) else None, public, author_id)


# -- records -----------------------------------------------------------------------------


def _comment_record(
    state: ZendeskState, spec: _CommentSpec, author_id: int, audit_id: int, now: datetime
) -> Json:
    record = comment_record(
        state.new_id("comment"), author_id, spec.body,
        public=spec.public, created_at=now, audit_id=audit_id, channel="api",
    )  # fmt: skip
    if spec.html is not None:
        record["html_body"] = spec.html
    return record


def _comment_event(comment: Json) -> Json:
    keys = ("id", "author_id", "body", "html_body", "plain_body", "public", "attachments")
    return {"type": "Comment", "audit_id": comment["audit_id"], **{k: comment[k] for k in keys}}


def _event(
    state: ZendeskState, kind: str, field_name: str, value: Any, previous: Any = None
) -> Json:
    event: Json = {"id": state.new_id("event"), "type": kind, "field_name": field_name}
    event["value"] = value if isinstance(value, list | None) else str(value)
    if kind == "Change":
        event["previous_value"] = previous if isinstance(previous, list | None) else str(previous)
    return event


def _audit(audit_id: int, ticket_id: int, author_id: int, at: datetime, events: list[Json]) -> Json:
    return {
        "id": audit_id,
        "ticket_id": ticket_id,
        "created_at": iso(at),
        "author_id": author_id,
        "metadata": {"system": {}, "custom": {}},
        "via": via("api"),
        "events": events,
    }
