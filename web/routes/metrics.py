"""`GET /metrics` in Prometheus' text format. Scrapes are let in by a bearer token
(`PORTAL_METRICS_TOKEN`); with neither a token nor a separate metrics port
(`PORTAL_METRICS_PORT`, served by `portal-gateway serve` itself), production answers 404,
and development answers anyone on the loopback-only default setup.

With several worker processes (`PROMETHEUS_MULTIPROC_DIR` set), every scrape aggregates the
series of all of them, so any worker can answer it."""

from __future__ import annotations

import hmac
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from config import Settings


def metrics_registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def metrics_routes(settings: Settings) -> list[Route]:
    async def metrics(request: Request) -> Response:
        if not _allowed(settings, request.headers.get("authorization", "")):
            if settings.metrics_token:
                return PlainTextResponse("Unauthorized.", 401, {"WWW-Authenticate": "Bearer"})
            return PlainTextResponse("Not Found", 404)
        body = generate_latest(metrics_registry())
        return Response(body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return [Route("/metrics", metrics, methods=["GET"])]


def _allowed(settings: Settings, authorization: str) -> bool:
    if settings.metrics_port:
        return False  # served on its own port instead
    if settings.metrics_token:
        expected = f"Bearer {settings.metrics_token}".encode()
        return hmac.compare_digest(authorization.encode(), expected)
    return not settings.is_production
