"""The HubSpot sandbox app: the shared knobs and log, bearer auth, HubSpot's error bodies and
rate-limit headers in front of the objects, associations, owners and admin routes."""

from __future__ import annotations

import json
import logging
import time

from aiohttp import web

from sandbox.accounts import Backbone
from sandbox.hubspot import admin_api, associations_api, objects_api, owners_api
from sandbox.hubspot.errors import HubSpotError, error_body
from sandbox.hubspot.seed import build_state
from sandbox.hubspot.state import State
from sandbox.hubspot.webhooks import render as render_webhooks
from sandbox.upstream import ADMIN_PREFIX, Handler, Knobs, StateHolder, vendor_app
from sandbox.webhooks import attach as attach_webhooks

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "pat-"
MISSING_CREDENTIALS = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and "
    "you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
# A Professional portal's private app: 190 requests per 10 s, 625,000 a day.
DAILY_LIMIT = 625_000
BURST_LIMIT = 190
BURST_WINDOW_S = 10.0
_BATCH_SUFFIXES = ("/batch/read", "/batch/create", "/batch/update", "/batch/archive")


def create_app(backbone: Backbone, knobs: Knobs) -> web.Application:
    holder: StateHolder[State] = StateHolder(lambda: build_state(backbone))
    app = vendor_app(holder=holder, error_body=error_body, batch_size=batch_size, knobs=knobs)
    app.middlewares.append(hubspot_front)
    app.on_response_prepare.append(RateLimitHeaders(holder, knobs))
    objects_api.add_routes(app)
    associations_api.add_routes(app)
    owners_api.add_routes(app)
    admin_api.add_routes(app)
    attach_webhooks(app, holder, lambda state: state.changes, render_webhooks)
    return app


def batch_size(request: web.Request, body: bytes) -> int | None:
    """How many records a batch request names (objects ≤100, associations ≤1000)."""
    if request.method != "POST" or not request.path.endswith(_BATCH_SUFFIXES):
        return None
    try:
        inputs = json.loads(body).get("inputs")
    except (ValueError, AttributeError):
        return None
    return len(inputs) if isinstance(inputs, list) else None


@web.middleware
async def hubspot_front(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        if not request.path.startswith(ADMIN_PREFIX):
            _authenticate(request)
        return await handler(request)
    except HubSpotError as error:
        return error.response()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return HubSpotError(exc.status, exc.reason).response()
    except Exception:
        # A bug in the sandbox: answer as HubSpot would, and say so in the log.
        logger.exception("HubSpot sandbox failed on %s %s", request.method, request.path)
        return HubSpotError(500, "internal error").response()


def _authenticate(request: web.Request) -> None:
    """Any bearer token shaped like a private app's access token (`pat-...`) is accepted."""
    header = request.headers.get("Authorization", "")
    if not header:
        raise HubSpotError(401, MISSING_CREDENTIALS)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        raise HubSpotError(401, "The access token provided is invalid or has been revoked.")


class RateLimitHeaders:
    """Adds HubSpot's X-HubSpot-RateLimit-* headers, counting requests since the last reset."""

    def __init__(self, holder: StateHolder[State], knobs: Knobs) -> None:
        self._holder, self._knobs = holder, knobs
        self._counted_for: State | None = None
        self._window_started = time.monotonic()
        self._in_window = self._today = 0

    async def __call__(self, request: web.Request, response: web.StreamResponse) -> None:
        # HubSpot leaves these headers off search responses, which have their own limit.
        if request.path.startswith(ADMIN_PREFIX) or request.path.endswith("/search"):
            return
        limited = self._knobs.rate_limit is not None
        burst = self._knobs.rate_limit if self._knobs.rate_limit is not None else BURST_LIMIT
        window_s = self._knobs.rate_window_s if limited else BURST_WINDOW_S
        self._count(window_s)
        response.headers.update(
            {
                "X-HubSpot-RateLimit-Daily": str(DAILY_LIMIT),
                "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, DAILY_LIMIT - self._today)),
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(window_s * 1000)),
                "X-HubSpot-RateLimit-Max": str(burst),
                "X-HubSpot-RateLimit-Remaining": str(max(0, burst - self._in_window)),
            }
        )

    def _count(self, window_s: float) -> None:
        now = time.monotonic()
        if self._counted_for is not self._holder.state:  # the sandbox was reset
            self._counted_for, self._today = self._holder.state, 0
            self._window_started, self._in_window = now, 0
        if now - self._window_started >= window_s:
            self._window_started, self._in_window = now, 0
        self._in_window += 1
        self._today += 1
