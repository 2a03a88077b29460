"""What every sandboxed vendor shares: fault knobs, the request log and the admin API.

Each vendor app is built by `vendor_app(...)`, which puts a middleware in front of the
vendor's own routes. The middleware logs each request, then applies the knobs: outage (503),
rate limit (429 with `Retry-After`), random 5xx, latency. Everything under `/_sandbox/` is the
admin API: it is neither logged nor subject to the knobs.

Admin API (JSON), on every vendor's port:
    GET   /_sandbox/knobs            the knobs now
    PATCH /_sandbox/knobs            change some knobs, e.g. {"latency_ms": 100, "outage": true}
    GET   /_sandbox/requests         the request log, oldest first
    DELETE /_sandbox/requests        empty the log
    POST  /_sandbox/reset            rebuild the seeded data, reset knobs and log
Vendor modules add their own vendor-side changes under /_sandbox/ (see each module).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Generic, TypeVar

from aiohttp import web

from sandbox.odd_records import OddRecords

_LOGGED_BODY_BYTES = 4_096
ADMIN_PREFIX = "/_sandbox/"
S = TypeVar("S")

ErrorBody = Callable[[int, str], Mapping[str, Any]]
"""Builds the vendor's error body for a status and message."""

BatchSize = Callable[[web.Request, bytes], int | None]
"""Says how many records a request asks for at once (ids in a batch read), if it is a batch."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Knobs:
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0  # share of requests answered 500, 0..1
    rate_limit: int | None = None  # requests allowed per window; None is unlimited
    rate_window_s: float = 10.0
    outage: bool = False

    def update(self, changes: Mapping[str, Any]) -> None:
        known = {f.name: f for f in fields(self)}
        unknown = set(changes) - set(known)
        if unknown:
            raise ValueError(f"unknown knobs: {', '.join(sorted(unknown))}")
        for name, value in changes.items():
            if name == "rate_limit" and value is not None:
                value = int(value)
            elif name == "outage":
                value = bool(value)
            elif value is not None:
                value = float(value)
            setattr(self, name, value)


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: str
    batch_size: int | None
    status: int
    at: float
    body: str = ""  # what a write sent (the first 4 kB), to check requests as vendors want them


class RequestLog:
    """Every vendor request, as tests and benchmarks count them. A request is logged when it
    is answered; one that arrived before the log was last cleared is not (a slow answer of
    one test would otherwise land in the next test's counts)."""

    def __init__(self, maxlen: int = 100_000) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=maxlen)
        self.generation = 0  # how often the log was cleared

    def add(self, entry: LoggedRequest, arrived_in: int) -> None:
        if arrived_in == self.generation:
            self._entries.append(entry)

    def clear(self) -> None:
        self._entries.clear()
        self.generation += 1

    def entries(self) -> list[LoggedRequest]:
        return list(self._entries)


class StateHolder(Generic[S]):
    """The vendor's mutable data, rebuilt from the seed on `reset()`."""

    def __init__(self, factory: Callable[[], S]) -> None:
        self._factory = factory
        self.state: S = factory()

    def reset(self) -> None:
        self.state = self._factory()


class _RateWindow:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self.count = 0

    def admit(self, limit: int, window_s: float) -> float | None:
        """Counts a request; returns the seconds to wait if it is over the limit."""
        now = time.monotonic()
        if now - self.started >= window_s:
            self.started, self.count = now, 0
        self.count += 1
        if self.count > limit:
            return max(0.0, window_s - (now - self.started))
        return None


KNOBS = web.AppKey("knobs", Knobs)
LOG = web.AppKey("request_log", RequestLog)
HOLDER = web.AppKey("state_holder", StateHolder)


def vendor_app(
    *,
    holder: StateHolder[Any],
    error_body: ErrorBody,
    batch_size: BatchSize | None = None,
    knobs: Knobs | None = None,
    client_max_size: int = 50 * 1024 * 1024,
) -> web.Application:
    """An aiohttp app with the knobs, the request log and the admin API in place.

    The caller adds the vendor's routes to it.
    """
    app_knobs = knobs or Knobs()
    initial_knobs = asdict(app_knobs)
    log = RequestLog()
    window = _RateWindow()
    rng = random.Random()
    odd = OddRecords()

    @web.middleware
    async def faults(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(ADMIN_PREFIX):
            return await handler(request)
        arrived_in = log.generation
        body = await request.read() if request.can_read_body else b""
        size = batch_size(request, body) if batch_size else None
        response = odd.applied(await _faulted(request, handler, app_knobs, window, rng, error_body))
        log.add(
            LoggedRequest(
                request.method, request.path, request.query_string, size, response.status,
                time.time(), body[:_LOGGED_BODY_BYTES].decode(errors="replace"),
            ),
            arrived_in,
        )  # fmt: skip
        return response

    app = web.Application(middlewares=[faults], client_max_size=client_max_size)
    app[KNOBS] = app_knobs
    app[LOG] = log
    app[HOLDER] = holder

    async def get_knobs(request: web.Request) -> web.Response:
        return web.json_response(asdict(app_knobs))

    async def patch_knobs(request: web.Request) -> web.Response:
        try:
            app_knobs.update(await request.json())
        except (ValueError, TypeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response(asdict(app_knobs))

    async def get_requests(request: web.Request) -> web.Response:
        return web.json_response([asdict(e) for e in log.entries()])

    async def clear_requests(request: web.Request) -> web.Response:
        log.clear()
        return web.Response(status=204)

    async def plant_odd_record(request: web.Request) -> web.Response:
        try:
            odd.plant(await request.json())
        except ValueError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.Response(status=204)

    async def reset(request: web.Request) -> web.Response:
        holder.reset()
        odd.planted.clear()
        app_knobs.update(initial_knobs)
        window.started, window.count = time.monotonic(), 0
        log.clear()
        return web.Response(status=204)

    app.router.add_get("/_sandbox/knobs", get_knobs)
    app.router.add_patch("/_sandbox/knobs", patch_knobs)
    app.router.add_get("/_sandbox/requests", get_requests)
    app.router.add_delete("/_sandbox/requests", clear_requests)
    app.router.add_post("/_sandbox/reset", reset)
    app.router.add_post("/_sandbox/odd_records", plant_odd_record)
    return app


async def _faulted(
    request: web.Request,
    handler: Handler,
    knobs: Knobs,
    window: _RateWindow,
    rng: random.Random,
    error_body: ErrorBody,
) -> web.StreamResponse:
    delay = knobs.latency_ms + (rng.uniform(0, knobs.jitter_ms) if knobs.jitter_ms else 0.0)
    if delay > 0:
        await asyncio.sleep(delay / 1000)
    if knobs.outage:
        return _error(error_body, 503, "Service Unavailable")
    if knobs.rate_limit is not None:
        wait = window.admit(knobs.rate_limit, knobs.rate_window_s)
        if wait is not None:
            response = _error(error_body, 429, "You have reached your rate limit.")
            response.headers["Retry-After"] = str(max(1, round(wait)))
            return response
    if knobs.error_rate and rng.random() < knobs.error_rate:
        return _error(error_body, 500, "Internal Server Error")
    return await handler(request)


def _error(error_body: ErrorBody, status: int, message: str) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(error_body(status, message)),
        content_type="application/json",
    )
