"""Freshness end to end: a change made at a vendor reaches the portal through the vendor's
signed webhook, with no wait for a TTL, over real HTTP both ways."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx

from config import Settings
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.gateway.freshness import signing
from tests.gateway.freshness.served import Served, serving
from tests.gateway.people import ACME, member

SECRETS = {
    "stripe": signing.STRIPE_SECRET,
    "hubspot": signing.HUBSPOT_SECRET,
    "zendesk": signing.ZENDESK_SECRET,
}
ACCOUNT = """
query {
  viewer { account {
    name
    invoices(first: 5) { nodes { number amountDue { amount } } }
    tickets(first: 50, status: [NEW, OPEN, PENDING, ON_HOLD]) { totalCount nodes { number } }
    documents(first: 50) { nodes { name } }
  } }
}
"""


def _signed(settings: Settings, url: str) -> Settings:
    # A long TTL: anything fresh below came through a webhook, not through expiry.
    return replace(
        settings,
        public_url=url,
        cache_ttl_s=600.0,
        stripe_webhook_secret=signing.STRIPE_SECRET,
        hubspot_client_secret=signing.HUBSPOT_SECRET,
        zendesk_webhook_secret=signing.ZENDESK_SECRET,
        drive_webhook_token=signing.DRIVE_TOKEN,
    )


async def _account(served: Served, token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=served.url) as http:
        response = await http.post(
            "/graphql", json={"query": ACCOUNT}, headers={"Authorization": f"Bearer {token}"}
        )
    body = response.json()
    assert "errors" not in body, body
    account: dict[str, Any] = body["data"]["viewer"]["account"]
    return account


async def test_vendor_changes_reach_the_portal_through_their_webhooks(
    settings: Settings, sandbox: SandboxControl, backbone: Backbone
) -> None:
    acme = backbone.company(ACME)
    with serving(lambda url: _signed(settings, url)) as served:
        for vendor, secret in SECRETS.items():
            target = {"url": f"{served.url}/webhooks/{vendor}", "secret": secret}
            sandbox[vendor].call("PUT", "/_sandbox/webhooks", target)
        token = await served.gateway.sessions.issue(member(backbone, ACME, "ADMIN").contact_id)
        before = await _account(served, token)
        open_ticket = before["tickets"]["nodes"][0]["number"]

        sandbox["hubspot"].call("POST", f"/_sandbox/companies/{ACME}", {"name": "Acme Fresh"})
        sandbox["stripe"].call(
            "POST", "/_sandbox/invoices", {"customer": acme.stripe_customer_id, "amount_due": 4321}
        )
        sandbox["zendesk"].call(
            "POST", f"/_sandbox/tickets/{open_ticket}/status", {"status": "solved"}
        )
        sandbox["drive"].call(
            "POST", "/_sandbox/files", {"folder_id": acme.drive_folder_id, "name": "Fresh.pdf"}
        )
        deliveries = {
            v: sandbox[v].call("GET", "/_sandbox/webhooks") for v in SECRETS | {"drive": ""}
        }
        after = await _account(served, token)

    assert {v: [d["status"] for d in log["deliveries"]] for v, log in deliveries.items()} == {
        "hubspot": [200],
        "stripe": [200, 200],  # invoice.created, invoice.finalized
        "zendesk": [200],
        "drive": [200],
    }
    assert after["name"] == "Acme Fresh"
    assert after["invoices"]["nodes"][0]["amountDue"] == {"amount": 4321}
    assert after["tickets"]["totalCount"] == before["tickets"]["totalCount"] - 1
    assert open_ticket not in [t["number"] for t in after["tickets"]["nodes"]]
    assert "Fresh.pdf" in [d["name"] for d in after["documents"]["nodes"]]
    assert "Fresh.pdf" not in [d["name"] for d in before["documents"]["nodes"]]
