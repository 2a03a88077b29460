"""One structured (JSON) log line per request: method, path, route template, status, duration,
request id, trace id (while tracing is on), viewer id, GraphQL operation name and the number of
upstream calls the request made. Never the query string, headers, cookies, tokens or bodies:
they can hold secrets (magic-link tokens, API tokens) and personal data.

The request id is made here, returned in `X-Request-Id`, and kept in the request's state so
that an internal error can quote it (schema/errors.py); routes put the viewer's id there."""

from __future__ import annotations

import json
import logging
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.telemetry import current_trace_id, tallying
from schema.extensions.telemetry import OPERATION
from web.routes_of import route_template

log = logging.getLogger("portal.access")

REQUEST_ID = "request_id"
VIEWER_ID = "viewer_id"


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
            log.info(
                json.dumps(
                    {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "request_id": request_id,
                        "viewer_id": state.get(VIEWER_ID),
                        "trace_id": current_trace_id(),
                        "route": route_template(scope),
                        "operation": state.get(OPERATION),
                        "upstream_calls": tally.upstream_calls,
                    }
                )
            )
