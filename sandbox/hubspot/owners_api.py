"""CRM v3 owners: the portal's users who own records (the CSMs), listed and read by id."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.hubspot.errors import HubSpotError, json_response, not_found
from sandbox.hubspot.inputs import query_int
from sandbox.hubspot.objects_api import state_of

LIST_LIMIT = 500


def add_routes(app: web.Application) -> None:
    app.router.add_get("/crm/v3/owners", list_owners)
    app.router.add_get("/crm/v3/owners/", list_owners)  # the SDK's spelling
    app.router.add_get("/crm/v3/owners/{ownerId}", read_owner)


async def list_owners(request: web.Request) -> web.Response:
    owners = _active(request)
    email = request.query.get("email")
    if email:
        owners = [o for o in owners if o["email"].lower() == email.lower()]
    limit = query_int(request, "limit", 100, LIST_LIMIT)
    start = _offset(request.query.get("after"))
    body: dict[str, Any] = {"results": owners[start : start + limit]}
    if start + limit < len(owners):
        following = str(start + limit)
        link = request.url.update_query(after=following)
        body["paging"] = {"next": {"after": following, "link": str(link)}}
    return json_response(body)


async def read_owner(request: web.Request) -> web.Response:
    owner_id = request.match_info["ownerId"]
    key = "userId" if request.query.get("idProperty") == "userId" else "id"
    owner = next((o for o in _active(request) if str(o[key]) == owner_id), None)
    if owner is None:
        raise not_found("owner", owner_id)
    return json_response(owner)


def _active(request: web.Request) -> list[dict[str, Any]]:
    archived = request.query.get("archived", "false").lower() == "true"
    return [o for o in state_of(request).owners if o["archived"] == archived]


def _offset(after: str | None) -> int:
    if after is None:
        return 0
    if not after.isdigit():
        raise HubSpotError(400, f"Invalid value for after: {after!r}")
    return int(after)
