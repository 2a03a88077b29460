"""Vendor-side changes, as if someone worked in the Drive UI: add a file, trash or restore one.
JSON in and out; every change lands in the change log like an API write."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from sandbox.drive.content import blob_of
from sandbox.drive.errors import DriveError, bad_request, file_not_found
from sandbox.drive.exchange import file_or_404, json_response, state_of
from sandbox.drive.files import PDF_MIME, StoredFile
from sandbox.drive.resources import render_file
from sandbox.drive.seed import DOCUMENT_TYPE


async def add_file(request: web.Request) -> web.Response:
    state = state_of(request)
    body = await _object(request)
    folder_id, name = body.get("folder_id"), body.get("name")
    document_type = body.get("document_type")
    mime_type = body.get("mime_type") or PDF_MIME
    if not isinstance(folder_id, str) or not isinstance(name, str) or not name:
        raise bad_request("folder_id and name are required strings")
    if document_type is not None and not isinstance(document_type, str):
        raise bad_request("document_type must be a string or null")
    padding = body.get("padding")  # filler bytes of a PDF: how big the file is, roughly
    if padding is not None and (not isinstance(padding, int) or padding < 0):
        raise bad_request("padding must be a non-negative integer")
    folder = state.get(folder_id)
    if folder is None or not folder.is_folder:
        raise file_not_found(folder_id, location="folder_id")
    now = state.clock.now()
    file = StoredFile(
        id=state.new_id(),
        name=name,
        mime_type=str(mime_type),
        parents=(folder.id,),
        created_time=now,
        modified_time=now,
        app_properties={DOCUMENT_TYPE: document_type} if document_type else {},
        padding=20_000 + state.id_source.randrange(200_000) if padding is None else padding,
    )
    file.size = blob_of(file).size
    state.add(file)
    return json_response(render_file(file, None), status=201)


async def trash_file(request: web.Request) -> web.Response:
    state = state_of(request)
    file = file_or_404(state, request.match_info["fileId"])
    state.trash(file)
    return json_response(render_file(file, None))


async def untrash_file(request: web.Request) -> web.Response:
    state = state_of(request)
    file = file_or_404(state, request.match_info["fileId"])
    state.untrash(file)
    return json_response(render_file(file, None))


async def list_channels(request: web.Request) -> web.Response:
    return json_response(list(state_of(request).channels.values()))


async def list_change_log(request: web.Request) -> web.Response:
    return json_response(
        [
            {"number": c.number, "kind": c.kind, "file_id": c.file_id, "removed": c.removed}
            for c in state_of(request).change_log
        ]
    )


async def _object(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read() or b"{}")
    except ValueError as exc:
        raise bad_request("body must be JSON") from exc
    if not isinstance(body, dict):
        raise DriveError(400, "body must be a JSON object", "badRequest")
    return body


def add_routes(app: web.Application) -> None:
    app.router.add_post("/_sandbox/files", add_file)
    app.router.add_post("/_sandbox/files/{fileId}/trash", trash_file)
    app.router.add_post("/_sandbox/files/{fileId}/untrash", untrash_file)
    app.router.add_get("/_sandbox/channels", list_channels)
    app.router.add_get("/_sandbox/changes", list_change_log)
