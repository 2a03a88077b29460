"""A preview older than `PORTAL_PREVIEW_TTL_S` is not applied (here the TTL is below zero, so
every preview is too old: no test waits out minutes)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from config import Settings
from sandbox.control import SandboxControl
from tests.gateway.billing_calls import change, preview, price_id
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import INITECH, member
from tests.gateway.upstream_state import NO_WRITES, upstream_writes


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, preview_ttl_s=-1.0)


async def test_an_expired_preview_is_not_applied(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, INITECH, "ADMIN")
    growth = price_id(urls, "growth_monthly_usd")
    token = (await preview(client, admin, growth, 2))["preview"]["prorationDate"]
    sandbox.clear_requests()

    changed = await change(client, admin, growth, 2, token)

    assert changed["subscription"] is None
    assert changed["userErrors"] == [
        {"field": "prorationDate", "code": "PREVIEW_EXPIRED",
         "message": "This preview is too old to apply: preview the change again."},
    ]  # fmt: skip
    assert upstream_writes(sandbox) == NO_WRITES
