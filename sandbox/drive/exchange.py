"""What every Drive route shares: the state, JSON in and out, partial-response masks."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from sandbox.drive.errors import bad_request, file_not_found
from sandbox.drive.fields import Mask, selects_all
from sandbox.drive.files import StoredFile
from sandbox.drive.state import DriveState
from sandbox.upstream import HOLDER


def state_of(request: web.Request) -> DriveState:
    state: DriveState = request.app[HOLDER].state
    return state


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(body), content_type="application/json", charset="UTF-8"
    )


def file_or_404(state: DriveState, file_id: str) -> StoredFile:
    file = state.get(file_id)
    if file is None:
        raise file_not_found(file_id)
    return file


def sub_mask(mask: Mask | None, name: str) -> Mask | None:
    return None if selects_all(mask) else (mask or {}).get(name)


def shallow(mask: Mask | None) -> Mask | None:
    """`mask` for the envelope only: nested items were already rendered to their masks."""
    return None if selects_all(mask) else dict.fromkeys(mask or {})


async def json_body(request: web.Request, *, allow_empty: bool) -> Any:
    raw = await request.read()
    if not raw.strip():
        if allow_empty:
            return {}
        raise bad_request("Required request body is missing.")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise bad_request("Invalid JSON payload received.") from exc
