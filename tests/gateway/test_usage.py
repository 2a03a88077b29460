"""Usage as Stripe bills it: each meter's figure by its own aggregation (sum, count, last),
against the included quantity of the subscription's price."""

from __future__ import annotations

import pytest

from sandbox.accounts import Backbone
from sandbox.stripe.seed import build_state
from sandbox.stripe.state import StripeState
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, company, member

USAGE = """
{ viewer { account { usage {
  key aggregation quantityUsed billedQuantity includedQuantity percentUsed
  periodStart periodEnd daily { date quantity }
} } } }
"""


@pytest.fixture(scope="module")
def seed(backbone: Backbone) -> StripeState:
    return build_state(backbone)


async def test_each_meter_is_totalled_by_its_own_aggregation(
    client: GatewayClient, seed: StripeState
) -> None:
    acme = company(client.backbone, ACME)
    body = await client.query(USAGE, as_=member(client.backbone, ACME, "ADMIN"))

    assert "errors" not in body
    usage = {m["key"]: m for m in body["data"]["viewer"]["account"]["usage"]}
    assert {k: m["aggregation"] for k, m in usage.items()} == {
        "api_calls": "SUM",
        "storage_gb": "LAST",
        "report_exports": "COUNT",
    }
    for metric in usage.values():
        daily = [d["quantity"] for d in metric["daily"]]
        if metric["aggregation"] == "LAST":
            storage_id = seed.catalog.meter_by_event["storage_gb"]
            last_reading = seed.usage.events[(storage_id, acme.stripe_customer_id)][-1][1]
            assert metric["quantityUsed"] == last_reading
            assert metric["quantityUsed"] == [q for q in daily if q][-1]
        else:
            assert metric["quantityUsed"] == sum(daily)
        included = metric["includedQuantity"]
        assert metric["percentUsed"] == round(100 * metric["quantityUsed"] / included, 2)
    # included from the price's metadata, or (report exports) from its free first tier
    assert {k: m["includedQuantity"] for k, m in usage.items()} == {
        "api_calls": 10_000_000, "storage_gb": 5_000, "report_exports": 2_000
    }  # fmt: skip
    # the seeded gauge sits at ~60-80 % of the plan, not at the sum of 30 daily readings
    assert 50 < usage["storage_gb"]["percentUsed"] < 100


async def test_billed_quantity_follows_the_prices_transform_quantity(
    client: GatewayClient,
) -> None:
    body = await client.query(USAGE, as_=member(client.backbone, ACME, "ADMIN"))

    usage = {m["key"]: m for m in body["data"]["viewer"]["account"]["usage"]}
    calls = usage["api_calls"]  # priced per 1,000 calls, rounded up
    assert calls["billedQuantity"] == -(-calls["quantityUsed"] // 1000)
    assert usage["storage_gb"]["billedQuantity"] == usage["storage_gb"]["quantityUsed"]
