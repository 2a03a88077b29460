"""User writes as Zendesk validates them: create, create-or-update (matched by email or
external id), and the end-user a ticket creates for a new requester."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sandbox.zendesk.errors import Json, bad_request, invalid_records
from sandbox.zendesk.records import user_record
from sandbox.zendesk.state import ZendeskState, iso

ROLES = ("end-user", "agent", "admin")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEXT_FIELDS = ("external_id", "phone", "details", "notes")
Problems = dict[str, list[tuple[str, str]]]


def valid_email(email: str) -> bool:
    return bool(_EMAIL.match(email))


def organization_for_email(state: ZendeskState, email: str) -> int | None:
    """The organization whose domain names include the email's domain (Zendesk's mapping)."""
    domain = email.rsplit("@", 1)[-1].casefold()
    for org in state.organizations.values():
        if domain in (d.casefold() for d in org["domain_names"]):
            return int(org["id"])
    return None


def add_end_user(
    state: ZendeskState, name: str, email: str, organization_id: int | None, now: datetime
) -> Json:
    user = user_record(state.new_id("user"), name, email, "end-user", organization_id, now)
    state.save_user(user, [organization_id] if organization_id else [], "created")
    return user


def user_payload(payload: Any) -> Json:
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), dict):
        raise bad_request("param is missing or the value is empty: user", "ParameterMissing")
    user: Json = payload["user"]
    return user


def create_user(state: ZendeskState, payload: Any) -> Json:
    data = user_payload(payload)
    problems: Problems = {}
    fields = _fields(state, data, problems)
    if not fields.get("name"):
        problems["name"] = [("Name: is too short (minimum one character)", "TooShort")]
    email = fields.get("email")
    if email and state.user_by_email(email) is not None:
        problems["email"] = [
            (f"Email: {email} is already being used by another user", "DuplicateValue")
        ]
    if problems:
        raise invalid_records(problems)
    if fields.get("organization_id") is None and email:
        fields["organization_id"] = organization_for_email(state, email)
    now = state.tick()
    user = user_record(
        state.new_id("user"), fields.pop("name"), fields.pop("email", None),
        fields.pop("role", "end-user"), fields.pop("organization_id", None), now,
    )  # fmt: skip
    user.update(fields)
    org_id = user["organization_id"]
    state.save_user(user, [org_id] if org_id else [], "created")
    return user


def create_or_update_user(state: ZendeskState, payload: Any) -> tuple[Json, bool]:
    """The user and whether it was created (201) rather than updated (200)."""
    data = user_payload(payload)
    existing = _existing(state, data)
    if existing is None:
        return create_user(state, payload), True
    problems: Problems = {}
    fields = _fields(state, data, problems)
    if problems:
        raise invalid_records(problems)
    fields.pop("email", None)
    changed = {k: v for k, v in fields.items() if existing.get(k) != v}
    if not changed:
        return existing, False
    updated = {**existing, **changed, "updated_at": iso(state.tick())}
    memberships = list(state.memberships.get(existing["id"], []))
    org_id = updated["organization_id"]
    if org_id is not None and org_id not in memberships:
        memberships.insert(0, org_id)
    state.save_user(updated, memberships, "updated")
    return updated, False


def _existing(state: ZendeskState, data: Json) -> Json | None:
    email, external_id = data.get("email"), data.get("external_id")
    if isinstance(email, str):
        found = state.user_by_email(email)
        if found is not None:
            return found
    if isinstance(external_id, str):
        return next((u for u in state.users.values() if u["external_id"] == external_id), None)
    return None


def _fields(state: ZendeskState, data: Json, problems: Problems) -> Json:
    fields: Json = {}
    if "name" in data:
        name = data["name"]
        if not isinstance(name, str):
            problems["name"] = [("Name: is invalid", "InvalidValue")]
        else:
            fields["name"] = name.strip()
    if data.get("email") is not None:
        email = data["email"]
        if not isinstance(email, str) or not valid_email(email):
            problems["email"] = [(f"Email: {email} is not properly formatted", "InvalidFormat")]
        else:
            fields["email"] = email.strip()
    if "role" in data:
        if data["role"] not in ROLES:
            problems["role"] = [("Role: is invalid", "InvalidValue")]
        else:
            fields["role"] = data["role"]
    if data.get("organization_id") is not None:
        org_id = data["organization_id"]
        if not isinstance(org_id, int) or org_id not in state.organizations:
            problems["organization_id"] = [("Organization: is invalid", "InvalidValue")]
        else:
            fields["organization_id"] = org_id
    for key in _TEXT_FIELDS:
        if key in data:
            if data[key] is not None and not isinstance(data[key], str):
                problems[key] = [(f"{key.capitalize()}: is invalid", "InvalidValue")]
            else:
                fields[key] = data[key]
    if "tags" in data:
        tags = data["tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            problems["tags"] = [("Tags: is invalid", "InvalidValue")]
        else:
            fields["tags"] = [t.lower() for t in tags]
    return fields
