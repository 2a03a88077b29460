"""Drive v3 `changes` routes (getStartPageToken, list, watch) and `channels.stop`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from sandbox.drive.errors import DriveError, bad_request, invalid_value
from sandbox.drive.exchange import json_body, json_response, shallow, state_of, sub_mask
from sandbox.drive.fields import Mask, project
from sandbox.drive.params import boolean, change_token, fields_mask, integer
from sandbox.drive.resources import (
    CHANGE_LIST_SCHEMA,
    CHANNEL_SCHEMA,
    DEFAULT_FILE_MASK,
    START_PAGE_TOKEN_SCHEMA,
    render_file,
    rfc3339,
)
from sandbox.drive.state import Change, DriveState

API = "/drive/v3"
# changes.watch channels live at most a week (Drive's limit for change notifications).
_MAX_CHANNEL_LIFE = timedelta(days=7)


async def start_page_token(request: web.Request) -> web.Response:
    state = state_of(request)
    mask = fields_mask(request, START_PAGE_TOKEN_SCHEMA, {"kind": None, "startPageToken": None})
    body = {"kind": "drive#startPageToken", "startPageToken": str(state.next_change)}
    return json_response(project(body, mask))


_DEFAULT_CHANGE_MASK: Mask = {
    **dict.fromkeys(["kind", "type", "changeType", "time", "removed", "fileId"]),
    "file": DEFAULT_FILE_MASK,
}


async def list_changes(request: web.Request) -> web.Response:
    state = state_of(request)
    mask = fields_mask(
        request,
        CHANGE_LIST_SCHEMA,
        {"kind": None, "nextPageToken": None, "newStartPageToken": None,
         "changes": _DEFAULT_CHANGE_MASK},
    )  # fmt: skip
    number = change_token(request, state)
    page_size = integer(request, "pageSize", 100, 1, 1000)
    include_removed = boolean(request, "includeRemoved", True)
    boolean(request, "supportsAllDrives", False)
    boolean(request, "includeItemsFromAllDrives", False)
    wanted = (c for c in state.changes_from(number) if include_removed or not c.removed)
    chosen: list[Change] = []
    following: Change | None = None
    for change in wanted:
        if len(chosen) == page_size:
            following = change
            break
        chosen.append(change)
    change_mask = sub_mask(mask, "changes")
    file_mask = sub_mask(change_mask, "file")
    body: dict[str, Any] = {"kind": "drive#changeList"}
    if following is not None:
        body["nextPageToken"] = str(following.number)
    else:
        body["newStartPageToken"] = str(state.next_change)
    body["changes"] = [
        project(_change_json(state, c, file_mask), shallow(change_mask)) for c in chosen
    ]
    return json_response(project(body, shallow(mask)))


def _change_json(state: DriveState, change: Change, file_mask: Mask | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "drive#change",
        "type": "file",
        "changeType": "file",
        "time": rfc3339(change.time),
        "removed": change.removed,
        "fileId": change.file_id,
    }
    file = state.get(change.file_id)
    if file is not None and not change.removed:
        body["file"] = render_file(file, file_mask)
    return body


async def watch_changes(request: web.Request) -> web.Response:
    state = state_of(request)
    mask = fields_mask(request, CHANNEL_SCHEMA, dict.fromkeys(CHANNEL_SCHEMA))
    number = change_token(request, state)
    channel = await json_body(request, allow_empty=False)
    if not isinstance(channel, dict):
        raise bad_request("Invalid JSON payload received. Expected a Channel.")
    channel_id, address = channel.get("id"), channel.get("address")
    if not channel_id or not isinstance(channel_id, str):
        raise DriveError(400, "Required", "required", location="resource.id")
    if channel.get("type") not in ("web_hook", "webhook"):
        raise invalid_value("resource.type", f"Invalid value for type: {channel.get('type')}")
    if not isinstance(address, str) or not _webhook_address_ok(address):
        raise DriveError(400, f"WebHook callback must be HTTPS: {address}",
                         "push.webhookUrlNotHttps", domain="global")  # fmt: skip
    if channel_id in state.channels:
        raise DriveError(400, f"Channel id {channel_id} not unique", "channelIdNotUnique",
                         domain="push")  # fmt: skip
    longest = int((state.clock.now() + _MAX_CHANNEL_LIFE).timestamp() * 1000)
    expiration = min(longest, int(channel.get("expiration") or longest))
    resource = {
        "kind": "api#channel",
        "id": channel_id,
        "resourceId": f"{state.new_id()[1:28]}",
        "resourceUri": f"https://www.googleapis.com/drive/v3/changes?alt=json&pageToken={number}",
        "expiration": str(expiration),
    }
    if channel.get("token") is not None:
        resource["token"] = str(channel["token"])
    state.channels[channel_id] = {
        **resource,
        "type": channel["type"],
        "address": address,
        "pageToken": str(number),
        "params": channel.get("params") or {},
    }
    return json_response(project(resource, mask))


def _webhook_address_ok(address: str) -> bool:
    """HTTPS, as Drive demands; plain HTTP too for loopback, so a local gateway can listen."""
    parts = urlsplit(address)
    loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
    return parts.scheme == "https" or (parts.scheme == "http" and loopback)


async def stop_channel(request: web.Request) -> web.Response:
    state = state_of(request)
    channel = await json_body(request, allow_empty=False)
    channel_id = channel.get("id") if isinstance(channel, dict) else None
    known = state.channels.get(channel_id) if isinstance(channel_id, str) else None
    if known is None or known["resourceId"] != channel.get("resourceId"):
        raise DriveError(404, f"Channel '{channel_id}' not found for project 'portal-sandbox'",
                         "notFound")  # fmt: skip
    del state.channels[known["id"]]
    return web.Response(status=204)


def add_routes(app: web.Application) -> None:
    app.router.add_get(f"{API}/changes/startPageToken", start_page_token)
    app.router.add_get(f"{API}/changes", list_changes)
    app.router.add_post(f"{API}/changes/watch", watch_changes)
    app.router.add_post(f"{API}/channels/stop", stop_channel)
