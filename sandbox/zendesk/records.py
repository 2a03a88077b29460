"""Builders of the records as Zendesk stores and returns them (without `url`, which depends on
the host the request came to; see `render`)."""

from __future__ import annotations

import html
from datetime import datetime

from sandbox.zendesk.errors import Json
from sandbox.zendesk.state import iso

BRAND_ID = 360_009_000_001


def via(channel: str) -> Json:
    return {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}}


def organization_record(
    organization_id: int, name: str, domain_names: list[str], created_at: datetime
) -> Json:
    return {
        "id": organization_id,
        "name": name,
        "shared_tickets": False,
        "shared_comments": False,
        "external_id": None,
        "created_at": iso(created_at),
        "updated_at": iso(created_at),
        "domain_names": domain_names,
        "details": "",
        "notes": "",
        "group_id": None,
        "tags": [],
        "organization_fields": {},
    }


def user_record(
    user_id: int,
    name: str,
    email: str | None,
    role: str,
    organization_id: int | None,
    created_at: datetime,
) -> Json:
    return {
        "id": user_id,
        "name": name,
        "email": email,
        "created_at": iso(created_at),
        "updated_at": iso(created_at),
        "time_zone": "UTC",
        "iana_time_zone": "Etc/UTC",
        "phone": None,
        "shared_phone_number": None,
        "photo": None,
        "locale_id": 1,
        "locale": "en-US",
        "organization_id": organization_id,
        "role": role,
        "verified": True,
        "external_id": None,
        "tags": [],
        "alias": "",
        "active": True,
        "shared": False,
        "shared_agent": False,
        "last_login_at": None,
        "two_factor_auth_enabled": None,
        "signature": None,
        "details": "",
        "notes": "",
        "role_type": None,
        "custom_role_id": None,
        "moderator": role != "end-user",
        "ticket_restriction": "requested" if role == "end-user" else None,
        "only_private_comments": False,
        "restricted_agent": role == "end-user",
        "suspended": False,
        "default_group_id": None,
        "report_csv": role != "end-user",
        "user_fields": {},
    }


def html_body(body: str) -> str:
    paragraphs = [p for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    inner = "".join(
        '<p dir="auto">' + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
    return f'<div class="zd-comment" dir="auto">{inner}</div>'


def comment_record(
    comment_id: int,
    author_id: int,
    body: str,
    *,
    public: bool,
    created_at: datetime,
    audit_id: int,
    channel: str = "web",
) -> Json:
    return {
        "id": comment_id,
        "type": "Comment",
        "author_id": author_id,
        "body": body,
        "html_body": html_body(body),
        "plain_body": body,
        "public": public,
        "attachments": [],
        "audit_id": audit_id,
        "via": via(channel),
        "created_at": iso(created_at),
        "metadata": {"system": {}, "custom": {}},
    }


def ticket_record(
    ticket_id: int,
    *,
    subject: str | None,
    description: str,
    status: str,
    priority: str | None,
    ticket_type: str | None,
    requester_id: int,
    submitter_id: int,
    assignee_id: int | None,
    organization_id: int | None,
    group_id: int | None,
    tags: list[str],
    created_at: datetime,
    updated_at: datetime,
    custom_fields: list[Json] | None = None,
    external_id: str | None = None,
    channel: str = "web",
) -> Json:
    fields = custom_fields or []
    return {
        "id": ticket_id,
        "external_id": external_id,
        "via": via(channel),
        "created_at": iso(created_at),
        "updated_at": iso(updated_at),
        "generated_timestamp": int(updated_at.timestamp()),
        "type": ticket_type,
        "subject": subject,
        "raw_subject": subject,
        "description": description,
        "priority": priority,
        "status": status,
        "recipient": None,
        "requester_id": requester_id,
        "submitter_id": submitter_id,
        "assignee_id": assignee_id,
        "organization_id": organization_id,
        "group_id": group_id,
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "forum_topic_id": None,
        "problem_id": None,
        "has_incidents": False,
        "is_public": True,
        "due_at": None,
        "tags": tags,
        "custom_fields": fields,
        "satisfaction_rating": None,
        "sharing_agreement_ids": [],
        "fields": list(fields),
        "followup_ids": [],
        "ticket_form_id": None,
        "brand_id": BRAND_ID,
        "allow_channelback": False,
        "allow_attachments": True,
        "from_messaging_channel": False,
    }
