"""Zendesk Support: tickets of an organization, their comments, users, organizations and
groups, over Zendesk's REST API v2 on aiohttp.

Lists use cursor pagination (`page[size]` ≤ 100); reads by id use `show_many` (≤ 100 ids a
request, chunks sent concurrently) and come back aligned with the ids asked for, None where
Zendesk has no such record. Comments come back public and private alike, each with its
`public` flag: deciding who may see a private note is the resolvers' job, not this module's.
Errors are `UpstreamError`s from `connectors.http`, never None.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

import aiohttp

from connectors.http import JsonService, NotFound, gather_aligned, parse_errors
from connectors.paging import chunks, every

SERVICE = "zendesk"
SHOW_MANY_LIMIT = 100
PAGE_SIZE_LIMIT = 100
TICKET_SORTS = ("id", "-id", "updated_at", "-updated_at", "status", "-status")


@dataclass(frozen=True)
class Ticket:
    id: str
    subject: str
    description: str
    status: str  # new, open, pending, hold, solved, closed
    priority: str | None  # low, normal, high, urgent
    type: str | None  # question, incident, problem, task
    requester_id: str
    organization_id: str | None
    group_id: str | None
    created_at: datetime
    updated_at: datetime
    tags: tuple[str, ...]
    assignee_id: str | None = None
    # The earliest breach time of the SLA metrics now running on the ticket, if any.
    sla_breach_at: datetime | None = None


@dataclass(frozen=True)
class Comment:
    id: str
    author_id: str
    body: str
    html_body: str
    public: bool
    created_at: datetime


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str | None
    organization_id: str | None
    role: str  # end-user, agent, admin


@dataclass(frozen=True)
class Group:
    id: str
    name: str


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    domain_names: tuple[str, ...]


@dataclass(frozen=True)
class TicketPage:
    tickets: tuple[Ticket, ...]
    after_cursor: str | None
    has_more: bool


@dataclass(frozen=True)
class TicketSearchPage:
    tickets: tuple[Ticket, ...]
    count: int
    has_more: bool


# Zendesk orders statuses so that `status<solved` means "not yet solved".
STATUS_ORDER = ("new", "open", "pending", "hold", "solved", "closed")


def service(
    session: aiohttp.ClientSession, base_url: str, email: str, api_token: str
) -> JsonService:
    """The Zendesk service with API-token auth (`{email}/token:{api_token}`)."""
    login = base64.b64encode(f"{email}/token:{api_token}".encode()).decode()
    headers = {"Authorization": f"Basic {login}", "Accept": "application/json"}
    return JsonService(SERVICE, base_url.rstrip("/"), session, headers)


# -- tickets ---------------------------------------------------------------------------------


async def tickets_of_organization(
    http: JsonService,
    organization_id: str,
    *,
    page_size: int,
    after: str | None = None,
    sort: str = "-updated_at",
) -> TicketPage:
    """One cursor page of the organization's tickets; `page_size` is held to Zendesk's 100."""
    if sort not in TICKET_SORTS:
        raise ValueError(f"sort must be one of {', '.join(TICKET_SORTS)}")
    params: dict[str, str | int] = {
        "page[size]": max(1, min(page_size, PAGE_SIZE_LIMIT)),
        "sort": sort,
        "include": "slas",
    }
    if after:
        params["page[after]"] = after
    body = await http.request(
        "GET", f"/api/v2/organizations/{_numeric(organization_id)}/tickets", params=params
    )
    with parse_errors(http.name):
        return TicketPage(
            tickets=tuple(_ticket(t) for t in body["tickets"]),
            after_cursor=body["meta"]["after_cursor"],
            has_more=bool(body["meta"]["has_more"]),
        )


async def search_tickets(
    http: JsonService,
    organization_id: str,
    *,
    statuses: Sequence[str],
    page: int,
    per_page: int,
    requester_email: str | None = None,
) -> TicketSearchPage:
    """One page of the organization's tickets in `statuses` (any, when empty) and, if
    given, requested by `requester_email`, latest update first, through the search API
    (the only ticket list that filters by status or requester)."""
    query = f"type:ticket organization:{_numeric(organization_id)} {status_terms(statuses)}"
    if requester_email:
        query += f" requester:{_search_value(requester_email)}"
    params: dict[str, str | int] = {
        "query": query.strip(),
        "sort_by": "updated_at",
        "sort_order": "desc",
        "page": page,
        "per_page": max(1, min(per_page, PAGE_SIZE_LIMIT)),
    }
    body = await http.request("GET", "/api/v2/search", params=params)
    with parse_errors(http.name):
        return TicketSearchPage(
            tickets=tuple(_ticket(r) for r in body["results"] if r.get("result_type") == "ticket"),
            count=int(body["count"]),
            has_more=body.get("next_page") is not None,
        )


def _search_value(value: str) -> str:
    """A value for a search term, quoted so that spaces or quotes cannot add terms."""
    return '"' + value.replace('"', "") + '"'


def status_terms(statuses: Sequence[str]) -> str:
    """Search terms for "status is one of `statuses`". Terms are ANDed, so a set is said as
    the range from its lowest to its highest status, less the statuses between it skips."""
    wanted = sorted({s for s in statuses if s in STATUS_ORDER}, key=STATUS_ORDER.index)
    if not wanted:
        return ""
    low, high = STATUS_ORDER.index(wanted[0]), STATUS_ORDER.index(wanted[-1])
    skipped = [s for s in STATUS_ORDER[low : high + 1] if s not in wanted]
    terms = [f"status>={wanted[0]}", f"status<={wanted[-1]}", *(f"-status:{s}" for s in skipped)]
    return " ".join(terms)


async def tickets_by_id(http: JsonService, ids: Sequence[str]) -> list[Ticket | None]:
    found = await _show_many(http, "tickets", ids, _ticket, {"include": "slas"})
    return [found.get(i) for i in ids]


async def comments_of_ticket(http: JsonService, ticket_id: str) -> list[Comment]:
    """All the ticket's comments, oldest first, public and private."""
    path = f"/api/v2/tickets/{_numeric(ticket_id)}/comments"
    return await _every_page(http, path, "comments", _comment)


async def create_ticket(
    http: JsonService,
    *,
    subject: str,
    body: str,
    requester_id: str,
    organization_id: str | None = None,
    priority: str | None = None,
    type: str | None = None,
    group_id: str | None = None,
    tags: Sequence[str] = (),
) -> Ticket:
    """A new ticket whose first, public comment is `body`, written by the requester."""
    ticket: dict[str, Any] = {
        "subject": subject,
        "comment": {"body": body, "public": True},
        "requester_id": int(_numeric(requester_id)),
        "priority": priority,
        "type": type,
        "tags": list(tags),
    }
    if organization_id is not None:
        ticket["organization_id"] = int(_numeric(organization_id))
    if group_id is not None:
        ticket["group_id"] = int(_numeric(group_id))
    answer = await http.request("POST", "/api/v2/tickets", json_body={"ticket": ticket})
    with parse_errors(http.name):
        return _ticket(answer["ticket"])


async def add_comment(
    http: JsonService, ticket_id: str, *, body: str, author_id: str, public: bool = True
) -> Ticket:
    """Adds a comment through a ticket update, as Zendesk has it; returns the ticket after."""
    comment = {"body": body, "public": public, "author_id": int(_numeric(author_id))}
    answer = await http.request(
        "PUT", f"/api/v2/tickets/{_numeric(ticket_id)}", json_body={"ticket": {"comment": comment}}
    )
    with parse_errors(http.name):
        return _ticket(answer["ticket"])


# -- users, organizations, groups ------------------------------------------------------------


async def users_by_id(http: JsonService, ids: Sequence[str]) -> list[User | None]:
    found = await _show_many(http, "users", ids, _user)
    return [found.get(i) for i in ids]


async def user_by_email(http: JsonService, email: str) -> User | None:
    body = await http.request("GET", "/api/v2/users/search", params={"query": f"email:{email}"})
    with parse_errors(http.name):
        users = [_user(u) for u in body["users"]]
    return next((u for u in users if (u.email or "").casefold() == email.casefold()), None)


async def create_user(
    http: JsonService, *, name: str, email: str, organization_id: str | None = None
) -> User:
    """A new end user (a client's member who never wrote to support before)."""
    user: dict[str, Any] = {"name": name, "email": email, "role": "end-user"}
    if organization_id is not None:
        user["organization_id"] = int(_numeric(organization_id))
    answer = await http.request("POST", "/api/v2/users", json_body={"user": user})
    with parse_errors(http.name):
        return _user(answer["user"])


async def organizations_by_id(http: JsonService, ids: Sequence[str]) -> list[Organization | None]:
    found = await _show_many(http, "organizations", ids, _organization)
    return [found.get(i) for i in ids]


async def all_groups(http: JsonService) -> list[Group]:
    return await _every_page(http, "/api/v2/groups", "groups", _group)


async def groups_by_id(http: JsonService, ids: Sequence[str]) -> list[Group | None]:
    """From the one list of groups (an account has few; callers cache the answer)."""
    by_id = {g.id: g for g in await all_groups(http)}
    return [by_id.get(i) for i in ids]


# -- reading ---------------------------------------------------------------------------------


class _Record(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_Record)


async def _show_many(
    http: JsonService,
    collection: str,
    ids: Sequence[str],
    parse: Callable[[Mapping[str, Any]], R],
    extra: Mapping[str, str] | None = None,
) -> dict[str, R]:
    # A non-numeric id names no Zendesk record; asking for it would only earn a 400.
    wanted = list(dict.fromkeys(i for i in ids if i.isdigit()))

    async def fetch(chunk: list[str]) -> list[R]:
        params = {"ids": ",".join(chunk), **(extra or {})}
        body = await http.request("GET", f"/api/v2/{collection}/show_many", params=params)
        with parse_errors(http.name):
            return [parse(record) for record in body[collection]]

    batches = chunks(wanted, SHOW_MANY_LIMIT)
    pages: list[list[R]] = await gather_aligned(*(fetch(chunk) for chunk in batches))
    return {record.id: record for page in pages for record in page}


async def _every_page(
    http: JsonService, path: str, collection: str, parse: Callable[[Mapping[str, Any]], R]
) -> list[R]:
    """Every record of a cursor-paginated list, 100 a page, in Zendesk's order."""

    async def read(after: str | None) -> tuple[list[R], str | None]:
        params: dict[str, str | int] = {"page[size]": PAGE_SIZE_LIMIT}
        if after is not None:
            params["page[after]"] = after
        body = await http.request("GET", path, params=params)
        with parse_errors(http.name):
            return [parse(record) for record in body[collection]], _next_cursor(body)

    return await every(read)


def _next_cursor(body: Mapping[str, Any]) -> str | None:
    """The cursor of the next page, None on the last one."""
    if not body["meta"]["has_more"]:
        return None
    cursor = body["meta"]["after_cursor"]
    if not isinstance(cursor, str) or not cursor:
        raise ValueError("has_more without an after_cursor")
    return cursor


def _ticket(raw: Mapping[str, Any]) -> Ticket:
    return Ticket(
        id=str(raw["id"]),
        subject=raw["subject"] or "",
        description=raw["description"] or "",
        status=raw["status"],
        priority=raw["priority"],
        type=raw["type"],
        requester_id=str(raw["requester_id"]),
        organization_id=_optional_id(raw["organization_id"]),
        group_id=_optional_id(raw["group_id"]),
        created_at=_time(raw["created_at"]),
        updated_at=_time(raw["updated_at"]),
        tags=tuple(raw["tags"]),
        assignee_id=_optional_id(raw.get("assignee_id")),
        sla_breach_at=_sla_breach_at(raw.get("slas")),
    )


def _sla_breach_at(slas: Mapping[str, Any] | None) -> datetime | None:
    metrics = (slas or {}).get("policy_metrics") or []
    running = [_time(m["breach_at"]) for m in metrics if m.get("breach_at")]
    return min(running, default=None)


def _comment(raw: Mapping[str, Any]) -> Comment:
    return Comment(
        id=str(raw["id"]),
        author_id=str(raw["author_id"]),
        body=raw["body"],
        html_body=raw["html_body"],
        public=bool(raw["public"]),
        created_at=_time(raw["created_at"]),
    )


def _user(raw: Mapping[str, Any]) -> User:
    return User(
        id=str(raw["id"]),
        name=raw["name"],
        email=raw.get("email"),
        organization_id=_optional_id(raw.get("organization_id")),
        role=raw["role"],
    )


def _organization(raw: Mapping[str, Any]) -> Organization:
    return Organization(
        id=str(raw["id"]), name=raw["name"], domain_names=tuple(raw.get("domain_names") or ())
    )


def _group(raw: Mapping[str, Any]) -> Group:
    return Group(id=str(raw["id"]), name=raw["name"])


def _optional_id(value: Any) -> str | None:
    return None if value is None else str(value)


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _numeric(record_id: str) -> str:
    """Zendesk ids are integers: no record has any other id (and it must not reach a path)."""
    if not record_id.isdigit():
        raise NotFound(SERVICE, f"not a Zendesk id: {record_id!r}")
    return record_id
