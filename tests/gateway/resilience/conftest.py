"""Gateways with a short deadline and a quick breaker, so that fault tests stay fast."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace

import httpx
import pytest

from app import create_app
from config import Settings
from sandbox.accounts import Backbone
from tests.gateway.conftest import GatewayClient

DEADLINE_S = 1.0
BREAKER_FAILURES = 3
BREAKER_RESET_S = 0.3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(
        settings,
        request_deadline_s=DEADLINE_S,
        breaker_failures=BREAKER_FAILURES,
        breaker_reset_s=BREAKER_RESET_S,
    )


OpenGateway = Callable[..., AbstractAsyncContextManager[GatewayClient]]


@pytest.fixture
def open_gateway(settings: Settings, backbone: Backbone) -> OpenGateway:
    """Opens one more gateway, with these settings unless told others: its caches and
    breakers start cold."""

    @asynccontextmanager
    async def opened(these: Settings = settings) -> AsyncIterator[GatewayClient]:
        app = create_app(these)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
                yield GatewayClient(http, app.state.gateway, backbone, these.outbox_dir)

    return opened
