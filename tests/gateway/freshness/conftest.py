"""Gateways on one real Redis (a key prefix per test), for the freshness tests."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace

import httpx
import pytest
import redis

from app import create_app
from config import Settings
from sandbox.accounts import Backbone
from tests.gateway.conftest import GatewayClient

REDIS_URL = "redis://127.0.0.1:6379/0"

OpenClient = Callable[[Settings], AbstractAsyncContextManager[GatewayClient]]


@pytest.fixture(scope="session", autouse=True)
def redis_answers() -> None:
    """One clear line instead of assertion errors when no Redis is running."""
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1) as client:
            client.ping()
    except redis.ConnectionError:
        pytest.fail(
            f"Redis does not answer at {REDIS_URL}: run `make check` (it starts one) "
            "or `.ci/redis`.",
            pytrace=False,
        )


@pytest.fixture
def redis_settings(settings: Settings) -> Iterator[Settings]:
    """Settings on the real Redis, under a key prefix of this test's own (removed after)."""
    prefix = f"test:{secrets.token_hex(8)}:"
    yield replace(settings, redis_url=REDIS_URL, redis_key_prefix=prefix)
    with redis.Redis.from_url(REDIS_URL) as client:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)


@pytest.fixture
def open_client(backbone: Backbone) -> OpenClient:
    """Opens one more gateway (a replica) with the given settings."""

    @asynccontextmanager
    async def opened(settings: Settings) -> AsyncIterator[GatewayClient]:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
                yield GatewayClient(http, app.state.gateway, backbone, settings.outbox_dir)

    return opened
