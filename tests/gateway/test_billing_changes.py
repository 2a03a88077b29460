"""Plan and seat changes end to end: the preview is what Stripe charges (usd, gbp and jpy),
downgrades wait for the period's end, the same request twice is one change, cancel and
resume, bad input, roles, other accounts' prices, and Stripe failing mid-change. Stripe's
state is read back through the official SDK."""

from __future__ import annotations

import asyncio

import pytest
import stripe

from sandbox.control import SandboxControl
from tests.gateway.billing_calls import CHANGE, PREVIEW, change, preview, price_id, subscription_of
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, GLOBEX, INITECH, UMBRELLA, company, member
from tests.gateway.upstream_state import (
    NO_WRITES,
    company_notes,
    hubspot_patch,
    stripe_sdk,
    upstream_writes,
)

CANCEL = """
mutation ($input: CancelSubscriptionInput!) {
  cancelSubscription(input: $input) {
    subscription { status cancelAtPeriodEnd cancelAt cancellationReason }
    userErrors { field message code }
  }
}"""
RESUME = """
mutation { resumeSubscription { subscription { cancelAtPeriodEnd cancelAt }
                                userErrors { field code } } }"""
BILLING = """
{ viewer { account {
  plans { priceId name currency unitPrice { amount } perSeat maxQuantity downgradeAtPeriodEnd
          tiers { upTo unitPrice { amount } } }
  subscription { plan items { priceId quantity } cancelAtPeriodEnd
                 scheduledChange { priceId quantity plan }
                 upcomingInvoice { total { amount currency } amountDue { amount } } }
} } }"""


def stripe_calls(sandbox: SandboxControl) -> list[str]:
    return [f"{c.method} {c.path}" for c in sandbox["stripe"].requests()]


def expected_proration(
    invoice: stripe.Invoice, sub: stripe.Subscription, old: int, new: int
) -> int:
    """Stripe's arithmetic, independently: the unused share of the old plan credited, the
    remaining share of the new one charged, each rounded to the currency's minor unit."""
    start = sub["items"].data[0].current_period_start
    end = sub["items"].data[0].current_period_end
    when = invoice.lines.data[0].period.start
    share = (end - when) / (end - start)
    return int(round(new * share) - round(old * share))


@pytest.mark.parametrize(
    ("company_id", "target", "quantity", "old_amount", "new_amount"),
    [
        (INITECH, "growth_monthly_usd", 3, 4_900, 3 * 19_900),
        (GLOBEX, "enterprise_monthly_gbp", 2, 15_900, 2 * 79_900),
        (INITECH, "growth_graduated_usd", 12, 4_900, 10 * 19_900 + 2 * 14_900),
    ],
    ids=["usd", "gbp", "usd-graduated"],
)
async def test_an_upgrade_charges_exactly_the_preview(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str],
    company_id: str, target: str, quantity: int, old_amount: int, new_amount: int,
) -> None:  # fmt: skip
    admin = member(client.backbone, company_id, "ADMIN")
    customer = company(client.backbone, company_id).stripe_customer_id
    new_price = price_id(urls, target)
    before = subscription_of(urls, customer)

    previewed = await preview(client, admin, new_price, quantity)
    sandbox.clear_requests()
    changed = await change(client, admin, new_price, quantity,
                           previewed["preview"]["prorationDate"])  # fmt: skip
    calls = stripe_calls(sandbox)

    shown = previewed["preview"]
    assert previewed["userErrors"] == [] and changed["userErrors"] == []
    assert (shown["timing"], changed["timing"]) == ("IMMEDIATELY", "IMMEDIATELY")
    after = subscription_of(urls, customer)
    invoice = stripe_sdk(urls).v1.invoices.retrieve(str(after.latest_invoice))
    assert shown["amountDueNow"]["amount"] == invoice.amount_due
    assert shown["amountDueNow"]["amount"] == expected_proration(invoice, before, old_amount,
                                                                 new_amount)  # fmt: skip
    assert [ln["amount"]["amount"] for ln in shown["lines"]] == [
        ln.amount for ln in invoice.lines.data
    ]
    assert shown["nextInvoiceTotal"]["amount"] == new_amount
    assert (invoice.billing_reason, invoice.status) == ("subscription_update", "paid")
    assert (after["items"].data[0].price.id, after["items"].data[0].quantity) == (
        new_price, quantity,
    )  # fmt: skip
    assert changed["subscription"]["items"][0] == {"priceId": new_price, "quantity": quantity}
    assert changed["invoiceId"] is not None
    assert calls == [f"GET /v1/subscriptions/{before.id}", f"POST /v1/subscriptions/{before.id}"]
    note = company_notes(urls, company_id)[-1]
    assert f"changed the subscription {before.id} from" in note and "at once" in note


async def test_a_jpy_account_is_charged_the_preview_in_whole_yen(
    client: GatewayClient, urls: dict[str, str]
) -> None:
    sdk = stripe_sdk(urls)
    customer = sdk.v1.customers.create(params={"name": "Umbrella KK", "email": "ap@umbrella.jp"})
    session = sdk.v1.checkout.sessions.create(
        params={"mode": "setup", "customer": customer.id, "success_url": "https://x.example/"}
    )
    card = SandboxControl(urls)["stripe"].call(
        "POST", f"/_sandbox/checkout/sessions/{session.id}/complete"
    )
    sdk.v1.subscriptions.create(params={
        "customer": customer.id, "default_payment_method": card["id"],
        "items": [{"price": price_id(urls, "growth_monthly_jpy"), "quantity": 2}],
    })  # fmt: skip
    hubspot_patch(urls, "companies", UMBRELLA, {"stripe_customer_id": customer.id})
    admin = member(client.backbone, UMBRELLA, "ADMIN")
    enterprise = price_id(urls, "enterprise_monthly_jpy")
    before = subscription_of(urls, customer.id)

    shown = (await preview(client, admin, enterprise, 2))["preview"]
    changed = await change(client, admin, enterprise, 2, shown["prorationDate"])

    assert changed["userErrors"] == []
    invoice = sdk.v1.invoices.retrieve(str(subscription_of(urls, customer.id).latest_invoice))
    assert shown["amountDueNow"] == {
        "amount": invoice.amount_due, "currency": "JPY", "decimal": str(invoice.amount_due),
    }  # fmt: skip
    assert invoice.amount_due == expected_proration(invoice, before, 60_000, 300_000)
    assert shown["nextInvoiceTotal"] == {"amount": 300_000, "currency": "JPY",
                                         "decimal": "300000"}  # fmt: skip


async def test_a_downgrade_waits_for_the_period_end_through_a_schedule(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    customer = company(client.backbone, ACME).stripe_customer_id
    growth = price_id(urls, "growth_monthly_usd")
    before = subscription_of(urls, customer)
    end = before["items"].data[0].current_period_end

    shown = (await preview(client, admin, growth, 5))["preview"]
    sandbox.clear_requests()
    changed = await change(client, admin, growth, 5, shown["prorationDate"])
    calls = stripe_calls(sandbox)

    assert (shown["timing"], shown["amountDueNow"]["amount"], shown["lines"]) == (
        "AT_PERIOD_END", 0, [],
    )  # fmt: skip
    assert shown["nextInvoiceTotal"]["amount"] == 5 * 19_900
    assert changed["timing"] == "AT_PERIOD_END" and changed["invoiceId"] is None
    assert changed["subscription"]["scheduledChange"]["priceId"] == growth
    assert changed["subscription"]["scheduledChange"]["plan"] == "Growth"
    after = subscription_of(urls, customer)
    assert after["items"].data[0].price.id == before["items"].data[0].price.id  # not yet
    schedule = after.schedule
    assert isinstance(schedule, stripe.SubscriptionSchedule)
    assert schedule.phases[0].end_date == end == schedule.phases[1].start_date
    assert (schedule.phases[1].items[0].price, schedule.phases[1].items[0].quantity) == (
        growth, 5,
    )  # fmt: skip
    assert calls == [
        f"GET /v1/subscriptions/{before.id}",
        "POST /v1/subscription_schedules",
        f"POST /v1/subscription_schedules/{schedule.id}",
        f"GET /v1/subscriptions/{before.id}",
    ]
    shown_now = await client.query(BILLING, as_=admin)
    account = shown_now["data"]["viewer"]["account"]
    assert account["subscription"]["scheduledChange"] == {
        "priceId": growth, "quantity": 5, "plan": "Growth",
    }  # fmt: skip

    sandbox["stripe"].call("POST", f"/_sandbox/subscriptions/{before.id}/end_period")
    renewed = subscription_of(urls, customer)
    assert (renewed["items"].data[0].price.id, renewed["items"].data[0].quantity) == (growth, 5)


async def test_the_same_change_twice_is_one_change(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, INITECH, "ADMIN")
    customer = company(client.backbone, INITECH).stripe_customer_id
    growth = price_id(urls, "growth_monthly_usd")
    token = (await preview(client, admin, growth, 2))["preview"]["prorationDate"]
    sandbox.clear_requests()

    first, second = await asyncio.gather(
        change(client, admin, growth, 2, token), change(client, admin, growth, 2, token)
    )
    third = await change(client, admin, growth, 2, token)

    assert first["userErrors"] == second["userErrors"] == third["userErrors"] == []
    updates = sdk_invoices(urls, customer, "subscription_update")
    assert len(updates) == 1
    changes = [c for c in sandbox["stripe"].call("GET", "/_sandbox/changes")
               if c["kind"] == "invoice.created"]  # fmt: skip
    assert len(changes) == 1
    assert len([n for n in company_notes(urls, INITECH) if "changed the subscription" in n]) == 1


def sdk_invoices(urls: dict[str, str], customer: str, reason: str) -> list[stripe.Invoice]:
    found = stripe_sdk(urls).v1.invoices.list(params={"customer": customer, "limit": 100})
    return [i for i in found.data if i.billing_reason == reason]


async def test_a_preview_from_before_the_period_renewed_has_expired(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, INITECH, "ADMIN")
    customer = company(client.backbone, INITECH).stripe_customer_id
    growth = price_id(urls, "growth_monthly_usd")
    token = (await preview(client, admin, growth, 2))["preview"]["prorationDate"]
    sandbox["stripe"].call(
        "POST", f"/_sandbox/subscriptions/{subscription_of(urls, customer).id}/end_period"
    )
    sandbox.clear_requests()

    changed = await change(client, admin, growth, 2, token)

    assert [e["code"] for e in changed["userErrors"]] == ["PREVIEW_EXPIRED"]
    assert upstream_writes(sandbox) == NO_WRITES


async def test_a_token_of_another_change_is_refused(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, INITECH, "ADMIN")
    growth = price_id(urls, "growth_monthly_usd")
    token = (await preview(client, admin, growth, 2))["preview"]["prorationDate"]
    sandbox.clear_requests()

    more_seats = await change(client, admin, growth, 9, token)
    forged = await change(client, admin, growth, 2, token[:-2] + "xx")

    assert [e["code"] for e in more_seats["userErrors"]] == ["PREVIEW_MISMATCH"]
    assert [e["code"] for e in forged["userErrors"]] == ["PREVIEW_MISMATCH"]
    assert upstream_writes(sandbox) == NO_WRITES


BAD_INPUT = [
    ("price_doesNotExist0000000", 1, "priceId", "NOT_FOUND"),
    ("enterprise_contract_1001_usd", 1, "priceId", "NOT_FOUND"),  # Acme's contract price
    ("growth_monthly_2024_usd", 2, "priceId", "PRICE_ARCHIVED"),
    ("growth_monthly_eur", 2, "priceId", "CURRENCY_MISMATCH"),
    ("growth_monthly_usd", 0, "quantity", "INVALID_QUANTITY"),
    ("growth_monthly_usd", -3, "quantity", "INVALID_QUANTITY"),
    ("growth_monthly_usd", 51, "quantity", "INVALID_QUANTITY"),
    ("starter_monthly_usd", 2, "quantity", "INVALID_QUANTITY"),  # a flat plan
    ("starter_monthly_usd", 1, None, "NO_CHANGE"),
]


@pytest.mark.parametrize(("lookup_key", "quantity", "field", "code"), BAD_INPUT,
                         ids=[f"{c}-{k}-{q}" for k, q, _, c in BAD_INPUT])  # fmt: skip
async def test_bad_changes_are_user_errors_and_write_nothing(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str],
    lookup_key: str, quantity: int, field: str | None, code: str,
) -> None:  # fmt: skip
    admin = member(client.backbone, INITECH, "ADMIN")
    price = lookup_key if lookup_key.startswith("price_") else price_id(urls, lookup_key)
    sandbox.clear_requests()

    shown = await preview(client, admin, price, quantity)

    assert shown["preview"] is None
    assert [(e["field"], e["code"]) for e in shown["userErrors"]] == [(field, code)]
    assert upstream_writes(sandbox) == NO_WRITES


async def test_plans_offer_the_accounts_currency_and_its_own_contract_price(
    client: GatewayClient, urls: dict[str, str]
) -> None:
    acme = await client.query(BILLING, as_=member(client.backbone, ACME, "ADMIN"))
    initech = await client.query(BILLING, as_=member(client.backbone, INITECH, "ADMIN"))

    acme_plans = acme["data"]["viewer"]["account"]["plans"]
    assert [
        (p["name"], (p["unitPrice"] or {}).get("amount"), p["maxQuantity"], p["perSeat"])
        for p in acme_plans
    ] == [
        ("Starter", 4_900, 1, False), ("Growth", None, 50, True), ("Growth", 19_900, 50, True),
        ("Enterprise", 99_900, 500, True), ("Enterprise", 89_900, 500, True),
        ("Portal seats", 1_500, 1000, True),
    ]  # fmt: skip
    assert acme_plans[1]["tiers"] == [
        {"upTo": 10, "unitPrice": {"amount": 19_900}},
        {"upTo": None, "unitPrice": {"amount": 14_900}},
    ]
    assert {p["currency"] for p in acme_plans} == {"USD"}
    contract = price_id(urls, "enterprise_contract_1001_usd")
    assert contract not in [p["priceId"] for p in initech["data"]["viewer"]["account"]["plans"]]
    upcoming = initech["data"]["viewer"]["account"]["subscription"]["upcomingInvoice"]
    assert upcoming["total"]["currency"] == "USD" and upcoming["total"]["amount"] >= 4_900


async def test_cancel_at_the_period_end_with_a_reason_then_resume(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, GLOBEX, "ADMIN")
    customer = company(client.backbone, GLOBEX).stripe_customer_id
    variables = {"input": {"reason": "TOO_EXPENSIVE", "feedback": "Budget cuts in Q1."}}
    sandbox.clear_requests()

    cancelled = await client.query(CANCEL, variables, as_=admin)
    twice = await client.query(CANCEL, variables, as_=admin)
    posts = [c for c in stripe_calls(sandbox) if c.startswith("POST")]

    answer = cancelled["data"]["cancelSubscription"]
    assert answer["userErrors"] == []
    assert answer["subscription"]["cancelAtPeriodEnd"] is True
    assert answer["subscription"]["cancellationReason"] == "TOO_EXPENSIVE"
    details = subscription_of(urls, customer).cancellation_details
    assert details is not None
    assert (details.feedback, details.comment) == ("too_expensive", "Budget cuts in Q1.")
    assert [e["code"] for e in twice["data"]["cancelSubscription"]["userErrors"]] == [
        "ALREADY_CANCELLED"
    ]
    ending = await client.query(BILLING, as_=admin)
    assert ending["data"]["viewer"]["account"]["subscription"]["upcomingInvoice"] is None
    assert posts == [f"POST /v1/subscriptions/{subscription_of(urls, customer).id}"]

    resumed = await client.query(RESUME, as_=admin)
    again = await client.query(RESUME, as_=admin)

    assert resumed["data"]["resumeSubscription"] == {
        "subscription": {"cancelAtPeriodEnd": False, "cancelAt": None}, "userErrors": [],
    }  # fmt: skip
    assert again["data"]["resumeSubscription"]["userErrors"] == [
        {"field": None, "code": "NOT_CANCELLING"}
    ]
    assert subscription_of(urls, customer).cancel_at_period_end is False
    notes = company_notes(urls, GLOBEX)
    assert "cancelled the subscription" in notes[-2] and "too_expensive" in notes[-2]
    assert "resumed the subscription" in notes[-1]


async def test_cancel_at_once(client: GatewayClient, urls: dict[str, str]) -> None:
    admin = member(client.backbone, INITECH, "ADMIN")
    customer = company(client.backbone, INITECH).stripe_customer_id

    body = await client.query(CANCEL, {"input": {"atPeriodEnd": False, "reason": "UNUSED"}},
                              as_=admin)  # fmt: skip
    after = await client.query(CANCEL, {"input": {"atPeriodEnd": False}}, as_=admin)

    assert body["data"]["cancelSubscription"]["subscription"]["status"] == "CANCELED"
    sub = stripe_sdk(urls).v1.subscriptions.list(params={"customer": customer, "status": "all"})
    assert sub.data[0].status == "canceled"
    assert [e["code"] for e in after["data"]["cancelSubscription"]["userErrors"]] == [
        "ALREADY_CANCELLED"
    ]


@pytest.mark.parametrize("role", ["USER", "READ_ONLY"])
async def test_only_an_admin_changes_the_subscription(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str], role: str
) -> None:
    person = member(client.backbone, ACME, role)
    growth = price_id(urls, "growth_monthly_usd")
    sandbox.clear_requests()

    for query, variables in (
        (PREVIEW, {"input": {"priceId": growth, "quantity": 2}}),
        (CHANGE, {"input": {"priceId": growth, "quantity": 2, "prorationDate": "x.y"}}),
        (CANCEL, {"input": {}}),
        (RESUME, {}),
    ):
        body = await client.query(query, variables, as_=person)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body

    assert upstream_writes(sandbox) == NO_WRITES


async def test_an_api_token_may_not_change_the_subscription(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    created = await client.query('mutation { createApiToken(name: "BI") { secret } }', as_=admin)
    secret = created["data"]["createApiToken"]["secret"]
    sandbox.clear_requests()

    response = await client.http.post(
        "/graphql", json={"query": CANCEL, "variables": {"input": {}}},
        headers={"Authorization": f"Bearer {secret}"},
    )  # fmt: skip

    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert upstream_writes(sandbox) == NO_WRITES


async def test_stripe_down_mid_change_then_a_retry_converges_to_one_change(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, INITECH, "ADMIN")
    customer = company(client.backbone, INITECH).stripe_customer_id
    growth = price_id(urls, "growth_monthly_usd")
    token = (await preview(client, admin, growth, 2))["preview"]["prorationDate"]

    sandbox["stripe"].set_knobs(outage=True)
    variables = {"input": {"priceId": growth, "quantity": 2, "prorationDate": token}}
    down = await client.query(CHANGE, variables, as_=admin)
    sandbox["stripe"].set_knobs(outage=False)

    assert down["errors"][0]["extensions"] == {
        "code": "UPSTREAM_UNAVAILABLE", "service": "stripe",
    }  # fmt: skip
    assert sdk_invoices(urls, customer, "subscription_update") == []

    # Slow: the read takes 1 s, the write 1 s more: past the 1.8 s deadline the gateway
    # gives up on the answer, yet Stripe applies the change.
    sandbox["stripe"].set_knobs(latency_ms=1000)
    slow = await client.query(CHANGE, variables, as_=admin)
    await asyncio.sleep(0.5)  # the sandbox finishes the request the gateway gave up on
    sandbox["stripe"].set_knobs(latency_ms=0)

    assert slow["errors"][0]["extensions"] == {"code": "UPSTREAM_TIMEOUT", "service": "stripe"}
    assert len(sdk_invoices(urls, customer, "subscription_update")) == 1
    retried = await change(client, admin, growth, 2, token)

    assert retried["userErrors"] == []
    assert retried["subscription"]["items"][0] == {"priceId": growth, "quantity": 2}
    assert len(sdk_invoices(urls, customer, "subscription_update")) == 1


async def test_a_downgrade_is_planned_once_and_a_later_upgrade_replaces_it(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    customer = company(client.backbone, ACME).stripe_customer_id
    growth, enterprise = (
        price_id(urls, "growth_monthly_usd"),
        price_id(urls, "enterprise_monthly_usd"),
    )
    token = (await preview(client, admin, growth, 5))["preview"]["prorationDate"]
    await change(client, admin, growth, 5, token)
    sandbox.clear_requests()

    again = await change(client, admin, growth, 5, token)

    assert again["userErrors"] == [] and again["timing"] == "AT_PERIOD_END"
    assert upstream_writes(sandbox)["stripe"] == []
    planned = subscription_of(urls, customer).schedule
    assert isinstance(planned, stripe.SubscriptionSchedule)

    upgrade = (await preview(client, admin, enterprise, 2))["preview"]
    upgraded = await change(client, admin, enterprise, 2, upgrade["prorationDate"])

    assert upgraded["userErrors"] == [] and upgraded["timing"] == "IMMEDIATELY"
    assert upgraded["subscription"]["scheduledChange"] is None
    after = subscription_of(urls, customer)
    assert after.schedule is None
    assert (after["items"].data[0].price.id, after["items"].data[0].quantity) == (enterprise, 2)
    released = stripe_sdk(urls).v1.subscription_schedules.retrieve(planned.id)
    assert released.status == "released"


INVITE = """mutation { inviteMember(input: {email: "new.one@acme.example", firstName: "New",
  lastName: "One", role: USER}) { userErrors { code message } } }"""


async def test_seats_added_here_are_the_seats_team_management_counts(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    customer = company(client.backbone, ACME).stripe_customer_id
    seats = price_id(urls, "seats_monthly_usd")
    plan_before = subscription_of(urls, customer)["items"].data[0].price.id
    used = sum(p.status in ("ACTIVE", "INVITED") for p in client.backbone.people_of(ACME))

    full = (await preview(client, admin, seats, used))["preview"]
    added = await change(client, admin, seats, used, full["prorationDate"])
    refused = await client.query(INVITE, as_=admin)
    one_more = (await preview(client, admin, seats, used + 1))["preview"]
    raised = await change(client, admin, seats, used + 1, one_more["prorationDate"])
    invited = await client.query(INVITE, as_=admin)

    assert added["userErrors"] == raised["userErrors"] == []
    assert (full["timing"], one_more["timing"]) == ("IMMEDIATELY", "IMMEDIATELY")
    [error] = refused["data"]["inviteMember"]["userErrors"]
    assert error["code"] == "SEAT_LIMIT" and "previewSubscriptionChange" in error["message"]
    assert invited["data"]["inviteMember"]["userErrors"] == []
    after = subscription_of(urls, customer)
    licensed = [(i.price.id, i.quantity) for i in after["items"].data if i.quantity is not None]
    assert licensed == [(plan_before, 1), (seats, used + 1)]  # the plan untouched
    invoice = stripe_sdk(urls).v1.invoices.retrieve(str(after.latest_invoice))
    assert invoice.amount_due == one_more["amountDueNow"]["amount"] > 0
