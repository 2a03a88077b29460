"""The middleware every request passes, outermost first: the trace's server span (when
tracing is on) and the edge's metrics, the access log (so it sees every answer, refusals
included), security headers, CORS, then the body limit and rate limits
that refuse work before anything parses or authenticates it."""

from __future__ import annotations

from collections.abc import Callable

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from auth.rate_limit import RateLimit
from config import Settings
from web.access_log import AccessLog
from web.body_limit import BodyLimit
from web.metrics import EdgeMetrics
from web.rate_limit import RateLimits
from web.routes.auth import AuthServices
from web.security_headers import SecurityHeaders
from web.tracing import tracing_middleware


def edge_middleware(settings: Settings, services: Callable[[], AuthServices]) -> list[Middleware]:
    window = settings.rate_limit_window_s
    return [
        *tracing_middleware(),
        Middleware(EdgeMetrics),
        Middleware(AccessLog),
        Middleware(SecurityHeaders, https=settings.public_url.startswith("https://")),
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            # A header browsers preflight: with it, a cookie-authenticated POST is no CSRF.
            allow_headers=["Authorization", "Content-Type"],
            allow_credentials=True,
            max_age=600,
        ),
        # Every route that reads a body (GraphQL, sign-in, webhooks) is held to one limit.
        Middleware(BodyLimit, max_bytes=settings.max_body_bytes, paths=("/",)),
        Middleware(
            RateLimits,
            services=services,
            per_credential=RateLimit(settings.rate_limit_per_viewer, window),
            anonymous_per_ip=RateLimit(settings.rate_limit_anonymous_per_ip, window),
        ),
    ]
