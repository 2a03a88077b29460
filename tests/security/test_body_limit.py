"""Defect 5: bodies of /webhooks/* and /auth/* were read whole before any limit (three
concurrent 200 MB posts took the gateway from 93 MB to 969 MB). One limit now holds for
every route, enforced while the body streams in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from config import Settings
from tests.gateway.conftest import GatewayClient

ROUTES = ("/auth/magic-link", "/auth/magic-link/abc", "/auth/logout", "/webhooks/stripe",
          "/webhooks/hubspot", "/webhooks/zendesk", "/webhooks/drive", "/graphql")  # fmt: skip


@pytest.mark.parametrize("path", ROUTES)
async def test_a_body_over_the_limit_is_refused_on_every_route(
    client: GatewayClient, settings: Settings, path: str
) -> None:
    body = b"{" + b" " * settings.max_body_bytes + b"}"

    response = await client.http.post(
        path, content=body, headers={"Content-Type": "application/json"}
    )

    assert (response.status_code, response.text) == (
        413,
        f"Request body over {settings.max_body_bytes} bytes.",
    )


async def test_a_chunked_body_is_refused_once_it_streams_past_the_limit(
    client: GatewayClient, settings: Settings
) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(100):  # 100 x 64 KiB: far past the limit, if it were all read
            sent += 1
            yield b" " * 65536

    response = await client.http.post("/webhooks/stripe", content=chunks())

    assert response.status_code == 413
    assert sent * 65536 <= settings.max_body_bytes + 2 * 65536  # stopped reading at the limit
