"""Payment methods and paying invoices end to end: add a card through Stripe's setup page,
make it the default, remove one (never the last, never the default of a live subscription),
pay an open invoice on Stripe's hosted page; other accounts' ids are NOT_FOUND; webhooks
keep every replica fresh."""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.request.ids import decode_id, encode_id
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, GLOBEX, INITECH, company, member
from tests.gateway.upstream_state import NO_WRITES, company_notes, stripe_sdk, upstream_writes

METHODS = "{ viewer { account { paymentMethods { id brand last4 expYear isDefault } } } }"
SETUP = """mutation ($input: CreatePaymentMethodSetupInput) {
  createPaymentMethodSetup(input: $input) { url userErrors { field code } } }"""
DEFAULT = """mutation ($id: ID!) { setDefaultPaymentMethod(input: {paymentMethodId: $id}) {
  paymentMethods { id last4 isDefault } userErrors { field code } } }"""
REMOVE = """mutation ($id: ID!) { removePaymentMethod(input: {paymentMethodId: $id}) {
  paymentMethods { id last4 isDefault } userErrors { field code } } }"""
PAY = """mutation ($id: ID!) { payInvoice(input: {invoiceId: $id}) {
  url userErrors { field code } } }"""
INVOICES = """query ($status: InvoiceStatus) { viewer { account {
  invoices(first: 1, status: $status) { nodes { id number } } } } }"""


def methods_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = body["data"]["viewer"]["account"]["paymentMethods"]
    return found


async def add_card(
    client: GatewayClient, sandbox: SandboxControl, person: Any, last4: str
) -> dict[str, Any]:
    """What a member does: ask for the setup page, finish it on Stripe (simulated)."""
    body = await client.query(SETUP, {"input": {"returnPath": "/billing"}}, as_=person)
    url = body["data"]["createPaymentMethodSetup"]["url"]
    session_id = url.rsplit("/", 1)[1]
    card: dict[str, Any] = sandbox["stripe"].call(
        "POST", f"/_sandbox/checkout/sessions/{session_id}/complete", {"card": {"last4": last4}}
    )
    return card


async def test_a_card_added_on_stripes_page_becomes_the_default_and_the_old_one_goes(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, INITECH, "ADMIN")
    customer = company(client.backbone, INITECH).stripe_customer_id
    sdk = stripe_sdk(urls)
    before = methods_of(await client.query(METHODS, as_=admin))  # cached: writes must evict
    old_default = next(m for m in before if m["isDefault"])
    sandbox.clear_requests()

    body = await client.query(SETUP, {"input": {"returnPath": "/billing"}}, as_=admin)
    url = body["data"]["createPaymentMethodSetup"]["url"]
    session = sdk.v1.checkout.sessions.retrieve(url.rsplit("/", 1)[1])
    assert url.startswith(urls["stripe"] + "/c/pay/cs_test_")
    assert (session.mode, session.customer) == ("setup", customer)
    assert session.success_url == "http://localhost/billing?setup=complete"
    assert upstream_writes(sandbox)["stripe"] == ["POST /v1/checkout/sessions"]
    card = sandbox["stripe"].call(
        "POST", f"/_sandbox/checkout/sessions/{session.id}/complete", {"card": {"last4": "4444"}}
    )
    new_id = encode_id("PaymentMethod", INITECH, card["id"])

    made_default = await client.query(DEFAULT, {"id": new_id}, as_=admin)
    removed = await client.query(REMOVE, {"id": old_default["id"]}, as_=admin)

    assert made_default["data"]["setDefaultPaymentMethod"]["userErrors"] == []
    settings = sdk.v1.customers.retrieve(customer).invoice_settings
    assert settings is not None and settings.default_payment_method == card["id"]
    subscription = sdk.v1.subscriptions.list(params={"customer": customer}).data[0]
    assert subscription.default_payment_method == card["id"]
    assert removed["data"]["removePaymentMethod"]["userErrors"] == []
    left = removed["data"]["removePaymentMethod"]["paymentMethods"]
    assert {"id": new_id, "last4": "4444", "isDefault": True} in left
    assert old_default["id"] not in [m["id"] for m in left]
    assert sdk.v1.payment_methods.retrieve(_stripe_id(old_default["id"])).customer is None
    now = methods_of(await client.query(METHODS, as_=admin))
    assert [m["id"] for m in now] == [m["id"] for m in left]
    notes = company_notes(urls, INITECH)
    assert "opened the Stripe page to add a payment method" in notes[-3]
    assert "the default payment method" in notes[-2] and "removed" in notes[-1]


async def test_the_default_and_the_last_payment_method_stay(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, GLOBEX, "ADMIN")
    customer = company(client.backbone, GLOBEX).stripe_customer_id
    sdk = stripe_sdk(urls)
    methods = methods_of(await client.query(METHODS, as_=admin))
    default = next(m for m in methods if m["isDefault"])
    for other in methods:  # down to the default card alone
        if not other["isDefault"]:
            sdk.v1.payment_methods.detach(_stripe_id(other["id"]))
    extra_id = encode_id(
        "PaymentMethod", GLOBEX, (await add_card(client, sandbox, admin, "1881"))["id"]
    )
    sandbox.clear_requests()

    in_use = await client.query(REMOVE, {"id": default["id"]}, as_=admin)

    assert in_use["data"]["removePaymentMethod"] == {
        "paymentMethods": None,
        "userErrors": [{"field": "paymentMethodId", "code": "DEFAULT_IN_USE"}],
    }
    removed = await client.query(REMOVE, {"id": extra_id}, as_=admin)
    assert removed["data"]["removePaymentMethod"]["userErrors"] == []
    last = await client.query(REMOVE, {"id": default["id"]}, as_=admin)
    assert last["data"]["removePaymentMethod"]["userErrors"] == [
        {"field": "paymentMethodId", "code": "LAST_PAYMENT_METHOD"}
    ]
    assert upstream_writes(sandbox)["stripe"] == [
        f"POST /v1/payment_methods/{_stripe_id(extra_id)}/detach"
    ]
    assert len(sdk.v1.customers.payment_methods.list(customer).data) == 1


def _stripe_id(global_id: str) -> str:
    return decode_id(global_id).upstream_id


async def test_pay_an_open_invoice_on_stripes_hosted_page(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    opened = await client.query(INVOICES, {"status": "OPEN"}, as_=admin)
    paid = await client.query(INVOICES, {"status": "PAID"}, as_=admin)
    open_id = opened["data"]["viewer"]["account"]["invoices"]["nodes"][0]["id"]
    paid_id = paid["data"]["viewer"]["account"]["invoices"]["nodes"][0]["id"]
    sandbox.clear_requests()

    to_pay = await client.query(PAY, {"id": open_id}, as_=admin)
    settled = await client.query(PAY, {"id": paid_id}, as_=admin)

    url = to_pay["data"]["payInvoice"]["url"]
    invoice = stripe_sdk(urls).v1.invoices.retrieve(_stripe_id(open_id))
    assert url == invoice.hosted_invoice_url and url.startswith(urls["stripe"] + "/i/")
    assert settled["data"]["payInvoice"] == {
        "url": None, "userErrors": [{"field": "invoiceId", "code": "INVOICE_NOT_OPEN"}],
    }  # fmt: skip
    assert upstream_writes(sandbox) == NO_WRITES


@pytest.mark.parametrize("mutation", ["default", "remove", "pay"])
async def test_another_accounts_ids_are_not_found_and_nothing_is_written(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str], mutation: str
) -> None:
    acme_admin = member(client.backbone, ACME, "ADMIN")
    intruder = member(client.backbone, INITECH, "ADMIN")
    acme_cards = methods_of(await client.query(METHODS, as_=acme_admin))
    invoices = await client.query(INVOICES, {"status": "OPEN"}, as_=acme_admin)
    target = {
        "default": (DEFAULT, acme_cards[-1]["id"]),
        "remove": (REMOVE, acme_cards[-1]["id"]),
        "pay": (PAY, invoices["data"]["viewer"]["account"]["invoices"]["nodes"][0]["id"]),
    }[mutation]
    # The same Stripe id under the intruder's own account id is just as unknown.
    relabelled = encode_id("PaymentMethod", INITECH, _stripe_id(acme_cards[-1]["id"]))
    sandbox.clear_requests()

    direct = await client.query(target[0], {"id": target[1]}, as_=intruder)
    disguised = await client.query(target[0], {"id": relabelled}, as_=intruder)

    assert direct["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    if mutation != "pay":
        assert disguised["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert upstream_writes(sandbox) == NO_WRITES


@pytest.mark.parametrize("role", ["USER", "READ_ONLY"])
async def test_only_an_admin_manages_payment_methods(
    client: GatewayClient, sandbox: SandboxControl, role: str
) -> None:
    admin, person = member(client.backbone, ACME, "ADMIN"), member(client.backbone, ACME, role)
    card = methods_of(await client.query(METHODS, as_=admin))[0]["id"]
    sandbox.clear_requests()

    for query, variables in ((SETUP, {}), (DEFAULT, {"id": card}), (REMOVE, {"id": card}),
                             (PAY, {"id": card})):  # fmt: skip
        body = await client.query(query, variables, as_=person)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body

    assert upstream_writes(sandbox) == NO_WRITES
    assert len(methods_of(await client.query(METHODS, as_=person))) >= 1  # reading is fine


async def test_a_setup_page_only_returns_to_the_portal(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    sandbox.clear_requests()

    body = await client.query(SETUP, {"input": {"returnPath": "//evil.example/x"}}, as_=admin)

    assert body["data"]["createPaymentMethodSetup"] == {
        "url": None, "userErrors": [{"field": "returnPath", "code": "INVALID"}],
    }  # fmt: skip
    assert upstream_writes(sandbox) == NO_WRITES
