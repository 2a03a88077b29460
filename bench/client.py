"""A signed-in GraphQL client that times each request from send to last body byte."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)


@dataclass(frozen=True)
class Timed:
    seconds: float
    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def failure(self) -> str | None:
        """Why this answer is not a complete result, in a few words (None when it is)."""
        errors = self.body.get("errors") or []
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        reason = str((first.get("extensions") or {}).get("code") or first.get("message", ""))
        if self.status != 200:
            return f"HTTP {self.status} {reason}".strip()
        if errors:
            return reason[:80] or "errors"
        return None if self.body.get("data") is not None else "no data"


class GraphQLClient:
    def __init__(self, http: aiohttp.ClientSession, base_url: str, token: str) -> None:
        self._http = http
        self._url = f"{base_url}/graphql"
        self._headers = {"Authorization": f"Bearer {token}"}

    async def timed(self, query: str) -> Timed:
        payload = {"query": query}
        started = time.perf_counter()
        async with self._http.post(self._url, json=payload, headers=self._headers) as response:
            raw = await response.read()
        elapsed = time.perf_counter() - started
        return Timed(elapsed, response.status, _decoded(raw))


def _decoded(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except ValueError:
        return {"errors": [{"message": raw[:200].decode(errors="replace")}]}
    return body if isinstance(body, dict) else {"errors": [{"message": "not an object"}]}


def open_http(connections: int = 100) -> aiohttp.ClientSession:
    """A pooled client session; loopback only, so no proxies from the environment."""
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    return aiohttp.ClientSession(connector=connector, timeout=REQUEST_TIMEOUT, trust_env=False)
