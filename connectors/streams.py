"""Bytes of an upstream file as they arrive, for downloads that must not sit in memory.

`open_stream` raises the `connectors.http` errors before the first byte; afterwards a broken
transfer raises `Unavailable` (or `UpstreamTimeout`) from the iteration."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from types import TracebackType

import aiohttp

from connectors.http import JsonService, raise_for_status, transport_errors

# Files may outlast a session's total timeout; only a stalled read is an error.
STREAM_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=2, sock_read=30)
STREAM_CHUNK = 64 * 1024


class ByteStream:
    """`content_type` and `content_length` are known before the first chunk. Iterate it to
    the end or `aclose()` it (or use `async with`)."""

    def __init__(self, service: str, response: aiohttp.ClientResponse) -> None:
        self._service = service
        self._response = response
        self.content_type = response.headers.get("Content-Type", "application/octet-stream")
        length = response.headers.get("Content-Length")
        self.content_length = int(length) if length is not None else None

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        try:
            with transport_errors(self._service, "download"):
                async for chunk in self._response.content.iter_chunked(STREAM_CHUNK):
                    yield chunk
        finally:
            self._response.release()

    async def aclose(self) -> None:
        self._response.close()

    async def __aenter__(self) -> ByteStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


async def open_stream(
    http: JsonService, url: str, headers: Mapping[str, str] | None = None
) -> ByteStream:
    """GETs `url` with the service's session and credentials, and hands over the body unread."""
    with transport_errors(http.name, "download"):
        response = await http.session.get(
            url, headers={**http.headers, **(headers or {})}, timeout=STREAM_TIMEOUT
        )
    if response.status >= 400:
        async with response:
            body = await response.read()
        raise_for_status(http.name, response.status, dict(response.headers), body)
    return ByteStream(http.name, response)
