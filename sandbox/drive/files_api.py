"""Drive v3 `files` routes: list, get (metadata or `alt=media` bytes), create (metadata only,
or with media on /upload), update (metadata), delete."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from sandbox.drive import listing
from sandbox.drive.content import blob_of
from sandbox.drive.errors import DriveError, bad_request, invalid_value
from sandbox.drive.exchange import (
    file_or_404,
    json_body,
    json_response,
    shallow,
    state_of,
    sub_mask,
)
from sandbox.drive.fields import project
from sandbox.drive.files import StoredFile
from sandbox.drive.metadata import DEFAULT_MIME, check_metadata, new_file
from sandbox.drive.metadata import update_file as update_file_metadata
from sandbox.drive.multipart import MultipartError, parse_multipart
from sandbox.drive.params import boolean, fields_mask, integer
from sandbox.drive.query import QueryError, parse_query
from sandbox.drive.resources import DEFAULT_FILE_MASK, FILE_LIST_SCHEMA, FILE_SCHEMA, render_file
from sandbox.drive.state import ROOT_ALIAS

API = "/drive/v3"
UPLOAD = "/upload/drive/v3"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_CORPORA = {"user", "drive", "domain", "allDrives"}


async def list_files(request: web.Request) -> web.Response:
    state = state_of(request)
    mask = fields_mask(
        request,
        FILE_LIST_SCHEMA,
        {"kind": None, "incompleteSearch": None, "nextPageToken": None,
         "files": DEFAULT_FILE_MASK},
    )  # fmt: skip
    _check_corpora(request)
    q_text = request.query.get("q", "")
    try:
        query = parse_query(q_text, {ROOT_ALIAS: state.root_id})
    except QueryError as exc:
        raise invalid_value("q") from exc
    page_size = integer(request, "pageSize", 100, 1, 1000)
    plan = listing.listing(query, q_text, request.query.get("orderBy"), page_size)
    token = request.query.get("pageToken")
    offset = listing.decode_token(token, plan.fingerprint) if token else 0
    found = listing.page(state, plan, offset)
    file_mask = sub_mask(mask, "files")
    body: dict[str, Any] = {"kind": "drive#fileList", "incompleteSearch": False}
    if found.next_offset is not None:
        body["nextPageToken"] = listing.encode_token(found.next_offset, plan.fingerprint)
    body["files"] = [render_file(f, file_mask) for f in found.files]
    return json_response(project(body, shallow(mask)))


def _check_corpora(request: web.Request) -> None:
    corpora = request.query.get("corpora", "user")
    if any(c not in _CORPORA for c in corpora.split(",")):
        raise invalid_value("corpora")
    drive_id = request.query.get("driveId")
    if drive_id:
        # The sandbox has no shared drives.
        raise DriveError(404, f"Shared drive not found: {drive_id}", "notFound", location="driveId")
    if corpora == "drive":
        raise bad_request("The driveId parameter must be specified if and only if corpora is "
                          "set to drive.", location="driveId")  # fmt: skip
    boolean(request, "supportsAllDrives", False)
    boolean(request, "includeItemsFromAllDrives", False)


async def get_file(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    boolean(request, "supportsAllDrives", False)
    alt = request.query.get("alt", "json")
    file = file_or_404(state, request.match_info["fileId"])
    if alt == "media":
        return await _download(request, file)
    if alt != "json":
        raise invalid_value("alt")
    mask = fields_mask(request, FILE_SCHEMA, DEFAULT_FILE_MASK)
    return json_response(render_file(file, mask))


async def _download(request: web.Request, file: StoredFile) -> web.StreamResponse:
    if not file.has_binary_content:
        raise DriveError(
            403,
            "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
            "fileNotDownloadable",
            location="alt",
        )
    blob = blob_of(file)
    size = blob.size
    status, start, end = 200, 0, size
    requested = request.headers.get("Range")
    if requested:
        status, start, end = _range(requested, size)
    response = web.StreamResponse(status=status)
    response.content_type = file.mime_type
    response.content_length = end - start
    if status == 206:
        response.headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    await response.prepare(request)
    for chunk in blob.iter_range(start, end):
        await response.write(chunk)
    await response.write_eof()
    return response


def _range(header: str, size: int) -> tuple[int, int, int]:
    """(status, start, end exclusive) for a single `bytes=` range."""
    match = _RANGE.fullmatch(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return 200, 0, size
    first, last = match.group(1), match.group(2)
    if first == "":
        start, end = max(0, size - int(last)), size
    else:
        start = int(first)
        end = min(size, int(last) + 1) if last else size
    if start >= size or start >= end:
        raise web.HTTPRequestRangeNotSatisfiable(headers={"Content-Range": f"bytes */{size}"})
    return 206, start, end


async def create_file(request: web.Request) -> web.Response:
    state = state_of(request)
    mask = fields_mask(request, FILE_SCHEMA, DEFAULT_FILE_MASK)
    metadata = check_metadata(await json_body(request, allow_empty=True))
    file = new_file(state, metadata, None, None)
    return json_response(render_file(file, mask))


async def upload_file(request: web.Request) -> web.Response:
    state = state_of(request)
    mask = fields_mask(request, FILE_SCHEMA, DEFAULT_FILE_MASK)
    upload_type = request.query.get("uploadType")
    body = await request.read()
    if upload_type == "multipart":
        metadata, content, media_type = _multipart(request.headers.get("Content-Type", ""), body)
    elif upload_type == "media":
        metadata, content = {}, body
        media_type = request.headers.get("Content-Type", DEFAULT_MIME).split(";")[0].strip()
    elif upload_type == "resumable":
        raise bad_request("The sandbox does not support resumable uploads; use multipart.",
                          location="uploadType")  # fmt: skip
    else:
        raise invalid_value("uploadType")
    file = new_file(state, check_metadata(metadata), content, media_type)
    return json_response(render_file(file, mask))


def _multipart(content_type: str, body: bytes) -> tuple[Any, bytes, str]:
    if not content_type.lower().startswith("multipart/related"):
        raise bad_request("Multipart uploads must be sent as multipart/related.")
    try:
        parts = parse_multipart(content_type, body)
    except MultipartError as exc:
        raise bad_request(f"Malformed multipart body: {exc}") from exc
    if len(parts) != 2 or parts[0].content_type != "application/json":
        raise bad_request(
            "Multipart uploads need exactly two parts: JSON metadata, then the media."
        )
    try:
        metadata = json.loads(parts[0].body or b"{}")
    except ValueError as exc:
        raise bad_request("Invalid JSON payload received in the metadata part.") from exc
    return metadata, parts[1].body, parts[1].content_type


async def update_file(request: web.Request) -> web.Response:
    """files.update without media: rename, describe, (un)trash, star, set properties."""
    state = state_of(request)
    mask = fields_mask(request, FILE_SCHEMA, DEFAULT_FILE_MASK)
    file = file_or_404(state, request.match_info["fileId"])
    changes = check_metadata(await json_body(request, allow_empty=True))
    if "addParents" in request.query or "removeParents" in request.query:
        raise bad_request("The sandbox does not move files between folders.")
    update_file_metadata(state, file, changes)
    return json_response(render_file(file, mask))


async def delete_file(request: web.Request) -> web.Response:
    state = state_of(request)
    file = file_or_404(state, request.match_info["fileId"])
    if file.id == state.root_id or state.children(file.id):
        raise DriveError(403, "The user does not have sufficient permissions for this file.",
                         "insufficientFilePermissions")  # fmt: skip
    state.delete(file)
    return web.Response(status=204)


def add_routes(app: web.Application) -> None:
    app.router.add_get(f"{API}/files", list_files)
    app.router.add_post(f"{API}/files", create_file)
    app.router.add_post(f"{UPLOAD}/files", upload_file)
    app.router.add_get(f"{API}/files/{{fileId}}", get_file)
    app.router.add_patch(f"{API}/files/{{fileId}}", update_file)
    app.router.add_delete(f"{API}/files/{{fileId}}", delete_file)
