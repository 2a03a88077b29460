"""The Stripe SDK's HTTP client, sent through our `UpstreamGuard`: the SDK builds requests
and parses answers, the guard decides timeouts, retries and fail-fast.

Stripe's SDK puts an `Idempotency-Key` on every POST, and Stripe replays a keyed request
instead of repeating it, so the guard may retry Stripe writes too: a retry after a timeout
returns the first attempt's result and creates nothing twice. Errors of the guard
(`UpstreamTimeout`, `Unavailable`, `CircuitOpen`) pass through the SDK untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp
import stripe

from connectors.guard import UpstreamGuard
from connectors.http import RawResponse


class GuardedStripeHttp(stripe.AIOHTTPClient):
    def __init__(self, session: aiohttp.ClientSession, guard: UpstreamGuard) -> None:
        super().__init__(session=session, timeout=None)
        self._guarded_session = session
        self._guard = guard

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        async def attempt(limits: aiohttp.ClientTimeout) -> RawResponse:
            async with self._guarded_session.request(
                method, url, headers=dict(headers), data=post_data, timeout=limits
            ) as response:
                return RawResponse(response.status, dict(response.headers), await response.read())

        raw = await self._guard.call(method, url, headers, attempt)
        return raw.body, raw.status, raw.headers
