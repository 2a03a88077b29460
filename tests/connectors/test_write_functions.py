"""The connectors' write functions used by the portal's mutations, against the sandboxes:
what each sends, what the vendor holds afterwards, and the record each returns."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from connectors import hubspot, stripe, zendesk
from connectors.http import JsonService, NotFound, Rejected, Unavailable, open_session
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.gateway.upstream_state import hubspot_properties, stripe_customer

ACME = "1001"


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with open_session() as opened:
        yield opened


async def test_update_company_writes_the_properties_and_reads_the_company_back(
    urls: dict[str, str], sandbox: SandboxControl, session: aiohttp.ClientSession
) -> None:
    http = JsonService("hubspot", urls["hubspot"], session, {"Authorization": "Bearer pat-sandbox"})

    company = await hubspot.update_company(
        http, ACME, {"name": "Acme AG", "postal_code": "8001", "state": None}
    )

    assert (company.id, company.name, company.postal_code, company.state) == (
        ACME, "Acme AG", "8001", None
    )  # fmt: skip
    assert [(c.method, c.path) for c in sandbox["hubspot"].requests()] == [
        ("PATCH", f"/crm/v3/objects/companies/{ACME}"),
        ("POST", "/crm/v3/objects/companies/batch/read"),
    ]
    assert hubspot_properties(urls, "companies", ACME, ["name", "zip"]) == {
        "name": "Acme AG",
        "zip": "8001",
    }


async def test_update_company_of_no_such_company_is_not_found(
    urls: dict[str, str], sandbox: SandboxControl, session: aiohttp.ClientSession
) -> None:
    http = JsonService("hubspot", urls["hubspot"], session, {"Authorization": "Bearer pat-sandbox"})

    with pytest.raises(NotFound):
        await hubspot.update_company(http, "999999", {"name": "Nobody"})


async def test_update_customer_sets_name_and_address_once_per_idempotency_key(
    urls: dict[str, str], sandbox: SandboxControl, session: aiohttp.ClientSession,
    backbone: Backbone,
) -> None:  # fmt: skip
    client = stripe.stripe_client("sk_test_sandbox", urls["stripe"], session)
    customer_id = backbone.company(ACME).stripe_customer_id
    changes = stripe.CustomerChanges(
        name="Acme AG", address_line1="Bahnhofstrasse 1", city="Zürich", postal_code="8001",
        state="", country="CH",
    )  # fmt: skip

    first = await stripe.update_customer(client, customer_id, changes, "key-1")
    again = await stripe.update_customer(client, customer_id, changes, "key-1")

    assert first == again
    assert first == stripe.Customer(
        id=customer_id, name="Acme AG", email=first.email, phone=first.phone,
        currency=first.currency, address_line1="Bahnhofstrasse 1", address_line2=None,
        city="Zürich", postal_code="8001", state=None, country="CH",
    )  # fmt: skip
    assert stripe_customer(urls, customer_id).name == "Acme AG"
    updates = [
        c for c in sandbox["stripe"].call("GET", "/_sandbox/changes")
        if c["kind"] == "customer.updated" and c["object_id"] == customer_id
    ]  # fmt: skip
    assert len(updates) == 1  # the second request was a replay


async def test_update_customer_maps_stripe_errors(
    urls: dict[str, str], sandbox: SandboxControl, session: aiohttp.ClientSession
) -> None:
    client = stripe.stripe_client("sk_test_sandbox", urls["stripe"], session)

    with pytest.raises(NotFound):
        await stripe.update_customer(client, "cus_missing", stripe.CustomerChanges(name="x"), "k")
    sandbox["stripe"].set_knobs(error_rate=1.0)
    with pytest.raises(Unavailable):
        await stripe.update_customer(client, "cus_x", stripe.CustomerChanges(name="x"), "k2")


async def test_open_invoice_pdf_streams_the_pdf_and_refuses_foreign_hosts(
    urls: dict[str, str], sandbox: SandboxControl, session: aiohttp.ClientSession,
    backbone: Backbone,
) -> None:  # fmt: skip
    client = stripe.stripe_client("sk_test_sandbox", urls["stripe"], session)
    files = JsonService("stripe", urls["stripe"], session)
    page = await stripe.invoices_of_customer(
        client, backbone.company(ACME).stripe_customer_id, limit=1, status="paid"
    )
    [invoice] = page.invoices

    async with await stripe.open_invoice_pdf(files, invoice) as pdf:
        body = b"".join([chunk async for chunk in pdf])

    assert body.startswith(b"%PDF") and pdf.content_length == len(body)
    assert pdf.content_type == "application/pdf"
    with pytest.raises(Unavailable, match="not on a Stripe host"):
        await stripe.open_invoice_pdf(
            files, stripe.Invoice(**{**invoice.__dict__, "invoice_pdf": "http://evil.example/x"})
        )


async def test_create_user_adds_an_end_user_to_the_organization(
    urls: dict[str, str], sandbox: SandboxControl, session: aiohttp.ClientSession,
    backbone: Backbone,
) -> None:  # fmt: skip
    http = zendesk.service(session, urls["zendesk"], "portal@sandbox.example", "sandbox")
    organization_id = str(backbone.company(ACME).zendesk_organization_id)

    user = await zendesk.create_user(
        http, name="New Person", email="new.person@acme.example", organization_id=organization_id
    )

    assert (user.name, user.email, user.organization_id, user.role) == (
        "New Person", "new.person@acme.example", organization_id, "end-user"
    )  # fmt: skip
    assert await zendesk.user_by_email(http, "new.person@acme.example") == user
    with pytest.raises(Rejected):  # Zendesk: the email is taken
        await zendesk.create_user(http, name="Again", email="new.person@acme.example")
