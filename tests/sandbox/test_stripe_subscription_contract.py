"""The Stripe sandbox's subscription self-service API, as the official SDK sees it: the portal
catalogue in metadata, cancellation details, resume, schedules for period-end changes, setup
Checkout completing into a card, detaching cards, new customers and subscriptions (in jpy)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
import stripe

from sandbox.accounts import Backbone

KEY = "sk_test_sandbox"


@pytest.fixture
def client(urls: dict[str, str]) -> stripe.StripeClient:
    return stripe.StripeClient(KEY, base_addresses={"api": urls["stripe"]}, max_network_retries=0)


@pytest.fixture
def acme(backbone: Backbone) -> str:
    return backbone.companies[0].stripe_customer_id


def admin(urls: dict[str, str], path: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(  # noqa: S310 - loopback sandbox URL
        urls["stripe"] + path, data=json.dumps(body or {}).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def price(client: stripe.StripeClient, lookup_key: str) -> stripe.Price:
    return client.v1.prices.list(params={"lookup_keys": [lookup_key]}).data[0]


def subscription_of(client: stripe.StripeClient, customer: str) -> stripe.Subscription:
    return client.v1.subscriptions.list(params={"customer": customer}).data[0]


def test_the_portal_catalogue_is_marked_in_metadata(client):
    prices = client.v1.prices.list(params={"limit": 100, "expand": ["data.product"]}).data
    offered = {p.lookup_key: p for p in prices if p.metadata.to_dict().get("portal_offer")}

    growth = offered["growth_monthly_usd"]
    assert growth.metadata.to_dict() == {
        "portal_offer": "true",
        "portal_max_quantity": "50",
        "portal_downgrade": "period_end",
    }
    assert isinstance(growth.product, stripe.Product)
    assert growth.product.metadata.to_dict() == {"portal_rank": "2"}
    assert offered["starter_monthly_jpy"].unit_amount == 7_500
    assert offered["enterprise_contract_1001_usd"].metadata["portal_account"] == "1001"
    assert offered["growth_monthly_2024_usd"].active is False
    archived = client.v1.prices.list(params={"active": False}).data
    assert {p.lookup_key for p in archived} == {
        "starter_monthly_2024_usd", "growth_monthly_2024_usd", "enterprise_monthly_2024_usd",
    }  # fmt: skip


def test_an_archived_price_is_refused(client, acme):
    subscription = subscription_of(client, acme)
    item = subscription["items"].data[0]

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.subscriptions.update(
            subscription.id,
            params={
                "items": [{"id": item.id, "price": price(client, "growth_monthly_2024_usd").id}]
            },
        )

    assert caught.value.param == "items[0][price]"
    assert "inactive" in str(caught.value.user_message)


def test_cancel_at_period_end_with_cancellation_details_then_resume(client, acme):
    subscription = subscription_of(client, acme)

    cancelling = client.v1.subscriptions.update(
        subscription.id,
        params={
            "cancel_at_period_end": True,
            "cancellation_details": {"feedback": "too_expensive", "comment": "Budget cuts"},
        },
    )
    resumed = client.v1.subscriptions.update(
        subscription.id, params={"cancel_at_period_end": False}
    )

    assert cancelling.cancellation_details.to_dict() == {
        "comment": "Budget cuts",
        "feedback": "too_expensive",
        "reason": "cancellation_requested",
    }
    assert cancelling.cancel_at == subscription["items"].data[0].current_period_end
    assert (resumed.cancel_at_period_end, resumed.cancel_at) == (False, None)
    assert resumed.cancellation_details.to_dict() == {
        "comment": None,
        "feedback": None,
        "reason": None,
    }
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.subscriptions.update(
            subscription.id, params={"cancellation_details": {"feedback": "because"}}
        )
    assert caught.value.param == "cancellation_details[feedback]"


def test_cancel_now_keeps_the_feedback_and_a_second_cancel_is_refused(client, acme):
    subscription = subscription_of(client, acme)

    cancelled = client.v1.subscriptions.cancel(
        subscription.id, params={"cancellation_details": {"feedback": "unused"}}
    )

    assert cancelled.status == "canceled"
    assert cancelled.cancellation_details.feedback == "unused"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.cancel(subscription.id)


def test_a_schedule_moves_to_a_cheaper_plan_at_the_period_end(client, acme, urls):
    subscription = subscription_of(client, acme)
    plan_item = subscription["items"].data[0]
    start, end = plan_item.current_period_start, plan_item.current_period_end
    growth = price(client, "growth_monthly_usd")

    schedule = client.v1.subscription_schedules.create(
        params={"from_subscription": subscription.id}
    )
    current = [{"price": i.price.id, "quantity": i.quantity} for i in subscription["items"].data]
    following = [{**current[0], "price": growth.id, "quantity": 3}, *current[1:]]
    updated = client.v1.subscription_schedules.update(
        schedule.id,
        params={
            "phases": [
                {"items": current, "start_date": start, "end_date": end},
                {"items": following, "iterations": 1},
            ],
            "end_behavior": "release",
        },
    )

    assert isinstance(updated, stripe.SubscriptionSchedule)
    assert (updated.status, updated.subscription, updated.end_behavior) == (
        "active", subscription.id, "release",
    )  # fmt: skip
    assert (updated.phases[0].start_date, updated.phases[0].end_date) == (start, end)
    assert updated.phases[1].start_date == end
    assert (updated.phases[1].items[0].price, updated.phases[1].items[0].quantity) == (
        growth.id,
        3,
    )
    assert client.v1.subscriptions.retrieve(subscription.id).schedule == schedule.id
    unchanged = client.v1.subscriptions.retrieve(subscription.id)
    assert unchanged["items"].data[0].price.id == plan_item.price.id

    admin(urls, f"/_sandbox/subscriptions/{subscription.id}/end_period")

    renewed = client.v1.subscriptions.retrieve(subscription.id)
    assert renewed["items"].data[0].price.id == growth.id
    assert renewed["items"].data[0].quantity == 3
    assert renewed["items"].data[0].current_period_start == end
    invoice = client.v1.invoices.retrieve(str(renewed.latest_invoice))
    assert invoice.billing_reason == "subscription_cycle"
    assert invoice.lines.data[0].amount == 3 * 19_900

    released = client.v1.subscription_schedules.release(schedule.id)
    assert (released.status, released.released_subscription) == ("released", subscription.id)
    assert client.v1.subscriptions.retrieve(subscription.id).schedule is None


def test_a_subscription_has_one_schedule_at_most(client, acme):
    subscription = subscription_of(client, acme)
    client.v1.subscription_schedules.create(params={"from_subscription": subscription.id})

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.subscription_schedules.create(params={"from_subscription": subscription.id})

    assert caught.value.param == "from_subscription"


def test_setup_checkout_completes_into_a_card_that_can_be_default_and_detached(client, acme, urls):
    session = client.v1.checkout.sessions.create(
        params={"mode": "setup", "customer": acme, "success_url": "https://portal.example/ok",
                "currency": "usd"}
    )  # fmt: skip
    card = admin(urls, f"/_sandbox/checkout/sessions/{session.id}/complete",
                 {"card": {"brand": "mastercard", "last4": "4444"}})  # fmt: skip

    attached = client.v1.payment_methods.retrieve(card["id"])
    assert (attached.customer, attached.card.brand, attached.card.last4) == (
        acme, "mastercard", "4444",
    )  # fmt: skip
    assert client.v1.checkout.sessions.retrieve(session.id).status == "complete"
    listed = client.v1.customers.payment_methods.list(acme).data
    assert card["id"] in [pm.id for pm in listed]

    customer = client.v1.customers.update(
        acme, params={"invoice_settings": {"default_payment_method": card["id"]}}
    )
    assert customer.invoice_settings.default_payment_method == card["id"]

    detached = client.v1.payment_methods.detach(card["id"])
    assert detached.customer is None
    assert card["id"] not in [pm.id for pm in client.v1.customers.payment_methods.list(acme).data]
    assert client.v1.customers.retrieve(acme).invoice_settings.default_payment_method is None
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_methods.detach(card["id"])


def test_a_new_jpy_customer_is_billed_in_whole_yen(client, urls, backbone):
    customer = client.v1.customers.create(params={"name": "Acme Japan K.K.",
                                                  "email": "ap@acme.example.jp"})  # fmt: skip
    assert customer.currency is None
    session = client.v1.checkout.sessions.create(
        params={"mode": "setup", "customer": customer.id, "success_url": "https://x.example/"}
    )
    card = admin(urls, f"/_sandbox/checkout/sessions/{session.id}/complete")
    growth = price(client, "growth_monthly_jpy")

    subscription = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": growth.id, "quantity": 2}],
                "default_payment_method": card["id"]}
    )  # fmt: skip

    assert client.v1.customers.retrieve(customer.id).currency == "jpy"
    first = client.v1.invoices.retrieve(str(subscription.latest_invoice))
    assert (first.billing_reason, first.status, first.amount_paid) == (
        "subscription_create", "paid", 60_000,
    )  # fmt: skip
    item = subscription["items"].data[0]
    enterprise = price(client, "enterprise_monthly_jpy")
    when = item.current_period_start + 7 * 86_400
    change = {"items": [{"id": item.id, "price": enterprise.id, "quantity": 2}],
              "proration_date": when, "proration_behavior": "always_invoice"}  # fmt: skip
    preview = client.v1.invoices.create_preview(
        params={"subscription": subscription.id, "subscription_details": change}
    )
    updated = client.v1.subscriptions.update(subscription.id, params=change)
    charged = client.v1.invoices.retrieve(str(updated.latest_invoice))

    assert charged.amount_due == preview.amount_due
    assert [li.amount for li in charged.lines.data] == [li.amount for li in preview.lines.data]
    assert all(isinstance(li.amount, int) for li in charged.lines.data)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.subscriptions.create(
            params={
                "customer": customer.id,
                "items": [{"price": price(client, "growth_monthly_usd").id}],
            }
        )
    assert "combine currencies" in str(caught.value.user_message)


def test_a_graduated_price_shows_its_tiers_when_expanded_and_bills_by_them(client, acme):
    plain = price(client, "growth_graduated_usd")
    expanded = client.v1.prices.list(
        params={"lookup_keys": ["growth_graduated_usd"], "expand": ["data.tiers"]}
    ).data[0]

    assert (plain.billing_scheme, plain.tiers_mode, plain.unit_amount) == (
        "tiered", "graduated", None,
    )  # fmt: skip
    assert "tiers" not in plain
    assert expanded.tiers is not None
    assert [(t.up_to, t.unit_amount) for t in expanded.tiers] == [(10, 19_900), (None, 14_900)]
    assert client.v1.prices.retrieve(plain.id, params={"expand": ["tiers"]}).tiers is not None

    subscription = subscription_of(client, acme)
    item = subscription["items"].data[0]
    preview = client.v1.invoices.create_preview(
        params={"subscription": subscription.id, "subscription_details": {
            "items": [{"id": item.id, "price": plain.id, "quantity": 12}],
            "proration_behavior": "none",
        }}
    )  # fmt: skip
    renewal = next(
        line for line in preview.lines.data if line.pricing.price_details.price == plain.id
    )
    assert renewal.amount == 10 * 19_900 + 2 * 14_900
