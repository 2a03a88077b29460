"""The routes of the Zendesk sandbox: Support API v2 under /api/v2 (each path also answers with
a `.json` suffix, as Zendesk does) and the vendor-side changes under /_sandbox/."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from aiohttp import web

from sandbox.upstream import Handler, StateHolder
from sandbox.zendesk import render, tickets, users
from sandbox.zendesk.errors import (
    Json,
    ZendeskError,
    bad_request,
    not_found,
    search_invalid,
    too_many_values,
    unauthenticated,
)
from sandbox.zendesk.paging import (
    CursorRequest,
    cursor_envelope,
    cursor_window,
    offset_envelope,
    offset_request,
    page_request,
)
from sandbox.zendesk.search import match_users, search, sort_hits
from sandbox.zendesk.state import TICKET_SORTS, SortKey, ZendeskState

MAX_IDS = 100
SEARCH_RESULT_LIMIT = 1000
CURSOR_TICKET_SORTS = ("id", "updated_at", "status")
_TOKEN_USER = re.compile(r"^[^\s/@]+@[^\s/@]+/token$")
_COLLECTION_OF = {"ticket": "tickets", "user": "users", "organization": "organizations",
                  "group": "groups"}  # fmt: skip


def authenticated_email(request: web.Request) -> str:
    """The email of an API-token login, `Basic base64("{email}/token:{token}")`."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise unauthenticated()
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise unauthenticated() from exc
    login, separator, api_token = decoded.partition(":")
    if not separator or not api_token or not _TOKEN_USER.match(login):
        raise unauthenticated()
    return login.removesuffix("/token")


@web.middleware
async def zendesk_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        if request.path.startswith("/api/"):
            authenticated_email(request)
        return await handler(request)
    except ZendeskError as error:
        return web.json_response(error.body, status=error.status)
    except web.HTTPNotFound:
        return web.json_response(
            {"error": "InvalidEndpoint", "description": "Not found"}, status=404
        )


def batch_size(request: web.Request, body: bytes) -> int | None:
    if request.path.removesuffix(".json").endswith("/show_many"):
        raw = request.query.get("ids") or request.query.get("external_ids") or ""
        return len([part for part in raw.split(",") if part.strip()])
    return None


class ZendeskApi:
    def __init__(self, holder: StateHolder[ZendeskState]) -> None:
        self._holder = holder

    @property
    def state(self) -> ZendeskState:
        return self._holder.state

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", "/api/v2/tickets", self.list_tickets),
            ("POST", "/api/v2/tickets", self.create_ticket),
            ("GET", "/api/v2/tickets/show_many", self.show_many_tickets),
            ("GET", r"/api/v2/tickets/{ticket_id:\d+}", self.show_ticket),
            ("PUT", r"/api/v2/tickets/{ticket_id:\d+}", self.update_ticket),
            ("GET", r"/api/v2/tickets/{ticket_id:\d+}/comments", self.list_comments),
            ("GET", r"/api/v2/organizations/{organization_id:\d+}/tickets", self.org_tickets),
            ("GET", "/api/v2/users", self.list_users),
            ("POST", "/api/v2/users", self.create_user),
            ("POST", "/api/v2/users/create_or_update", self.create_or_update_user),
            ("GET", "/api/v2/users/show_many", self.show_many_users),
            ("GET", "/api/v2/users/search", self.search_users),
            ("GET", r"/api/v2/users/{user_id:\d+}", self.show_user),
            ("GET", "/api/v2/organizations", self.list_organizations),
            ("GET", "/api/v2/organizations/show_many", self.show_many_organizations),
            ("GET", r"/api/v2/organizations/{organization_id:\d+}", self.show_organization),
            ("GET", "/api/v2/groups", self.list_groups),
            ("GET", r"/api/v2/groups/{group_id:\d+}", self.show_group),
            ("GET", "/api/v2/search", self.search),
            ("GET", "/api/v2/search/count", self.search_count),
            ("POST", r"/_sandbox/tickets/{ticket_id:\d+}/status", self.admin_status),
            ("POST", r"/_sandbox/tickets/{ticket_id:\d+}/comments", self.admin_comment),
            ("GET", "/_sandbox/changes", self.admin_changes),
        ]

    # -- tickets ---------------------------------------------------------------------------

    async def list_tickets(self, request: web.Request) -> web.Response:
        return self._ticket_list(request, None)

    async def org_tickets(self, request: web.Request) -> web.Response:
        organization_id = _path_id(request, "organization_id")
        if organization_id not in self.state.organizations:
            raise not_found()
        return self._ticket_list(request, organization_id)

    def _ticket_list(self, request: web.Request, organization_id: int | None) -> web.Response:
        state, base = self.state, _base(request)
        field, descending = _ticket_sort(request.query)
        include = render.includes(request.query.get("include"))
        body = _paged(
            request, state.ticket_order(organization_id, field), field, descending, "tickets",
            lambda ids: render.tickets(state, [state.tickets[i] for i in ids], base, include),
        )  # fmt: skip
        body.update(render.sideloads(state, body["tickets"], base, include))
        return _json(body)

    async def show_ticket(self, request: web.Request) -> web.Response:
        state, base = self.state, _base(request)
        ticket = _get(state.tickets, _path_id(request, "ticket_id"))
        include = render.includes(request.query.get("include"))
        body = {"ticket": render.tickets(state, [ticket], base, include)[0]}
        body.update(render.sideloads(state, [ticket], base, include))
        return _json(body)

    async def show_many_tickets(self, request: web.Request) -> web.Response:
        state, base = self.state, _base(request)
        found = [state.tickets[i] for i in _ids(request.query) if i in state.tickets]
        include = render.includes(request.query.get("include"))
        body = {"tickets": render.tickets(state, found, base, include), **_one_page(found)}
        body.update(render.sideloads(state, found, base, include))
        return _json(body)

    async def create_ticket(self, request: web.Request) -> web.Response:
        state = self.state
        payload = await _json_body(request)
        ticket, audit = tickets.create_ticket(state, payload, self._actor(request))
        rendered = render.tickets(state, [ticket], _base(request), set())[0]
        response = _json({"ticket": rendered, "audit": audit}, status=201)
        response.headers["Location"] = rendered["url"]
        return response

    async def update_ticket(self, request: web.Request) -> web.Response:
        state = self.state
        payload = await _json_body(request)
        ticket_id = _path_id(request, "ticket_id")
        ticket, audit = tickets.update_ticket(state, ticket_id, payload, self._actor(request))
        rendered = render.tickets(state, [ticket], _base(request), set())[0]
        return _json({"ticket": rendered, "audit": audit})

    async def list_comments(self, request: web.Request) -> web.Response:
        state = self.state
        ticket_id = _path_id(request, "ticket_id")
        _get(state.tickets, ticket_id)
        by_id = {c["id"]: c for c in state.comments[ticket_id]}
        keys = sorted((c["created_at"], c["id"]) for c in by_id.values())
        descending = _comment_order_descending(request.query)
        body = _paged(
            request, keys, "created_at", descending, "comments", lambda ids: [by_id[i] for i in ids]
        )
        if "users" in render.includes(request.query.get("include")):
            authors = {c["author_id"] for c in body["comments"]}
            body["users"] = [
                render.with_url(state.users[i], _base(request), "users") for i in sorted(authors)
            ]
        return _json(body)

    # -- users -------------------------------------------------------------------------------

    async def list_users(self, request: web.Request) -> web.Response:
        state, base = self.state, _base(request)
        roles = set(request.query.getall("role[]", [])) | set(request.query.getall("role", []))
        ids = sorted(i for i, u in state.users.items() if not roles or u["role"] in roles)
        return _json(self._id_list(request, ids, state.users, base, "users"))

    async def show_user(self, request: web.Request) -> web.Response:
        user = _get(self.state.users, _path_id(request, "user_id"))
        return _json({"user": render.with_url(user, _base(request), "users")})

    async def show_many_users(self, request: web.Request) -> web.Response:
        return _json(self._show_many(request, self.state.users, "users"))

    async def search_users(self, request: web.Request) -> web.Response:
        state, base = self.state, _base(request)
        query, external_id = request.query.get("query"), request.query.get("external_id")
        if external_id:
            found = [u for u in state.users.values() if u["external_id"] == external_id]
        elif query and query.strip():
            found = match_users(state, query)
        else:
            raise bad_request("query or external_id is required", "ParameterMissing")
        found.sort(key=lambda u: int(u["id"]))
        page = offset_request(request.query)
        rows = found[page.start : page.start + page.per_page]
        return _json(
            {
                "users": [render.with_url(u, base, "users") for u in rows],
                **offset_envelope(request.url, len(found), page),
            }
        )

    async def create_user(self, request: web.Request) -> web.Response:
        user = users.create_user(self.state, await _json_body(request))
        return _json({"user": render.with_url(user, _base(request), "users")}, status=201)

    async def create_or_update_user(self, request: web.Request) -> web.Response:
        user, created = users.create_or_update_user(self.state, await _json_body(request))
        body = {"user": render.with_url(user, _base(request), "users")}
        return _json(body, status=201 if created else 200)

    # -- organizations and groups ------------------------------------------------------------

    async def list_organizations(self, request: web.Request) -> web.Response:
        state = self.state
        ids = sorted(state.organizations)
        body = self._id_list(request, ids, state.organizations, _base(request), "organizations")
        return _json(body)

    async def show_organization(self, request: web.Request) -> web.Response:
        org = _get(self.state.organizations, _path_id(request, "organization_id"))
        return _json({"organization": render.with_url(org, _base(request), "organizations")})

    async def show_many_organizations(self, request: web.Request) -> web.Response:
        return _json(self._show_many(request, self.state.organizations, "organizations"))

    async def list_groups(self, request: web.Request) -> web.Response:
        state = self.state
        body = self._id_list(request, sorted(state.groups), state.groups, _base(request), "groups")
        return _json(body)

    async def show_group(self, request: web.Request) -> web.Response:
        group = _get(self.state.groups, _path_id(request, "group_id"))
        return _json({"group": render.with_url(group, _base(request), "groups")})

    # -- search --------------------------------------------------------------------------------

    async def search(self, request: web.Request) -> web.Response:
        state, base = self.state, _base(request)
        query = _search_query(request.query)
        page = offset_request(request.query)
        if page.page * page.per_page > SEARCH_RESULT_LIMIT:
            raise search_invalid(
                "Invalid search: Requested response size was greater than Search Response Limits",
                status=422,
            )
        hits = sort_hits(
            search(state, query), request.query.get("sort_by"), request.query.get("sort_order")
        )
        results = [
            {"result_type": hit.result_type,
             **render.with_url(hit.record, base, _COLLECTION_OF[hit.result_type])}
            for hit in hits[page.start : page.start + page.per_page]
        ]  # fmt: skip
        body = {"results": results, "facets": None}
        body.update(offset_envelope(request.url, len(hits), page))
        return _json(body)

    async def search_count(self, request: web.Request) -> web.Response:
        return _json({"count": len(search(self.state, _search_query(request.query)))})

    # -- admin (vendor-side changes) -----------------------------------------------------------

    async def admin_status(self, request: web.Request) -> web.Response:
        state = self.state
        payload = await _json_body(request)
        ticket = tickets.admin_set_status(state, _path_id(request, "ticket_id"), payload)
        return _json({"ticket": render.tickets(state, [ticket], _base(request), set())[0]})

    async def admin_comment(self, request: web.Request) -> web.Response:
        state = self.state
        payload = await _json_body(request)
        ticket, comment = tickets.admin_add_comment(state, _path_id(request, "ticket_id"), payload)
        rendered = render.tickets(state, [ticket], _base(request), set())[0]
        return _json({"comment": comment, "ticket": rendered}, status=201)

    async def admin_changes(self, request: web.Request) -> web.Response:
        return _json({"changes": [asdict(change) for change in self.state.changes]})

    # -- helpers -------------------------------------------------------------------------------

    def _actor(self, request: web.Request) -> Json:
        state = self.state
        user = state.user_by_email(authenticated_email(request))
        return user if user is not None else state.users[state.integration_user_id]

    def _id_list(
        self, request: web.Request, ids: list[int], store: dict[int, Json], base: str, name: str
    ) -> Json:
        keys = [(i, i) for i in ids]
        return _paged(
            request, keys, "id", False, name,
            lambda page: [render.with_url(store[i], base, name) for i in page],
        )  # fmt: skip

    def _show_many(self, request: web.Request, store: dict[int, Json], name: str) -> Json:
        base = _base(request)
        if "ids" not in request.query and "external_ids" in request.query:
            wanted = _split(request.query["external_ids"])
            found = [r for r in store.values() if r.get("external_id") in wanted]
        else:
            found = [store[i] for i in _ids(request.query) if i in store]
        return {name: [render.with_url(r, base, name) for r in found], **_one_page(found)}


def _paged(
    request: web.Request,
    keys: Sequence[SortKey],
    field: str,
    descending: bool,
    name: str,
    render_ids: Callable[[list[int]], list[Json]],
) -> Json:
    """One page of `keys` (ascending sort keys) under `name`, by cursor or by offset."""
    page = page_request(request.query)
    if isinstance(page, CursorRequest):
        window = cursor_window(keys, field, descending, page)
        body = {name: render_ids([key[1] for key in window.keys])}
        body.update(cursor_envelope(request.url, field, page.size, window))
        return body
    total = len(keys)
    if descending:
        high, low = total - page.start, max(0, total - page.start - page.per_page)
        chosen = list(reversed(keys[low:high])) if high > 0 else []
    else:
        chosen = list(keys[page.start : page.start + page.per_page])
    body = {name: render_ids([key[1] for key in chosen])}
    body.update(offset_envelope(request.url, total, page))
    return body


def _one_page(records: list[Json]) -> Json:
    """The offset-pagination keys of an answer that is a single page (show_many)."""
    return {"next_page": None, "previous_page": None, "count": len(records)}


def _ticket_sort(query: Mapping[str, str]) -> tuple[str, bool]:
    sort = query.get("sort")
    if sort:
        field = sort.removeprefix("-")
        if field not in CURSOR_TICKET_SORTS:
            raise bad_request(f"sort must be one of {', '.join(CURSOR_TICKET_SORTS)}")
        return field, sort.startswith("-")
    field = query.get("sort_by") or "id"
    if field not in TICKET_SORTS:
        raise bad_request(f"sort_by must be one of {', '.join(TICKET_SORTS)}")
    return field, _descending(query)


def _comment_order_descending(query: Mapping[str, str]) -> bool:
    sort = query.get("sort")
    if sort:
        if sort.removeprefix("-") != "created_at":
            raise bad_request("sort must be created_at or -created_at")
        return sort.startswith("-")
    return _descending(query)


def _descending(query: Mapping[str, str]) -> bool:
    order = (query.get("sort_order") or "asc").lower()
    if order not in ("asc", "desc"):
        raise bad_request("sort_order must be asc or desc")
    return order == "desc"


def _search_query(query: Mapping[str, str]) -> str:
    text = query.get("query", "")
    if not text.strip():
        raise search_invalid("Invalid search: query is required")
    return text


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _ids(query: Mapping[str, str]) -> list[int]:
    raw = query.get("ids")
    if raw is None:
        raise bad_request("param is missing or the value is empty: ids", "ParameterMissing")
    parts = _split(raw)
    if len(parts) > MAX_IDS:
        raise too_many_values(MAX_IDS)
    try:
        ids = [int(part) for part in parts]
    except ValueError as exc:
        raise bad_request("ids must be a comma-separated list of integers") from exc
    return list(dict.fromkeys(ids))


def _path_id(request: web.Request, name: str) -> int:
    return int(request.match_info[name])


def _get(store: dict[int, Json], record_id: int) -> Json:
    record = store.get(record_id)
    if record is None:
        raise not_found()
    return record


def _base(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


async def _json_body(request: web.Request) -> Any:
    text = await request.text()
    try:
        return json.loads(text)
    except ValueError as exc:
        raise bad_request("The request body is not valid JSON", "InvalidJSON") from exc


def _json(body: Json, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)
