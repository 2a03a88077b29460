"""The shared transport of every connector, and the one error family they raise.

    UpstreamError (service)
    ├── NotFound         the vendor says the record does not exist (404)
    ├── RateLimited      429, with the vendor's Retry-After in seconds when it gave one
    ├── Unavailable      5xx, refused connections, broken responses
    │   └── UpstreamTimeout   no answer within the timeout
    └── Rejected         any other 4xx: the vendor refused the request (input, credentials)

Connectors raise these, never `aiohttp` or SDK errors, and never return `None` for an error.
Two context managers do the mapping: `transport_errors` (aiohttp and timeouts) and
`parse_errors` (a 2xx answer that is not the documented shape).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from connectors.guard import UpstreamGuard

# Enough for a dashboard's fan-out to one vendor; beyond it requests queue for a connection.
DEFAULT_CONNECTION_LIMIT = 64
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=10, connect=2, sock_read=8)


class UpstreamError(Exception):
    def __init__(self, service: str, message: str) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service


class NotFound(UpstreamError):
    pass


class RateLimited(UpstreamError):
    def __init__(self, service: str, message: str, retry_after: float | None) -> None:
        super().__init__(service, message)
        self.retry_after = retry_after


class Unavailable(UpstreamError):
    pass


class UpstreamTimeout(Unavailable):
    pass


class Rejected(UpstreamError):
    def __init__(self, service: str, status: int, detail: str) -> None:
        super().__init__(service, f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail


@contextmanager
def transport_errors(service: str, action: str) -> Iterator[None]:
    """What went wrong on the wire while doing `action` (e.g. "GET", "download")."""
    try:
        yield
    except TimeoutError as exc:
        raise UpstreamTimeout(service, f"{action} timed out") from exc
    except aiohttp.ClientError as exc:
        raise Unavailable(service, f"{action} failed: {type(exc).__name__}") from exc


@contextmanager
def parse_errors(service: str) -> Iterator[None]:
    """A 2xx answer that is not shaped as the vendor documents it is the upstream's failure."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise Unavailable(service, f"unexpected response: {exc!r}") from exc


def retry_after(headers: Mapping[str, str] | None) -> float | None:
    """A 429's `Retry-After` in seconds, when the vendor gave one we can read."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), None)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class JsonService:
    """One vendor's base URL, credentials and pooled session."""

    name: str
    base_url: str
    session: aiohttp.ClientSession
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)  # credentials
    # Deadline, retries and circuit breaker (connectors/guard.py); None: one plain attempt.
    guard: UpstreamGuard | None = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
    ) -> Any:
        """Sends a request to `base_url + path` and returns the decoded JSON (None when empty)."""
        body = None if json_body is None else json.dumps(json_body).encode()
        headers = {"Content-Type": "application/json"} if body is not None else {}
        response = await self.send(
            method, self.base_url + path, params=params, headers=headers, body=body
        )
        with parse_errors(self.name):
            return response.json()

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
    ) -> RawResponse:
        """Sends one request; any status but 2xx becomes the matching `UpstreamError`."""
        all_headers = {**self.headers, **(headers or {})}

        async def attempt(limits: aiohttp.ClientTimeout) -> RawResponse:
            async with self.session.request(
                method, url, params=params, headers=all_headers, data=body, timeout=limits
            ) as response:
                return RawResponse(response.status, dict(response.headers), await response.read())

        if self.guard is not None:
            raw = await self.guard.call(method, url, all_headers, attempt)
            raise_for_status(self.name, raw.status, raw.headers, raw.body)
            return raw
        with transport_errors(self.name, method):
            raw = await attempt(self.session.timeout)
        raise_for_status(self.name, raw.status, raw.headers, raw.body)
        return raw


def raise_for_status(service: str, status: int, headers: Mapping[str, str], body: bytes) -> None:
    if status < 400:
        return
    detail = body[:500].decode("utf-8", "replace")
    if status == 404:
        raise NotFound(service, detail)
    if status == 429:
        raise RateLimited(service, detail, retry_after(headers))
    if status >= 500:
        raise Unavailable(service, f"HTTP {status}")
    raise Rejected(service, status, detail)


def open_session(
    *,
    limit: int = DEFAULT_CONNECTION_LIMIT,
    timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
) -> aiohttp.ClientSession:
    """A pooled session with explicit timeouts; the caller closes it (the app lifespan)."""
    return aiohttp.ClientSession(
        timeout=timeout,
        connector=aiohttp.TCPConnector(limit=limit, ttl_dns_cache=300),
        raise_for_status=False,
    )


async def gather_aligned(*aws: Any) -> list[Any]:
    """`asyncio.gather` that cancels the siblings when one fails (no orphaned requests) and
    raises that first failure itself, so callers catch `UpstreamError`, not a group."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(aw) for aw in aws]
    except ExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]
