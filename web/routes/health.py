"""`/healthz` (the process serves) and `/readyz` (each upstream can be reached)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from config import Settings


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Can each upstream be reached? A TCP connect to each: no API call, no rate limit."""
    settings: Settings = request.app.state.gateway.settings
    urls = {
        "hubspot": settings.hubspot_base_url,
        "stripe": settings.stripe_base_url,
        "zendesk": settings.zendesk_base_url,
        "drive": settings.drive_base_url,
    }
    results = await asyncio.gather(*(_reachable(url) for url in urls.values()))
    checks = dict(zip(urls, results, strict=True))
    ready = all(checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "degraded", "upstreams": checks},
        status_code=200 if ready else 503,
    )


async def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname, port), timeout=1.0
        )
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


def health_routes() -> list[Route]:
    return [Route("/healthz", healthz), Route("/readyz", readyz)]
