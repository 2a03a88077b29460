"""`updateAccountDetails`: HubSpot first, the Stripe customer kept in step, the audit note,
read-your-writes, bad input answered as userErrors, and Stripe failing halfway."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from config import Settings
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, GLOBEX, company, member
from tests.gateway.upstream_state import (
    NO_WRITES,
    company_notes,
    hubspot_properties,
    stripe_customer,
    upstream_writes,
)

UPDATE = """
mutation ($input: UpdateAccountDetailsInput!) {
  updateAccountDetails(input: $input) {
    account { name phone billingAddress { street city postalCode state country } }
    userErrors { field message code }
  }
}"""
ACCOUNT = "{ viewer { account { name phone billingAddress { street city postalCode country } } } }"
NEW_ADDRESS = {
    "street": "Friedrichstraße 68",
    "city": "Berlin",
    "postalCode": "10117",
    "country": "de",
}
COMPANY_PROPERTIES = ["name", "phone", "address", "city", "zip", "state", "country"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Stripe's circuit, opened by the failures of the partial-failure test, lets its next
    # call probe at once: "after recovery" without waiting out the breaker's pause.
    return replace(settings, breaker_reset_s=0.0)


def changed(urls: dict[str, str]) -> dict[str, Any]:
    return hubspot_properties(urls, "companies", ACME, COMPANY_PROPERTIES)


async def test_an_admin_changes_the_account_in_hubspot_and_stripe_follows(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    acme = company(client.backbone, ACME)
    before = await client.query(ACCOUNT, as_=admin)  # warms the cache: the write must evict it
    assert before["data"]["viewer"]["account"]["name"] == acme.name
    sandbox.clear_requests()

    body = await client.query(
        UPDATE,
        {"input": {"name": "Acme Holdings GmbH", "phone": "+49 30 1234 5678",
                   "billingAddress": NEW_ADDRESS}},
        as_=admin,
    )  # fmt: skip

    assert body == {
        "data": {
            "updateAccountDetails": {
                "account": {
                    "name": "Acme Holdings GmbH",
                    "phone": "+493012345678",
                    "billingAddress": {
                        "street": "Friedrichstraße 68",
                        "city": "Berlin",
                        "postalCode": "10117",
                        "state": None,
                        "country": "DE",
                    },
                },
                "userErrors": [],
            }
        }
    }
    assert upstream_writes(sandbox) == {
        **NO_WRITES,
        "hubspot": [f"PATCH /crm/v3/objects/companies/{ACME}", "POST /crm/v3/objects/notes"],
        "stripe": [f"POST /v1/customers/{acme.stripe_customer_id}"],
    }
    assert changed(urls) == {
        "name": "Acme Holdings GmbH",
        "phone": "+493012345678",
        "address": "Friedrichstraße 68",
        "city": "Berlin",
        "zip": "10117",
        "state": None,
        "country": "DE",
    }
    customer = stripe_customer(urls, acme.stripe_customer_id)
    assert customer.name == "Acme Holdings GmbH"
    assert customer.address is not None
    address = customer.address
    assert (address.line1, address.city, address.postal_code, address.state, address.country) == (
        "Friedrichstraße 68", "Berlin", "10117", None, "DE"
    )  # fmt: skip
    [note] = company_notes(urls, ACME)
    assert note.startswith(
        f"Client portal: {admin.first_name} {admin.last_name} &lt;{admin.email}&gt; "
        f"(ADMIN, contact {admin.contact_id}) changed the account details: "
        "name → “Acme Holdings GmbH”, phone → “+493012345678”, street → “Friedrichstraße 68”"
    )
    assert f"Stripe customer {acme.stripe_customer_id} updated at 20" in note

    after = await client.query(ACCOUNT, as_=admin)
    assert after["data"]["viewer"]["account"] == {
        "name": "Acme Holdings GmbH",
        "phone": "+493012345678",
        "billingAddress": {
            "street": "Friedrichstraße 68",
            "city": "Berlin",
            "postalCode": "10117",
            "country": "DE",
        },
    }


async def test_bad_input_is_answered_field_by_field_and_nothing_is_written(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    before = changed(urls)
    bad = {
        "name": "  ",
        "phone": "030 1234",
        "billingAddress": {"street": "x" * 201, "city": "Berlin", "country": "XX"},
    }

    body = await client.query(UPDATE, {"input": bad}, as_=admin)

    assert body["data"]["updateAccountDetails"]["userErrors"] == [
        {"field": "name", "message": "This field cannot be blank.", "code": "REQUIRED"},
        {"field": "phone", "message": "Use the international format, e.g. +44 20 7946 0958.",
         "code": "INVALID_PHONE"},
        {"field": "billingAddress.country",
         "message": "'XX' is not an ISO 3166-1 alpha-2 country code.", "code": "INVALID_COUNTRY"},
        {"field": "billingAddress.street", "message": "At most 200 characters.",
         "code": "TOO_LONG"},
        {"field": "billingAddress.postalCode", "message": "A postal code is required in XX.",
         "code": "REQUIRED"},
    ]  # fmt: skip
    assert upstream_writes(sandbox) == NO_WRITES
    assert changed(urls) == before


async def test_a_country_without_postal_codes_needs_none(
    client: GatewayClient, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    address = {"street": "1 Harbour Road", "city": "Wan Chai", "country": "HK"}

    body = await client.query(UPDATE, {"input": {"billingAddress": address}}, as_=admin)

    assert body["data"]["updateAccountDetails"]["userErrors"] == []
    assert changed(urls)["zip"] is None
    assert changed(urls)["country"] == "HK"


async def test_markup_is_stored_as_typed_and_returned_as_a_string(
    client: GatewayClient, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    name = "<script>alert('x')</script> & Co"

    body = await client.query(UPDATE, {"input": {"name": name}}, as_=admin)

    assert body["data"]["updateAccountDetails"]["account"]["name"] == name
    assert changed(urls)["name"] == name
    [note] = company_notes(urls, ACME)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in note
    assert "<script>" not in note


async def test_another_accounts_id_is_not_found_and_nothing_is_written(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    globex = (await client.query("{ viewer { account { id } } }",
                                 as_=member(client.backbone, GLOBEX, "ADMIN")))  # fmt: skip
    globex_id = globex["data"]["viewer"]["account"]["id"]
    sandbox.clear_requests()

    body = await client.query(
        UPDATE, {"input": {"accountId": globex_id, "name": "Mine now"}}, as_=admin
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
    assert upstream_writes(sandbox) == NO_WRITES


async def test_stripe_failing_is_reported_and_a_retry_converges_once(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    acme = company(client.backbone, ACME)
    change = {"input": {"billingAddress": NEW_ADDRESS}}
    sandbox["stripe"].set_knobs(error_rate=1.0)

    failed = await client.query(UPDATE, change, as_=admin)

    payload = failed["data"]["updateAccountDetails"]
    assert payload["account"]["billingAddress"]["city"] == "Berlin"  # HubSpot has it
    assert payload["userErrors"] == [
        {
            "field": None,
            "message": "Saved in HubSpot, but the Stripe customer is behind: Stripe did not "
            "answer. Send the same change again to bring Stripe in step.",
            "code": "STRIPE_BEHIND",
        }
    ]
    customer_path = f"POST /v1/customers/{acme.stripe_customer_id}"
    # Three attempts under one key, all made by the upstream guard: one retry layer (the
    # mutation's own loop on top of it made up to 9).
    attempts = upstream_writes(sandbox)["stripe"]
    assert attempts == [customer_path] * 3
    assert "NOT updated (Stripe is behind)" in company_notes(urls, ACME)[0]

    sandbox["stripe"].set_knobs(error_rate=0.0)
    sandbox.clear_requests()
    retried = await client.query(UPDATE, change, as_=admin)

    assert retried["data"]["updateAccountDetails"]["userErrors"] == []
    assert upstream_writes(sandbox)["stripe"] == [customer_path]
    customer = stripe_customer(urls, acme.stripe_customer_id)
    assert customer.address is not None and customer.address.city == "Berlin"
    updates = [
        c for c in sandbox["stripe"].call("GET", "/_sandbox/changes")
        if c["kind"] == "customer.updated" and c["object_id"] == acme.stripe_customer_id
    ]  # fmt: skip
    assert len(updates) == 1
