"""The Stripe connector against the Stripe sandbox: records built from the seed, Stripe's
pagination and limits respected, errors mapped, and the exact requests counted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
import stripe

from connectors.http import (
    NotFound,
    RateLimited,
    Rejected,
    Unavailable,
    UpstreamTimeout,
    open_session,
)
from connectors.stripe import (
    Customer,
    Invoice,
    Meter,
    customers_by_id,
    invoices_by_id,
    invoices_of_customer,
    meter_total,
    meter_usage,
    meters,
    stripe_client,
    subscriptions_of_customer,
)
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from sandbox.stripe.objects import ORIGIN
from sandbox.stripe.seed import build_state, usage_days
from sandbox.stripe.state import StripeState

KEY = "sk_test_sandbox"


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with open_session() as opened:
        yield opened


@pytest.fixture
def client(urls: dict[str, str], session: aiohttp.ClientSession) -> stripe.StripeClient:
    return stripe_client(KEY, urls["stripe"], session)


@pytest.fixture(scope="session")
def seed(backbone: Backbone) -> StripeState:
    return build_state(backbone)


@pytest.fixture
def acme(backbone: Backbone) -> str:
    return backbone.companies[0].stripe_customer_id


def calls(sandbox: SandboxControl) -> list[str]:
    return [f"{c.method} {c.path}" for c in sandbox["stripe"].requests()]


def on_sandbox(url: str | None, urls: dict[str, str]) -> str | None:
    """A stored sandbox URL as the sandbox hands it out, on its own address."""
    return None if url is None else url.replace(ORIGIN, urls["stripe"])


def at(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def at_or_none(timestamp: int | None) -> datetime | None:
    return None if timestamp is None else at(timestamp)


async def test_customers_by_id_aligned_with_none_for_unknown(client, backbone, sandbox):
    acme, globex = backbone.companies[0], backbone.companies[3]
    admin = next(p for p in backbone.people_of(globex.hubspot_id) if p.role == "ADMIN")
    ids = [
        acme.stripe_customer_id,
        "cus_missing",
        globex.stripe_customer_id,
        acme.stripe_customer_id,
    ]

    found = await customers_by_id(client, ids)

    assert found[1] is None
    assert found[0] == found[3]
    assert found[2] == Customer(
        id=globex.stripe_customer_id,
        name="Globex",
        email=admin.email,
        phone=globex.phone,
        currency="gbp",
        address_line1=globex.address.street,
        address_line2=None,
        city="London",
        postal_code="EC1A 1BB",
        state=None,
        country="GB",
    )
    assert sorted(calls(sandbox)) == sorted(f"GET /v1/customers/{i}" for i in dict.fromkeys(ids))


async def test_invoices_page_to_the_end(client, seed, acme, sandbox):
    seen: list[str] = []
    cursor = None
    while True:
        page = await invoices_of_customer(client, acme, limit=25, starting_after=cursor)
        seen += [i.id for i in page.invoices]
        if not page.has_more:
            break
        cursor = page.invoices[-1].id

    assert seen == seed.invoices_by_customer[acme].newest_first()
    assert calls(sandbox) == ["GET /v1/invoices"] * 3


async def test_invoice_records_match_the_seed(client, seed, acme, urls):
    page = await invoices_of_customer(client, acme, limit=100)

    for invoice in page.invoices:
        raw = seed.invoices[invoice.id]
        parent = raw["parent"]["subscription_details"] if raw["parent"] else {}
        assert invoice == Invoice(
            id=raw["id"],
            customer_id=acme,
            number=raw["number"],
            status=raw["status"],
            currency="usd",
            amount_due=raw["amount_due"],
            amount_paid=raw["amount_paid"],
            amount_remaining=raw["amount_remaining"],
            total=raw["total"],
            created=at(raw["created"]),
            due_date=at_or_none(raw["due_date"]),
            paid_at=at_or_none(raw["status_transitions"]["paid_at"]),
            period_start=at(raw["period_start"]),
            period_end=at(raw["period_end"]),
            invoice_pdf=on_sandbox(raw["invoice_pdf"], urls),
            hosted_invoice_url=on_sandbox(raw["hosted_invoice_url"], urls),
            subscription_id=parent.get("subscription"),
        )
    assert page.has_more is False and len(page.invoices) == 60


async def test_a_limit_over_100_takes_several_requests(client, backbone, sandbox):
    globex = backbone.companies[3].stripe_customer_id
    for amount in range(1, 36):
        sandbox["stripe"].call(
            "POST", "/_sandbox/invoices", {"customer": globex, "amount_due": amount}
        )

    page = await invoices_of_customer(client, globex, limit=130)

    assert (len(page.invoices), page.has_more) == (130, True)
    assert [i.amount_due for i in page.invoices[:35]] == list(range(35, 0, -1))
    queries = [c.query for c in sandbox["stripe"].requests()]
    assert len(queries) == 2
    assert "limit=100" in queries[0] and "limit=30" in queries[1]
    assert f"starting_after={page.invoices[99].id}" in queries[1]


async def test_invoice_filters_and_ending_before(client, seed, acme, backbone):
    newest = [seed.invoices[i] for i in seed.invoices_by_customer[acme].newest_first()]
    low, high = backbone.now - timedelta(days=200), backbone.now - timedelta(days=20)

    open_ones = await invoices_of_customer(client, acme, limit=100, status="open")
    window = await invoices_of_customer(client, acme, limit=100, created_gte=low, created_lte=high)
    before = await invoices_of_customer(client, acme, limit=4, ending_before=newest[10]["id"])

    assert [i.id for i in open_ones.invoices] == [i["id"] for i in newest if i["status"] == "open"]
    assert [i.id for i in window.invoices] == [
        i["id"] for i in newest if low <= at(i["created"]) <= high
    ]
    assert [i.id for i in before.invoices] == [i["id"] for i in newest[6:10]]
    assert before.has_more is True


async def test_invoices_by_id_with_none_for_unknown(client, seed, acme, sandbox):
    wanted = seed.invoices_by_customer[acme].newest_first()[:3]

    found = await invoices_by_id(client, [*wanted, "in_missing"])

    assert [i.id if i else None for i in found] == [*wanted, None]
    assert len(calls(sandbox)) == 4


async def test_subscriptions_with_products_in_one_round_trip(client, seed, acme, sandbox):
    subscriptions = await subscriptions_of_customer(client, acme)

    raw = next(s for s in seed.subscriptions.values() if s["customer"] == acme)
    period = raw["items"]["data"][0]
    (subscription,) = subscriptions
    assert (subscription.id, subscription.customer_id, subscription.status) == (
        raw["id"],
        acme,
        "active",
    )
    assert subscription.current_period_start == at(period["current_period_start"])
    assert subscription.current_period_end == at(period["current_period_end"])
    assert subscription.cancel_at_period_end is False
    assert [
        (i.product_name, i.quantity, i.unit_amount, i.usage_type, i.included_quantity, i.interval)
        for i in subscription.items
    ] == [
        ("Enterprise", 1, 99_900, "licensed", None, "month"),
        ("API calls", None, 20, "metered", 10_000_000, "month"),
        ("Storage", None, 25, "metered", 5_000, "month"),
        ("Report exports", None, None, "metered", None, "month"),  # tiered: see meters()
    ]
    assert subscription.items[0].meter_id is None
    assert {i.meter_id for i in subscription.items[1:]} == set(seed.catalog.meters)
    assert sorted(calls(sandbox)) == ["GET /v1/products", "GET /v1/subscriptions"]


async def test_meters_carry_the_unit_of_their_product(client, seed):
    found = await meters(client)

    ids = seed.catalog.meter_by_event
    assert sorted(found, key=lambda m: m.event_name) == [
        Meter(ids["api_calls"], "API calls", "api_calls", "call", "sum"),
        Meter(
            ids["report_exports"],
            "Report exports",
            "report_exports",
            "export",
            "count",
            tuple(
                sorted(
                    (p, t[0]["up_to"])
                    for p, t in seed.catalog.tiers.items()
                    if (seed.catalog.prices[p]["recurring"] or {}).get("meter")
                )
            ),
        ),
        Meter(ids["storage_gb"], "Storage (GB)", "storage_gb", "GB", "last"),
    ]


async def test_a_gauge_over_a_period_is_its_last_reading_not_a_sum(client, backbone, seed, acme):
    start, end = usage_days(backbone)
    meter_id = seed.catalog.meter_by_event["storage_gb"]

    total = await meter_total(client, meter_id, acme, start, end)
    daily = await meter_usage(client, meter_id, acme, start, end)

    last_event = seed.usage.events[(meter_id, acme)][-1]
    assert total == last_event[1]
    assert total == next(d.value for d in reversed(daily) if d.value)
    assert total < sum(d.value for d in daily) / 50


async def test_meter_usage_daily_in_concurrent_windows(client, backbone, seed, acme, sandbox):
    start, end = usage_days(backbone)
    meter_id = seed.catalog.meter_by_event["storage_gb"]

    usage = await meter_usage(client, meter_id, acme, start, end)

    expected = seed.usage.buckets(
        meter_id, acme, int(start.timestamp()), int(end.timestamp()), 86_400, "last"
    )
    assert [(u.start, u.end, u.value) for u in usage] == [
        (at(b.start), at(b.end), b.value) for b in expected
    ]
    assert len(usage) == 121
    assert calls(sandbox) == [f"GET /v1/billing/meters/{meter_id}/event_summaries"] * 2


async def test_meter_usage_rounds_out_to_whole_days(client, backbone, seed, acme):
    meter_id = seed.catalog.meter_by_event["api_calls"]
    noon = backbone.now - timedelta(days=3)

    usage = await meter_usage(client, meter_id, acme, noon, noon + timedelta(hours=1))

    midnight = noon.replace(hour=0)
    assert [(u.start, u.end) for u in usage] == [(midnight, midnight + timedelta(days=1))]


async def test_unknown_customer_in_a_list_is_not_found(client):
    with pytest.raises(NotFound) as caught:
        await invoices_of_customer(client, "cus_missing", limit=10)

    assert caught.value.service == "stripe"


async def test_bad_key_is_rejected(urls, session, acme):
    client = stripe_client("sk_live_wrong", urls["stripe"], session)

    with pytest.raises(Rejected) as caught:
        await customers_by_id(client, [acme])

    assert caught.value.status == 401
    assert caught.value.detail == "Invalid API Key provided: sk_live_*rong"


async def test_outage_and_rate_limit_map_to_upstream_errors(client, sandbox, acme):
    sandbox["stripe"].set_knobs(outage=True)
    with pytest.raises(Unavailable):
        await subscriptions_of_customer(client, acme)
    sandbox["stripe"].set_knobs(outage=False, rate_limit=0, rate_window_s=30)
    with pytest.raises(RateLimited) as limited:
        await invoices_by_id(client, ["in_any"])

    assert limited.value.retry_after is not None and limited.value.retry_after >= 1
    assert [c.status for c in sandbox["stripe"].requests()] == [503, 503, 429]


async def test_slow_upstream_times_out(urls, sandbox, acme):
    sandbox["stripe"].set_knobs(latency_ms=500)
    async with open_session(timeout=aiohttp.ClientTimeout(total=0.1)) as session:
        client = stripe_client(KEY, urls["stripe"], session)
        with pytest.raises(UpstreamTimeout):
            await customers_by_id(client, [acme])
