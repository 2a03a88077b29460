"""How every call to one upstream is made: within the request's deadline, under the
upstream's circuit breaker, and retried only when that is safe and affordable.

- Each attempt's timeout is the upstream's connect/read timeouts, cut to the time left
  before the request's deadline (`connectors.deadline`); with no time left, no call is made.
- Retried: reads (GET, HEAD and the vendor's read-only POSTs, e.g. HubSpot's batch reads)
  and writes that carry an `Idempotency-Key` (the vendor replays them instead of repeating
  them). Never other writes: a write that timed out may have been applied.
- Retried on transport errors, timeouts, 5xx and 429, with exponential backoff and jitter;
  a 429's `Retry-After` is waited out only if the deadline leaves room for it and the retry.
- Each retry spends from the upstream's `RetryBudget`; an empty budget means no retry.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from connectors import deadline, uncached
from connectors.breaker import CircuitBreaker
from connectors.http import (
    RawResponse,
    Unavailable,
    UpstreamTimeout,
    retry_after,
    transport_errors,
)
from connectors.retry_budget import RetryBudget

log = logging.getLogger("portal.upstream")

# Below this, an attempt could not get an answer anyway: fail without calling.
MIN_ATTEMPT_S = 0.05
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Attempt = Callable[[aiohttp.ClientTimeout], Awaitable[RawResponse]]
"""Sends the request once with the given timeout; raises aiohttp or timeout errors only."""


class CircuitOpen(Unavailable):
    """The upstream's breaker is open: the call was not made."""


@dataclass(frozen=True)
class Timeouts:
    connect_s: float = 2.0
    read_s: float = 8.0  # between bytes, and for a whole attempt without a deadline


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_base_s: float = 0.05
    backoff_cap_s: float = 0.5
    # Without a request deadline (background work), the longest Retry-After worth waiting.
    max_wait_s: float = 2.0


class UpstreamGuard:
    def __init__(
        self,
        service: str,
        *,
        timeouts: Timeouts | None = None,
        retries: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        budget: RetryBudget | None = None,
        read_posts: tuple[str, ...] = (),
        rng: random.Random | None = None,
    ) -> None:
        self.service = service
        self.timeouts = timeouts or Timeouts()
        self.retries = retries or RetryPolicy()
        self.breaker = breaker or CircuitBreaker()
        self.budget = budget or RetryBudget()
        self.read_posts = read_posts  # path endings of POSTs that only read
        self._rng = rng or random.Random()

    def may_retry(self, method: str, url: str, headers: Mapping[str, str]) -> bool:
        method = method.upper()
        if method in _READ_METHODS:
            return True
        if any(name.lower() == "idempotency-key" for name in headers):
            return True
        return method == "POST" and bool(self.read_posts) and (
            urlsplit(url).path.endswith(self.read_posts))  # fmt: skip

    async def call(
        self, method: str, url: str, headers: Mapping[str, str], attempt: Attempt
    ) -> RawResponse:
        """The first answer worth returning (2xx-4xx, or the last failure's response);
        raises `Unavailable`/`UpstreamTimeout`/`CircuitOpen` when there was none."""
        uncached.note_call()
        retryable = self.may_retry(method, url, headers)
        self.budget.deposit()
        number = 0
        while True:
            number += 1
            failure: RawResponse | Unavailable
            try:
                response = await self._once(method, attempt)
            except Unavailable as exc:
                failure = exc
            else:
                if response.status != 429 and response.status < 500:
                    return response
                failure = response
            wait = self._wait_before_retry(failure, number) if retryable else None
            if wait is None:
                if isinstance(failure, RawResponse):
                    return failure
                raise failure
            log.info(
                "retrying %s %s %s in %.3fs (attempt %d): %s",
                self.service, method, urlsplit(url).path, wait, number + 1, _reason(failure),
            )  # fmt: skip
            await asyncio.sleep(wait)

    async def _once(self, method: str, attempt: Attempt) -> RawResponse:
        timeout = self._attempt_timeout(method)
        if not self.breaker.allow():
            raise CircuitOpen(self.service, "circuit open after repeated failures")
        try:
            with transport_errors(self.service, method):
                response = await attempt(timeout)
        except Unavailable:
            self.breaker.failed()
            raise
        except BaseException:
            self.breaker.abandoned()
            raise
        if response.status >= 500:
            self.breaker.failed()
        else:
            self.breaker.succeeded()
        return response

    def _attempt_timeout(self, method: str) -> aiohttp.ClientTimeout:
        connect, read = self.timeouts.connect_s, self.timeouts.read_s
        left = deadline.remaining()
        if left is None:
            return aiohttp.ClientTimeout(total=connect + read, connect=connect, sock_read=read)
        if left < MIN_ATTEMPT_S:
            raise UpstreamTimeout(self.service, f"{method} not sent: the request's deadline passed")
        return aiohttp.ClientTimeout(
            total=left, connect=min(connect, left), sock_read=min(read, left)
        )

    def _wait_before_retry(self, failure: RawResponse | Unavailable, number: int) -> float | None:
        if number >= self.retries.max_attempts or isinstance(failure, CircuitOpen):
            return None
        wait = self._backoff(number)
        if isinstance(failure, RawResponse) and failure.status == 429:
            wait = retry_after(failure.headers) or wait
        left = deadline.remaining()
        room = self.retries.max_wait_s if left is None else left - MIN_ATTEMPT_S
        if wait > room or not self.budget.withdraw():
            return None
        return wait

    def _backoff(self, number: int) -> float:
        """Exponential with "equal jitter": half fixed, half random, so retries of many
        requests that failed together do not arrive together."""
        ceiling = min(self.retries.backoff_cap_s, self.retries.backoff_base_s * 2.0 ** (number - 1))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)


def _reason(failure: RawResponse | Unavailable) -> str:
    return f"HTTP {failure.status}" if isinstance(failure, RawResponse) else str(failure)
