"""Rate limits, counted in the gateway's cache (shared by replicas when it is Redis); over a
limit: 429 with `Retry-After`.

A request is counted against its credential first: a session we signed (by its session
id) or an API token (by a hash; never stored). Only anonymous traffic is counted against
its client address, under a limit of its own: requests without a credential (sign-in,
webhooks, downloads by signed link) and with one not yet proven. An API token cannot be
checked without an upstream read, so it also counts against its address until it has
once signed a request in; this way tenants behind one office address never share a
limit, and random tokens buy nobody a bucket of their own.

The address is the connecting peer: behind a proxy, the proxy must be trusted to set it
(uvicorn --proxy-headers --forwarded-allow-ips)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from cachetools import TTLCache
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from auth.api_tokens import looks_like_api_token
from auth.rate_limit import RateLimit
from web.access_log import VIEWER_ID
from web.metrics import RATE_LIMITED
from web.routes.auth import AuthServices, session_token_of

EXEMPT_PATHS = ("/healthz", "/readyz", "/metrics")  # probes and scrapes
_PROVEN_FOR_S = 600.0  # how long an API token that signed a request in counts as proven


class RateLimits:
    def __init__(
        self,
        app: ASGIApp,
        services: Callable[[], AuthServices],
        *,
        per_credential: RateLimit,
        anonymous_per_ip: RateLimit,
    ) -> None:
        self.app = app
        self.services = services
        self.per_credential = per_credential
        self.anonymous_per_ip = anonymous_per_ip
        self._proven: TTLCache[str, bool] = TTLCache(100_000, ttl=_PROVEN_FOR_S)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exempt = scope["type"] != "http" or scope["method"] == "OPTIONS"
        if exempt or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        credential, proven = self._credential(Request(scope))
        refused = await self._refusal(HTTPConnection(scope), credential, proven)
        if refused is not None:
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, send)
        if credential is not None and scope.get("state", {}).get(VIEWER_ID) is not None:
            self._proven[credential] = True

    def _credential(self, request: Request) -> tuple[str | None, bool]:
        """The key the request's credential is counted under, and whether it is proven."""
        token = session_token_of(request)
        if token is None:
            return None, False
        session_id = self.services().sessions.signed_session_id(token)
        if session_id is not None:
            return f"session:{session_id}", True
        if looks_like_api_token(token):
            key = "api-token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
            return key, key in self._proven
        return None, False  # a token nobody signed: anonymous

    async def _refusal(
        self, connection: HTTPConnection, credential: str | None, proven: bool
    ) -> JSONResponse | None:
        limiter = self.services().limiter
        if credential is not None and not await limiter.allow(credential, self.per_credential):
            RATE_LIMITED.labels("credential").inc()
            return _too_many(self.per_credential)
        if not proven:
            address = connection.client.host if connection.client else "unknown"
            if not await limiter.allow(f"anonymous-ip:{address}", self.anonymous_per_ip):
                RATE_LIMITED.labels("ip").inc()
                return _too_many(self.anonymous_per_ip)
        return None


def _too_many(rule: RateLimit) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": "Too many requests.", "extensions": {"code": "RATE_LIMITED"}}]},
        status_code=429,
        headers={"Retry-After": str(max(1, round(rule.window_s)))},
    )
