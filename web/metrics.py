"""Prometheus series of the HTTP edge: request latency by route and status, GraphQL operation
latency by operation name and outcome, requests in flight, webhook deliveries in, and rate-limit
refusals. Labels are bounded: route templates, at most `MAX_OPERATIONS` operation names per
process (the rest are `other`), vendor names, status codes."""

from __future__ import annotations

import re
import time

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema.extensions.telemetry import OPERATION, OUTCOME
from web.routes_of import route_template

# Around the 1.8 s deadline and the DESIGN.md budgets (warm ~ms, cold 4 round trips).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)

HTTP_LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "HTTP requests by route template, method and status code.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
GRAPHQL_LATENCY = Histogram(
    "portal_graphql_operation_duration_seconds",
    "GraphQL operations by operation name and outcome (ok, partial, error).",
    ["operation", "outcome"],
    buckets=LATENCY_BUCKETS,
)
IN_FLIGHT = Gauge(
    "portal_http_requests_in_flight",
    "HTTP requests being served.",
    multiprocess_mode="livesum",
)
WEBHOOKS_IN = Counter(
    "portal_webhook_deliveries_received",
    "Vendor webhook deliveries received, by vendor and outcome (accepted, refused, failed).",
    ["vendor", "outcome"],
)
RATE_LIMITED = Counter(
    "portal_rate_limit_refusals",
    "Requests refused with 429 by the edge's rate limits, by rule (ip, credential).",
    ["rule"],
)

MAX_OPERATIONS = 100
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")
_operations: set[str] = set()


def operation_label(name: object) -> str:
    if not isinstance(name, str) or not name:
        return "anonymous"
    if not _NAME.match(name):
        return "other"
    if name not in _operations:
        if len(_operations) >= MAX_OPERATIONS:
            return "other"
        _operations.add(name)
    return name


class EdgeMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_observed)
        finally:
            IN_FLIGHT.dec()
            self._observe(scope, status, time.perf_counter() - started)

    @staticmethod
    def _observe(scope: Scope, status: int, elapsed: float) -> None:
        route = route_template(scope)
        HTTP_LATENCY.labels(route, scope["method"], str(status)).observe(elapsed)
        state = scope.get("state", {})
        if OUTCOME in state:
            operation = operation_label(state.get(OPERATION))
            GRAPHQL_LATENCY.labels(operation, state[OUTCOME]).observe(elapsed)
        if route.startswith("/webhooks/") and scope["method"] == "POST":
            vendor = route.split("/")[2]
            outcome = "accepted" if status < 300 else "refused" if status < 500 else "failed"
            WEBHOOKS_IN.labels(vendor, outcome).inc()
