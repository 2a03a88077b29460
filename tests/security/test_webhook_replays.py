"""Defect 6: a Stripe signature header with `,v0=<n>` appended was a new replay key each
time (the key was the raw header), and a timestamp a day ahead was accepted. Replay keys
now come from what the signature covers; future timestamps beyond the tolerance are refused,
for every vendor."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from config import Settings
from tests.gateway.conftest import GatewayClient
from tests.gateway.freshness import signing

DAY_S = 24 * 3600.0
CUSTOMER = {"object": {"id": "cus_nobody", "object": "customer"}}
EVENT = json.dumps(
    {"id": "evt_replay", "object": "event", "type": "customer.updated", "data": CUSTOMER}
).encode()
HUBSPOT_EVENTS = json.dumps([{"subscriptionType": "company.propertyChange", "objectId": 1}])
ZENDESK_EVENT = json.dumps({"type": "zen:event-type:ticket.status_changed", "detail": {}})


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(
        settings,
        stripe_webhook_secret=signing.STRIPE_SECRET,
        hubspot_client_secret=signing.HUBSPOT_SECRET,
        zendesk_webhook_secret=signing.ZENDESK_SECRET,
    )


async def test_a_stripe_signature_with_more_schemes_appended_is_still_a_replay(
    client: GatewayClient,
) -> None:
    headers = signing.stripe_headers(EVENT)
    signature = headers["Stripe-Signature"]
    statuses = []
    for suffix in ("", ",v0=1", ",v0=2", ",v1=00"):
        varied = {**headers, "Stripe-Signature": signature + suffix}
        response = await client.http.post("/webhooks/stripe", content=EVENT, headers=varied)
        statuses.append((response.status_code, response.json().get("error")))

    assert statuses == [(200, None)] + [(400, "already delivered (replay)")] * 3


@pytest.mark.parametrize("vendor", ["stripe", "hubspot", "zendesk"])
async def test_a_timestamp_a_day_ahead_is_refused(client: GatewayClient, vendor: str) -> None:
    if vendor == "stripe":
        body, headers = EVENT, signing.stripe_headers(EVENT, age_s=-DAY_S)
    elif vendor == "hubspot":
        body = HUBSPOT_EVENTS.encode()
        headers = signing.hubspot_headers("http://localhost/webhooks/hubspot", body, age_s=-DAY_S)
    else:
        body = ZENDESK_EVENT.encode()
        headers = signing.zendesk_headers(body, age_s=-DAY_S)

    response = await client.http.post(f"/webhooks/{vendor}", content=body, headers=headers)

    assert (response.status_code, response.json()) == (
        400,
        {"error": "timestamp outside the tolerance zone"},
    )
