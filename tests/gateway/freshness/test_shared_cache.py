"""Two replicas on one Redis, and a Redis outage."""

from __future__ import annotations

import json
import socket
from dataclasses import replace

from cache import scopes
from config import Settings
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.gateway.freshness import signing
from tests.gateway.freshness.conftest import OpenClient
from tests.gateway.people import ACME, member

ACCOUNT = "query { viewer { account { name team(first: 5) { totalCount } } } }"


async def test_replicas_share_entries_and_an_invalidation_by_one_reaches_the_other(
    redis_settings: Settings,
    open_client: OpenClient,
    sandbox: SandboxControl,
    backbone: Backbone,
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    async with open_client(redis_settings) as one, open_client(redis_settings) as two:
        first = await one.query(ACCOUNT, as_=admin)
        sandbox.clear_requests()

        assert await two.query(ACCOUNT, as_=admin) == first
        assert sandbox.call_counts() == {"hubspot": 0, "stripe": 0, "zendesk": 0, "drive": 0}

        # A change in HubSpot, then what a portal write does afterwards: evict its scope.
        sandbox["hubspot"].call("POST", f"/_sandbox/companies/{ACME}", {"name": "Acme Renamed"})
        await one.gateway.services.cache.invalidate(scopes.company(ACME))

        renamed = await two.query(ACCOUNT, as_=admin)
        assert renamed["data"]["viewer"]["account"]["name"] == "Acme Renamed"
        assert sandbox.calls_by_path("hubspot") == {"POST /crm/v3/objects/companies/batch/read": 1}
        assert await one.query(ACCOUNT, as_=admin) == renamed


async def test_a_webhook_to_one_replica_evicts_in_both(
    redis_settings: Settings,
    open_client: OpenClient,
    sandbox: SandboxControl,
    backbone: Backbone,
) -> None:
    hooked = replace(redis_settings, hubspot_client_secret=signing.HUBSPOT_SECRET)
    admin = member(backbone, ACME, "ADMIN")
    async with open_client(hooked) as one, open_client(hooked) as two:
        await one.query(ACCOUNT, as_=admin)
        await two.query(ACCOUNT, as_=admin)
        sandbox["hubspot"].call("POST", f"/_sandbox/companies/{ACME}", {"name": "Acme Hooked"})
        events = [{"subscriptionType": "company.propertyChange", "objectId": int(ACME)}]
        body = json.dumps(events).encode()
        url = "http://localhost/webhooks/hubspot"

        response = await one.http.post(
            "/webhooks/hubspot", content=body, headers=signing.hubspot_headers(url, body)
        )

        assert response.status_code == 200, response.text
        for replica in (two, one):
            fresh = await replica.query(ACCOUNT, as_=admin)
            assert fresh["data"]["viewer"]["account"]["name"] == "Acme Hooked"


async def test_with_redis_down_the_gateway_serves_from_its_own_cache(
    settings: Settings,
    open_client: OpenClient,
    sandbox: SandboxControl,
    backbone: Backbone,
) -> None:
    down = replace(settings, redis_url=f"redis://127.0.0.1:{_closed_port()}/0")
    admin = member(backbone, ACME, "ADMIN")
    async with open_client(down) as gateway:
        first = await gateway.query(ACCOUNT, as_=admin)
        assert "errors" not in first
        assert first["data"]["viewer"]["account"]["name"]
        sandbox.clear_requests()

        assert await gateway.query(ACCOUNT, as_=admin) == first
        assert sandbox.call_counts() == {"hubspot": 0, "stripe": 0, "zendesk": 0, "drive": 0}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
