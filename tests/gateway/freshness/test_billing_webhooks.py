"""Billing changed on Stripe's side (in its dashboard, or by the customer on a Stripe page)
reaches every replica through one signed webhook: `customer.subscription.updated`,
`payment_method.attached` and `.detached` (which names the customer only in
`previous_attributes`)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from config import Settings
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.freshness import signing
from tests.gateway.freshness.conftest import OpenClient
from tests.gateway.people import GLOBEX, member
from tests.gateway.upstream_state import stripe_sdk

BILLING = """{ viewer { account { subscription { cancelAtPeriodEnd }
                                  paymentMethods { last4 } } } }"""


async def _post_event(replica: GatewayClient, kind: str, found: Any, **more: Any) -> None:
    event = {"id": f"evt_{kind}", "object": "event", "type": kind,
             "data": {"object": found.to_dict(), **more}}  # fmt: skip
    body = json.dumps(event, default=str).encode()  # the SDK keeps decimals as Decimal
    response = await replica.http.post(
        "/webhooks/stripe", content=body, headers=signing.stripe_headers(body)
    )
    assert response.status_code == 200, response.text


def _billing(body: dict[str, Any]) -> tuple[bool, list[str]]:
    account = body["data"]["viewer"]["account"]
    return account["subscription"]["cancelAtPeriodEnd"], [
        m["last4"] for m in account["paymentMethods"]
    ]


async def test_stripe_side_billing_changes_reach_both_replicas_through_webhooks(
    redis_settings: Settings,
    open_client: OpenClient,
    sandbox: SandboxControl,
    backbone: Backbone,
    urls: dict[str, str],
) -> None:
    hooked = replace(redis_settings, stripe_webhook_secret=signing.STRIPE_SECRET,
                     cache_ttl_s=600.0)  # fmt: skip
    admin = member(backbone, GLOBEX, "ADMIN")
    customer = backbone.company(GLOBEX).stripe_customer_id
    sdk = stripe_sdk(urls)
    async with open_client(hooked) as one, open_client(hooked) as two:
        cancelling, cards = _billing(await two.query(BILLING, as_=admin))
        assert cancelling is False

        subscription = sdk.v1.subscriptions.list(params={"customer": customer}).data[0]
        updated = sdk.v1.subscriptions.update(subscription.id,
                                              params={"cancel_at_period_end": True})  # fmt: skip
        session = sdk.v1.checkout.sessions.create(
            params={"mode": "setup", "customer": customer, "success_url": "https://x.example/"}
        )
        card = sandbox["stripe"].call("POST", f"/_sandbox/checkout/sessions/{session.id}/complete",
                                      {"card": {"last4": "0005"}})  # fmt: skip
        assert _billing(await two.query(BILLING, as_=admin)) == (False, cards)  # cached

        await _post_event(one, "customer.subscription.updated", updated)
        await _post_event(
            one, "payment_method.attached", sdk.v1.payment_methods.retrieve(card["id"])
        )

        for replica in (two, one):
            assert _billing(await replica.query(BILLING, as_=admin)) == (True, [*cards, "0005"])

        detached = sdk.v1.payment_methods.detach(card["id"])
        await _post_event(one, "payment_method.detached", detached,
                          previous_attributes={"customer": customer})  # fmt: skip

        assert _billing(await two.query(BILLING, as_=admin)) == (True, cards)
