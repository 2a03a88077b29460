"""Single-flight across concurrent requests, and stale-if-error during an outage."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace

from config import Settings
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.freshness.conftest import OpenClient
from tests.gateway.people import ACME, member
from tests.gateway.queries import DASHBOARD

VENDORS = ("hubspot", "stripe", "zendesk", "drive")
# Download links and cursors carry their expiry time, which differs from second to second.
DASHBOARD_DATA = DASHBOARD.replace(" downloadUrl", "").replace(" endCursor", "")


def calls(sandbox: SandboxControl) -> dict[str, Counter[str]]:
    return {vendor: sandbox.calls_by_path(vendor) for vendor in VENDORS}


async def test_fifty_concurrent_cold_dashboards_make_the_calls_of_one(
    settings: Settings, open_client: OpenClient, sandbox: SandboxControl, backbone: Backbone
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    # This is about sharing calls, not deadlines: 50 queries on 2 loaded cores may take long.
    patient = replace(settings, request_deadline_s=30.0)
    async with open_client(patient) as alone:
        one = await alone.query(DASHBOARD_DATA, as_=admin)
    calls_of_one = calls(sandbox)
    sandbox.clear_requests()

    async with open_client(patient) as gateway:
        bodies = await asyncio.gather(
            *(gateway.query(DASHBOARD_DATA, as_=admin) for _ in range(50))
        )

    assert bodies == [one] * 50
    assert calls(sandbox) == calls_of_one


async def test_an_outage_serves_recently_expired_fields_and_says_which(
    settings: Settings, open_client: OpenClient, sandbox: SandboxControl, backbone: Backbone
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    short = replace(settings, cache_ttl_s=0.01, viewer_ttl_s=0.01, cache_stale_max_s=60.0)
    async with open_client(short) as gateway:
        fresh = await gateway.query(DASHBOARD_DATA, as_=admin)
        await _expire(short)
        sandbox["stripe"].set_knobs(outage=True)

        first = await gateway.query(DASHBOARD_DATA, as_=admin)
        during = await gateway.query(DASHBOARD_DATA, as_=admin)

    stale_fields = [
        ["viewer", "account", "documents"],
        ["viewer", "account", "invoices"],
        ["viewer", "account", "subscription"],
        ["viewer", "account", "usage"],
    ]
    assert during == {"data": fresh["data"], "extensions": {"stale": stale_fields}}
    # The first request of an outage may name fewer fields (cache/freshness.py says why).
    assert first["data"] == fresh["data"]
    assert first["extensions"]["stale"]
    assert all(path in stale_fields for path in first["extensions"]["stale"])


async def test_past_the_stale_bound_an_outage_is_an_error(
    settings: Settings, open_client: OpenClient, sandbox: SandboxControl, backbone: Backbone
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    short = replace(settings, cache_ttl_s=0.01, viewer_ttl_s=0.01, cache_stale_max_s=0.0)
    async with open_client(short) as gateway:
        await gateway.query(DASHBOARD, as_=admin)
        await _expire(short)
        sandbox["stripe"].set_knobs(outage=True)

        during = await gateway.query(DASHBOARD, as_=admin)

    account = during["data"]["viewer"]["account"]
    assert account["invoices"] is None
    assert {e["extensions"]["service"] for e in during["errors"]} == {"stripe"}
    assert "extensions" not in during


async def _expire(settings: Settings) -> None:
    # Waiting past a TTL is the one way to let entries expire; nothing measures this time.
    await asyncio.sleep(settings.cache_ttl_s * 5)


__all__ = ["GatewayClient"]
