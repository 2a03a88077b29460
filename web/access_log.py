"""One structured (JSON) log line per request, on the `portal.access` logger: method, path,
route template, status, duration, request id, trace id (while tracing is on), viewer id,
GraphQL operation name and the number of upstream calls the request made. Never the query
string, headers, cookies, tokens or bodies, and a path's secrets (sign-in link and
invitation tokens) replaced by the name of their parameter: they are credentials, and logs
travel further than the app. `portal-gateway serve` writes the lines to stdout
(web/logging_config.py); a new field is one more entry in `access_record`.

The request id is made here, returned in `X-Request-Id`, and kept in the request's state so
that an internal error can quote it (schema/extensions/errors.py); routes put the viewer's
id there."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.telemetry import RequestTally, current_trace_id, tallying
from schema.extensions.telemetry import OPERATION
from web.routes_of import route_template

log = logging.getLogger("portal.access")

REQUEST_ID = "request_id"
VIEWER_ID = "viewer_id"
# Path parameters that are credentials; their values never reach a log line.
SECRET_PATH_PARAMS = frozenset({"token"})
# Outside any route, a path segment this long may be a token mistyped into a URL.
_LONGEST_LOGGED_SEGMENT = 24


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        state[REQUEST_ID] = request_id = uuid.uuid4().hex
        status = 500  # what the server sends if the app fails before answering

        async def send_logged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-Id"] = request_id
            await send(message)

        try:
            with tallying() as tally:
                await self.app(scope, receive, send_logged)
        finally:
            duration_ms = (time.perf_counter() - started) * 1000
            log.info(json.dumps(access_record(scope, status, duration_ms, tally)))


def access_record(
    scope: Scope, status: int, duration_ms: float, tally: RequestTally
) -> dict[str, Any]:
    state = scope.get("state", {})
    return {
        "method": scope["method"],
        "path": logged_path(scope),
        "status": status,
        "duration_ms": round(duration_ms, 1),
        "request_id": state.get(REQUEST_ID),
        "viewer_id": state.get(VIEWER_ID),
        "trace_id": current_trace_id(),
        "route": route_template(scope),
        "operation": state.get(OPERATION),
        "upstream_calls": tally.upstream_calls,
    }


def logged_path(scope: Scope) -> str:
    """The path with its secret parameters replaced by their names (`{token}`)."""
    template = getattr(scope.get("route"), "path", None)
    if not isinstance(template, str):
        segments = scope["path"].split("/")
        return "/".join(s if len(s) <= _LONGEST_LOGGED_SEGMENT else "{redacted}" for s in segments)
    path = template
    for name, value in scope.get("path_params", {}).items():
        if name not in SECRET_PATH_PARAMS:
            path = path.replace("{" + name + "}", str(value))
    return path
