"""The Stripe sandbox speaks Stripe's wire format: the official SDK parses every answer into
its own models and raises its own exceptions, and the data matches the seed."""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe

from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from sandbox.stripe.seed import build_state, usage_days
from sandbox.stripe.state import StripeState

KEY = "sk_test_sandbox"


@pytest.fixture
def client(urls: dict[str, str]) -> stripe.StripeClient:
    return stripe.StripeClient(KEY, base_addresses={"api": urls["stripe"]}, max_network_retries=0)


@pytest.fixture(scope="session")
def seed(backbone: Backbone) -> StripeState:
    """The seeded account as the sandbox starts it; read only."""
    return build_state(backbone)


@pytest.fixture
def acme(backbone: Backbone) -> str:
    return backbone.companies[0].stripe_customer_id


def stripe_calls(sandbox: SandboxControl) -> list[str]:
    return [f"{c.method} {c.path}" for c in sandbox["stripe"].requests()]


def raw(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: str = ""
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(  # noqa: S310 - loopback sandbox URL
        url, data=body.encode() or None, method=method, headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


# Customers


def test_customer_is_the_company_with_its_first_admin(client, backbone, acme):
    company = backbone.companies[0]
    admin = next(p for p in backbone.people_of(company.hubspot_id) if p.role == "ADMIN")

    customer = client.v1.customers.retrieve(acme)

    assert isinstance(customer, stripe.Customer)
    assert (customer.id, customer.object, customer.livemode) == (acme, "customer", False)
    assert (customer.name, customer.email, customer.phone) == (
        company.name,
        admin.email,
        company.phone,
    )
    assert customer.currency == "usd"
    assert customer.address is not None
    assert customer.address.to_dict() == {
        "city": "Springfield",
        "country": "US",
        "line1": company.address.street,
        "line2": None,
        "postal_code": "62701",
        "state": "IL",
    }
    assert customer.created == int(company.created_at.timestamp())
    assert customer.invoice_prefix == "ACME"


def test_customers_list_newest_first_and_pages_to_the_end(client, backbone, sandbox):
    ids = [c.id for c in client.v1.customers.list(params={"limit": 4}).auto_paging_iter()]

    by_age = sorted(backbone.companies, key=lambda c: c.created_at, reverse=True)
    assert ids == [c.stripe_customer_id for c in by_age]
    assert stripe_calls(sandbox) == ["GET /v1/customers", "GET /v1/customers"]


def test_customer_update_changes_address_name_email_phone(client, acme):
    updated = client.v1.customers.update(
        acme,
        params={
            "name": "Acme Holdings Ltd",
            "email": "billing@acme.example",
            "phone": "",
            "address": {"line1": "1 New Road", "line2": "Floor 2", "city": "Chicago"},
            "metadata": {"portal": "yes"},
        },
    )

    again = client.v1.customers.retrieve(acme)
    assert again.to_dict() == updated.to_dict()
    assert (again.name, again.email, again.phone) == (
        "Acme Holdings Ltd",
        "billing@acme.example",
        None,
    )
    assert again.address is not None
    assert (again.address.line1, again.address.line2, again.address.city) == (
        "1 New Road",
        "Floor 2",
        "Chicago",
    )
    assert again.address.postal_code == "62701"  # fields not sent are kept
    assert again.metadata is not None and again.metadata.to_dict() == {"portal": "yes"}


def test_customer_update_rejects_a_bad_email(client, acme):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.update(acme, params={"email": "not-an-email"})

    assert (caught.value.http_status, caught.value.param, caught.value.code) == (
        400,
        "email",
        "email_invalid",
    )


# Invoices


def test_invoices_page_newest_first_to_the_end(client, backbone, seed, acme, sandbox):
    pages = client.v1.invoices.list(params={"customer": acme, "limit": 25})
    invoices = list(pages.auto_paging_iter())

    assert len(invoices) == backbone.companies[0].invoice_count == 60
    assert [i.id for i in invoices] == seed.invoices_by_customer[acme].newest_first()
    assert [i.created for i in invoices] == sorted((i.created for i in invoices), reverse=True)
    assert stripe_calls(sandbox) == ["GET /v1/invoices"] * 3
    numbered = sorted(i.number for i in invoices if i.number)
    assert numbered[0] == "ACME-0001"
    assert numbered[-1] == f"ACME-{len(numbered):04d}"
    assert {i.currency for i in invoices} == {"usd"}


def test_invoice_matches_the_seed(client, seed, acme):
    expected = seed.invoices[seed.invoices_by_customer[acme].newest_first()[3]]

    invoice = client.v1.invoices.retrieve(expected["id"])

    assert isinstance(invoice, stripe.Invoice)
    assert invoice.object == "invoice"
    assert (invoice.number, invoice.status, invoice.amount_due, invoice.total) == (
        expected["number"],
        expected["status"],
        expected["amount_due"],
        expected["total"],
    )
    assert invoice.total == sum(line.amount for line in invoice.lines.data)
    assert invoice.status_transitions.paid_at == expected["status_transitions"]["paid_at"]
    assert invoice.lines.data[0].period.start == expected["lines"]["data"][0]["period"]["start"]


def test_statuses_mostly_paid_some_open_and_past_due(seed, backbone):
    statuses = [i["status"] for i in seed.invoices.values()]
    now = int(backbone.now.timestamp())

    assert statuses.count("paid") > 0.8 * len(statuses)
    assert {"draft", "open", "paid", "void", "uncollectible"} <= set(statuses)
    past_due = [
        i for i in seed.invoices.values() if i["status"] == "open" and (i["due_date"] or now) < now
    ]
    assert 0 < len(past_due) < 0.1 * len(statuses)


def test_invoice_filters(client, seed, acme, backbone):
    now = int(backbone.now.timestamp())
    newest = [seed.invoices[i] for i in seed.invoices_by_customer[acme].newest_first()]
    subscription_id = next(s for s in seed.subscriptions.values() if s["customer"] == acme)["id"]

    open_ones = client.v1.invoices.list(params={"customer": acme, "status": "open", "limit": 100})
    recent = client.v1.invoices.list(
        params={"customer": acme, "created": {"gte": now - 90 * 86400, "lt": now}, "limit": 100}
    )
    billed = client.v1.invoices.list(
        params={"customer": acme, "subscription": subscription_id, "limit": 100}
    )

    assert [i.id for i in open_ones.data] == [i["id"] for i in newest if i["status"] == "open"]
    assert [i.id for i in recent.data] == [
        i["id"] for i in newest if now - 90 * 86400 <= i["created"] < now
    ]
    assert len(billed.data) == 24
    assert all(
        i.parent is not None
        and i.parent.subscription_details is not None
        and i.parent.subscription_details.subscription == subscription_id
        for i in billed.data
    )


def test_ending_before_walks_back_to_the_newest(client, seed, acme):
    ids = seed.invoices_by_customer[acme].newest_first()

    page = client.v1.invoices.list(params={"customer": acme, "ending_before": ids[12], "limit": 5})
    first = client.v1.invoices.list(params={"customer": acme, "ending_before": ids[3]})

    assert ([i.id for i in page.data], page.has_more) == (ids[7:12], True)
    assert ([i.id for i in first.data], first.has_more) == (ids[0:3], False)


def test_invoice_pdf_and_hosted_page_are_served_by_the_sandbox(client, seed, acme, urls):
    invoice = client.v1.invoices.list(params={"customer": acme, "status": "paid", "limit": 1}).data[
        0
    ]
    assert invoice.invoice_pdf is not None and invoice.hosted_invoice_url is not None
    assert invoice.invoice_pdf.startswith(urls["stripe"] + "/invoice/")

    status, headers, pdf = raw(invoice.invoice_pdf)
    page_status, _, page = raw(invoice.hosted_invoice_url)

    assert (status, headers["Content-Type"]) == (200, "application/pdf")
    assert pdf.startswith(b"%PDF-1.4") and pdf.endswith(b"%%EOF\n")
    assert f"Invoice {invoice.number}".encode() in pdf
    assert _xref_offsets_point_at_objects(pdf)
    assert raw(invoice.invoice_pdf)[2] == pdf  # deterministic
    assert page_status == 200 and invoice.number is not None
    assert invoice.number.encode() in page


def _xref_offsets_point_at_objects(pdf: bytes) -> bool:
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    entries = pdf[start:].split(b"\n")[3:]
    offsets = [int(e[:10]) for e in entries if e.endswith(b" n ")]
    return all(pdf[o:].startswith(b"%d 0 obj" % n) for n, o in enumerate(offsets, start=1))


def test_draft_invoices_have_no_number_and_no_documents(seed):
    drafts = [i for i in seed.invoices.values() if i["status"] == "draft"]

    assert drafts
    assert all(i["number"] is None and i["invoice_pdf"] is None for i in drafts)


# Subscriptions, prices and previews


def test_subscription_has_the_tier_plan_and_metered_items(client, acme):
    subscriptions = client.v1.subscriptions.list(
        params={"customer": acme, "expand": ["data.items.data.price"]}
    )
    subscription = subscriptions.data[0]
    items = subscription["items"].data
    prices = client.v1.prices.list(
        params={"expand": ["data.product"], "limit": 100, "currency": "usd"}
    )
    product_of = {p.id: p.product for p in prices.data}

    assert len(subscriptions.data) == 1
    assert (subscription.status, subscription.currency) == ("active", "usd")
    assert [
        (product_of[i.price.id].name, i.price.recurring.usage_type, i.quantity) for i in items
    ] == [
        ("Enterprise", "licensed", 1),
        ("API calls", "metered", None),
        ("Storage", "metered", None),
        ("Report exports", "metered", None),
    ]
    assert items[1].price.metadata is not None
    assert items[1].price.metadata.to_dict() == {"included_quantity": "10000000"}
    assert items[0].current_period_start < items[0].current_period_end


def test_expansion_is_at_most_four_levels(client, acme):
    with pytest.raises(stripe.InvalidRequestError) as too_deep:
        client.v1.subscriptions.list(
            params={"customer": acme, "expand": ["data.items.data.price.product"]}
        )
    with pytest.raises(stripe.InvalidRequestError) as not_expandable:
        client.v1.invoices.list(params={"customer": acme, "expand": ["data.status"]})

    assert too_deep.value.user_message == (
        "You cannot expand more than 4 levels of a property. "
        "Property: data.items.data.price.product"
    )
    assert not_expandable.value.user_message == "This property cannot be expanded (status)."


def test_expand_customer_subscription_and_payment_method(client, acme):
    invoice = client.v1.invoices.list(
        params={
            "customer": acme,
            "subscription": client.v1.subscriptions.list(params={"customer": acme}).data[0].id,
            "limit": 1,
            "expand": ["data.customer", "data.parent.subscription_details.subscription"],
        }
    ).data[0]
    subscription = client.v1.subscriptions.list(
        params={"customer": acme, "expand": ["data.default_payment_method", "data.customer"]}
    ).data[0]
    price = client.v1.prices.retrieve(
        subscription["items"].data[0].price.id, params={"expand": ["product"]}
    )

    assert isinstance(invoice.customer, stripe.Customer) and invoice.customer.id == acme
    assert invoice.parent is not None and invoice.parent.subscription_details is not None
    assert isinstance(invoice.parent.subscription_details.subscription, stripe.Subscription)
    assert isinstance(subscription.default_payment_method, stripe.PaymentMethod)
    assert subscription.default_payment_method.card is not None
    assert isinstance(price.product, stripe.Product) and price.product.name == "Enterprise"


def _plan_change(client: stripe.StripeClient, acme: str, tier: str) -> tuple[Any, Any, Any]:
    subscription = client.v1.subscriptions.list(params={"customer": acme}).data[0]
    item = subscription["items"].data[0]
    price = client.v1.prices.list(params={"lookup_keys": [f"{tier}_monthly_usd"]}).data[0]
    return subscription, item, price


def test_preview_of_a_plan_change_prorates_to_the_second(client, acme, backbone):
    subscription, item, growth = _plan_change(client, acme, "growth")
    when = int(backbone.now.timestamp())
    start, end = item.current_period_start, item.current_period_end
    left = (end - when) / (end - start)

    preview = client.v1.invoices.create_preview(
        params={
            "customer": acme,
            "subscription": subscription.id,
            "subscription_details": {
                "items": [{"id": item.id, "price": growth.id}],
                "proration_date": when,
            },
        }
    )

    lines = [
        (li.amount, li.parent.subscription_item_details.proration) for li in preview.lines.data
    ]
    assert preview.id.startswith("upcoming_in_") and preview.status == "draft"
    assert lines == [(-round(99_900 * left), True), (round(19_900 * left), True), (19_900, False)]
    assert preview.total == sum(amount for amount, _ in lines)
    assert preview.amount_due == max(0, preview.total)
    assert preview.parent is not None and preview.parent.subscription_details is not None
    assert preview.parent.subscription_details.subscription_proration_date == when


def test_plan_change_always_invoice_bills_the_previewed_prorations(client, acme, backbone):
    subscription, item, growth = _plan_change(client, acme, "starter")
    when = int(backbone.now.timestamp()) + 5
    details = {
        "items": [{"id": item.id, "price": growth.id}],
        "proration_date": when,
        "proration_behavior": "always_invoice",
    }
    preview = client.v1.invoices.create_preview(
        params={"subscription": subscription.id, "subscription_details": details}
    )

    updated = client.v1.subscriptions.update(
        subscription.id,
        params={
            "items": [{"id": item.id, "price": growth.id}],
            "proration_behavior": "always_invoice",
            "proration_date": when,
        },
    )
    invoice = client.v1.invoices.retrieve(str(updated.latest_invoice))

    assert updated["items"].data[0].id == item.id
    assert updated["items"].data[0].price.id == growth.id
    assert [li.amount for li in invoice.lines.data] == [li.amount for li in preview.lines.data]
    assert (invoice.billing_reason, invoice.status, invoice.amount_due) == (
        "subscription_update",
        "paid",
        0,
    )
    assert invoice.ending_balance == invoice.total < 0  # a downgrade credits the balance
    assert client.v1.customers.retrieve(acme).balance == invoice.total


def test_cancel_at_period_end_and_resume(client, acme):
    subscription = client.v1.subscriptions.list(params={"customer": acme}).data[0]
    end = subscription["items"].data[0].current_period_end

    cancelled = client.v1.subscriptions.update(
        subscription.id, params={"cancel_at_period_end": True, "metadata": {"reason": "budget"}}
    )
    resumed = client.v1.subscriptions.update(
        subscription.id, params={"cancel_at_period_end": False}
    )

    assert (cancelled.cancel_at_period_end, cancelled.cancel_at, cancelled.status) == (
        True,
        end,
        "active",
    )
    assert cancelled.metadata.to_dict() == {"reason": "budget"}
    assert (resumed.cancel_at_period_end, resumed.cancel_at, resumed.canceled_at) == (
        False,
        None,
        None,
    )


def test_items_are_added_and_deleted_with_pending_prorations(client, acme, backbone):
    subscription, _, growth = _plan_change(client, acme, "growth")
    when = int(backbone.now.timestamp())

    added = client.v1.subscriptions.update(
        subscription.id,
        params={"items": [{"price": growth.id, "quantity": 2}], "proration_date": when},
    )
    new_item = next(i for i in added["items"].data if i.price.id == growth.id)
    preview = client.v1.invoices.create_preview(params={"subscription": subscription.id})
    removed = client.v1.subscriptions.update(
        subscription.id,
        params={"items": [{"id": new_item.id, "deleted": True}], "proration_behavior": "none"},
    )

    assert new_item.quantity == 2 and len(added["items"].data) == 5
    pending = [
        line
        for line in preview.lines.data
        if line.parent is not None
        and line.parent.subscription_item_details is not None
        and line.parent.subscription_item_details.proration
    ]
    since = f"{backbone.now.day} {backbone.now:%b %Y}"
    assert [line.description for line in pending] == [
        f"Remaining time on 2 \N{MULTIPLICATION SIGN} Growth after {since}"
    ]
    assert pending[0].parent.subscription_item_details.subscription_item == new_item.id
    assert [i.id for i in removed["items"].data] == [i.id for i in subscription["items"].data]


def test_subscription_update_rejects_quantity_on_metered_items(client, acme):
    subscription = client.v1.subscriptions.list(params={"customer": acme}).data[0]
    metered = subscription["items"].data[1]

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.subscriptions.update(
            subscription.id, params={"items": [{"id": metered.id, "quantity": 3}]}
        )

    assert caught.value.param == "items[0][quantity]"


# Meters and usage


def test_meters_and_daily_event_summaries_page_to_the_end(client, backbone, seed, acme, sandbox):
    meters = client.v1.billing.meters.list()
    api_calls = next(m for m in meters.data if m.event_name == "api_calls")
    start, end = (int(d.timestamp()) for d in usage_days(backbone))

    summaries = client.v1.billing.meters.event_summaries.list(
        api_calls.id,
        params={
            "customer": acme,
            "start_time": start,
            "end_time": end,
            "value_grouping_window": "day",
            "limit": 100,
        },
    )
    days = list(summaries.auto_paging_iter())

    expected = seed.usage.buckets(api_calls.id, acme, start, end, 86_400, "sum")
    assert sorted((m.event_name, m.default_aggregation.formula) for m in meters.data) == [
        ("api_calls", "sum"),
        ("report_exports", "count"),
        ("storage_gb", "last"),
    ]
    assert len(days) == 121
    assert [(d.start_time, d.end_time, d.aggregated_value) for d in days] == [
        (b.start, b.end, b.value) for b in reversed(expected)
    ]
    assert all(d.aggregated_value > 0 for d in days)
    assert (
        stripe_calls(sandbox)[1:] == [f"GET /v1/billing/meters/{api_calls.id}/event_summaries"] * 2
    )


@pytest.mark.parametrize(
    ("event_name", "values", "expected"),
    [("api_calls", [5, 7], 12.0), ("report_exports", [5, 7], 2.0), ("storage_gb", [5, 7], 7.0)],
)
def test_each_formula_aggregates_the_way_stripe_documents(
    client, backbone, acme, sandbox, event_name, values, expected
):
    """Stripe's `default_aggregation.formula`: `sum` adds values, `count` counts events,
    `last` takes the last event's value in the window."""
    meter = next(m for m in client.v1.billing.meters.list().data if m.event_name == event_name)
    future = int(datetime.combine(backbone.today, datetime.min.time(), UTC).timestamp()) + 86_400
    for offset, value in enumerate(values):
        sandbox["stripe"].call(
            "POST",
            "/_sandbox/meter_events",
            {"customer": acme, "event_name": event_name, "value": value,
             "timestamp": future + 60 * (offset + 1)},
        )  # fmt: skip

    window = client.v1.billing.meters.event_summaries.list(
        meter.id, params={"customer": acme, "start_time": future, "end_time": future + 3600}
    )

    assert [s.aggregated_value for s in window.data] == [expected]


def test_tiers_come_only_when_expanded_and_the_first_is_free(client):
    """Stripe's price `tiers` is includable: absent unless `expand[]=data.tiers`."""
    params: Any = {"type": "recurring", "limit": 100, "lookup_keys": ["report_exports_growth_usd"]}
    [plain] = client.v1.prices.list(params=params).data
    [expanded] = client.v1.prices.list(params={**params, "expand": ["data.tiers"]}).data
    retrieved = client.v1.prices.retrieve(plain.id, params={"expand": ["tiers"]})

    assert "tiers" not in plain
    assert (plain.billing_scheme, plain.tiers_mode, plain.unit_amount) == (
        "tiered",
        "graduated",
        None,
    )
    assert [(t.up_to, t.unit_amount) for t in expanded.tiers] == [(200, 0), (None, 50)]
    assert [(t.up_to, t.unit_amount) for t in retrieved.tiers] == [(200, 0), (None, 50)]


def test_hourly_summaries_and_a_new_meter_event(client, backbone, acme, sandbox):
    meter = next(m for m in client.v1.billing.meters.list().data if m.event_name == "api_calls")
    today = int(datetime.combine(backbone.today, datetime.min.time(), UTC).timestamp())
    params: Any = {
        "customer": acme,
        "start_time": today,
        "end_time": today + 86_400,
        "value_grouping_window": "hour",
        "limit": 100,
    }
    before = client.v1.billing.meters.event_summaries.list(meter.id, params=params).data

    sandbox["stripe"].call(
        "POST",
        "/_sandbox/meter_events",
        {
            "customer": acme,
            "event_name": "api_calls",
            "value": 250,
            "timestamp": today + 9 * 3600 + 30,
        },
    )
    after = client.v1.billing.meters.event_summaries.list(meter.id, params=params).data

    assert len(before) == 24
    changed = [
        (a.start_time, a.aggregated_value - b.aggregated_value)
        for a, b in zip(after, before, strict=True)
        if a.aggregated_value != b.aggregated_value
    ]
    assert changed == [(today + 9 * 3600, 250.0)]


def test_event_summaries_need_aligned_times(client, backbone, acme):
    meter = client.v1.billing.meters.list().data[0]
    start = int(backbone.now.timestamp())

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.billing.meters.event_summaries.list(
            meter.id,
            params={
                "customer": acme,
                "start_time": start,
                "end_time": start + 86_400,
                "value_grouping_window": "day",
            },
        )

    assert caught.value.param == "start_time"


# Payment methods and hosted sessions


def test_card_payment_methods_of_a_customer(client, seed, acme):
    cards = client.v1.payment_methods.list(params={"customer": acme, "type": "card"})
    same = client.v1.customers.payment_methods.list(acme)

    expected = sorted(
        (seed.payment_methods[i] for i in seed.payment_methods_by_customer[acme]),
        key=lambda pm: pm["created"],
        reverse=True,
    )
    assert [pm.id for pm in cards.data] == [pm["id"] for pm in expected]
    assert [pm.id for pm in same.data] == [pm.id for pm in cards.data]
    assert all(pm.card is not None and len(pm.card.last4) == 4 for pm in cards.data)


def test_billing_portal_and_setup_checkout_sessions_point_at_the_sandbox(client, acme, urls):
    portal = client.v1.billing_portal.sessions.create(
        params={"customer": acme, "return_url": "https://portal.example/billing"}
    )
    checkout = client.v1.checkout.sessions.create(
        params={
            "mode": "setup",
            "customer": acme,
            "currency": "usd",
            "success_url": "https://portal.example/billing?added=1",
        }
    )

    assert isinstance(portal, stripe.billing_portal.Session)
    assert portal.url.startswith(urls["stripe"] + "/p/session/bps_")
    assert raw(portal.url)[0] == 200
    assert isinstance(checkout, stripe.checkout.Session)
    assert (checkout.mode, checkout.status, checkout.customer) == ("setup", "open", acme)
    assert checkout.url is not None and raw(checkout.url)[0] == 200
    assert client.v1.checkout.sessions.retrieve(checkout.id).url == checkout.url


# Idempotency, errors and knobs


def test_idempotent_post_replays_and_refuses_other_params(client, acme):
    first = client.v1.customers.update(
        acme, params={"name": "One"}, options={"idempotency_key": "key-1"}
    )
    client.v1.customers.update(acme, params={"name": "Two"})
    replay = client.v1.customers.update(
        acme, params={"name": "One"}, options={"idempotency_key": "key-1"}
    )

    assert replay.name == first.name == "One"
    assert replay.last_response is not None
    assert replay.last_response.headers["Idempotent-Replayed"] == "true"
    assert client.v1.customers.retrieve(acme).name == "Two"
    with pytest.raises(stripe.IdempotencyError) as caught:
        client.v1.customers.update(
            acme, params={"name": "Three"}, options={"idempotency_key": "key-1"}
        )
    assert caught.value.http_status == 400


def test_unknown_ids_are_404_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.invoices.retrieve("in_missing")

    assert (caught.value.http_status, caught.value.code, caught.value.param) == (
        404,
        "resource_missing",
        "id",
    )
    assert caught.value.user_message == "No such invoice: 'in_missing'"
    assert json.loads(str(caught.value.http_body))["error"]["doc_url"].endswith("/resource-missing")


def test_bad_parameters_are_400(client, acme):
    with pytest.raises(stripe.InvalidRequestError) as too_many:
        client.v1.invoices.list(params={"customer": acme, "limit": 101})
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.invoices.list(params={"customer": acme, "colour": "red"})
    with pytest.raises(stripe.InvalidRequestError) as no_customer:
        client.v1.invoices.list(params={"customer": "cus_missing"})

    assert (too_many.value.http_status, too_many.value.param) == (400, "limit")
    assert too_many.value.user_message == "This value must be less than or equal to 100."
    assert (unknown.value.code, unknown.value.param) == ("parameter_unknown", "colour")
    assert (no_customer.value.http_status, no_customer.value.code) == (400, "resource_missing")


def test_wrong_or_missing_key_is_401(urls, acme):
    bad = stripe.StripeClient(
        "pk_test_public", base_addresses={"api": urls["stripe"]}, max_network_retries=0
    )
    with pytest.raises(stripe.AuthenticationError) as caught:
        bad.v1.customers.retrieve(acme)
    status, headers, body = raw(f"{urls['stripe']}/v1/customers/{acme}")

    assert caught.value.http_status == 401
    assert caught.value.user_message == "Invalid API Key provided: pk_test_**blic"
    assert status == 401 and headers["WWW-Authenticate"] == 'Basic realm="Stripe"'
    assert json.loads(body)["error"]["type"] == "invalid_request_error"


def test_basic_auth_with_the_key_as_user_and_stripe_version_echo(urls, acme):
    basic = base64.b64encode(f"{KEY}:".encode()).decode()

    status, headers, body = raw(
        f"{urls['stripe']}/v1/customers/{acme}",
        headers={"Authorization": f"Basic {basic}", "Stripe-Version": "2025-03-31.basil"},
    )

    assert status == 200 and json.loads(body)["id"] == acme
    assert headers["Stripe-Version"] == "2025-03-31.basil"
    assert re.fullmatch(r"req_\w+", headers["Request-Id"])


def test_unknown_url_is_stripes_404(urls):
    status, _, body = raw(
        f"{urls['stripe']}/v1/widgets", headers={"Authorization": f"Bearer {KEY}"}
    )

    assert status == 404
    assert json.loads(body)["error"]["message"].startswith(
        "Unrecognized request URL (GET: /v1/widgets)."
    )


def test_outage_and_rate_limit_knobs(client, sandbox, acme):
    sandbox["stripe"].set_knobs(outage=True)
    with pytest.raises(stripe.APIError) as outage:
        client.v1.customers.retrieve(acme)
    sandbox["stripe"].set_knobs(outage=False, rate_limit=1, rate_window_s=60)
    client.v1.customers.retrieve(acme)
    with pytest.raises(stripe.RateLimitError) as limited:
        client.v1.customers.retrieve(acme)

    assert outage.value.http_status == 503
    assert limited.value.http_status == 429
    assert limited.value.headers is not None and int(limited.value.headers["Retry-After"]) >= 1
    assert [(c.path, c.status) for c in sandbox["stripe"].requests()] == [
        (f"/v1/customers/{acme}", 503),
        (f"/v1/customers/{acme}", 200),
        (f"/v1/customers/{acme}", 429),
    ]


# Admin changes


def test_admin_creates_and_pays_an_invoice(client, sandbox, seed, acme):
    created = sandbox["stripe"].call(
        "POST", "/_sandbox/invoices", {"customer": acme, "amount_due": 12_345}
    )
    newest = client.v1.invoices.list(params={"customer": acme, "limit": 1}).data[0]
    sandbox["stripe"].call("POST", f"/_sandbox/invoices/{created['id']}/pay")
    paid = client.v1.invoices.retrieve(created["id"])

    assert (newest.id, newest.status, newest.amount_due, newest.number) == (
        created["id"],
        "open",
        12_345,
        f"ACME-{seed.customers[acme]['next_invoice_sequence']:04d}",
    )
    assert (paid.status, paid.amount_paid, paid.amount_remaining) == ("paid", 12_345, 0)
    assert paid.status_transitions.paid_at is not None
    changes = sandbox["stripe"].call("GET", "/_sandbox/changes")
    assert [(c["kind"], c["object_id"]) for c in changes] == [
        ("invoice.created", created["id"]),
        ("invoice.finalized", created["id"]),
        ("invoice.paid", created["id"]),
    ]


def test_timestamps_are_within_the_last_two_years(seed, backbone):
    now = backbone.now
    oldest = min(i["created"] for i in seed.invoices.values())

    assert datetime.fromtimestamp(oldest, UTC) >= now - timedelta(days=731)
