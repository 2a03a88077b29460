"""Rate limits of /graphql per client address and per credential (session or API token),
counted in the gateway's cache, so replicas share them when the cache is Redis. Over the
limit: 429 with `Retry-After`.

Credentials are counted by a hash, never stored; a request without one counts only against
its address. The address is the connecting peer: behind a proxy, the proxy must be trusted
to set it (uvicorn --proxy-headers --forwarded-allow-ips)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from auth.rate_limit import RateLimit, RateLimiter
from web.routes.auth import session_token_of


class GraphQLRateLimit:
    def __init__(
        self,
        app: ASGIApp,
        limiter: Callable[[], RateLimiter],
        *,
        per_ip: RateLimit,
        per_credential: RateLimit,
        paths: tuple[str, ...] = ("/graphql",),
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.per_ip = per_ip
        self.per_credential = per_credential
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exempt = scope["type"] != "http" or scope["method"] == "OPTIONS"
        if exempt or not scope["path"].startswith(self.paths):
            await self.app(scope, receive, send)
            return
        refused = await self._refusal(HTTPConnection(scope))
        if refused is not None:
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _refusal(self, connection: HTTPConnection) -> JSONResponse | None:
        limiter = self.limiter()
        address = connection.client.host if connection.client else "unknown"
        if not await limiter.allow(f"graphql-ip:{address}", self.per_ip):
            return _too_many(self.per_ip)
        token = session_token_of(Request(connection.scope))
        if token is not None:
            digest = hashlib.sha256(token.encode()).hexdigest()[:32]
            if not await limiter.allow(f"graphql-credential:{digest}", self.per_credential):
                return _too_many(self.per_credential)
        return None


def _too_many(rule: RateLimit) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": "Too many requests.", "extensions": {"code": "RATE_LIMITED"}}]},
        status_code=429,
        headers={"Retry-After": str(max(1, round(rule.window_s)))},
    )
