"""Writes sent the way each vendor documents them: HubSpot clears a property with "" (its
properties are strings), Zendesk and Stripe bodies leave absent optional fields out."""

from __future__ import annotations

import json
import urllib.error
from urllib.parse import parse_qs

import pytest

from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member
from tests.gateway.upstream_state import hubspot_patch, hubspot_properties

UPDATE = """
mutation ($input: UpdateAccountDetailsInput!) {
  updateAccountDetails(input: $input) { account { phone name } userErrors { field message } }
}"""
CREATE = """
mutation ($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { number } userErrors { field message } }
}"""


def writes(sandbox: SandboxControl, vendor: str, method: str) -> list[str]:
    return [c.body for c in sandbox[vendor].requests() if c.method == method]


async def test_a_cleared_hubspot_property_is_sent_as_an_empty_string(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")

    body = await client.query(UPDATE, {"input": {"phone": ""}}, as_=admin)

    assert body["data"]["updateAccountDetails"] == {
        "account": {"phone": None, "name": client.backbone.company(ACME).name},
        "userErrors": [],
    }
    [patch] = writes(sandbox, "hubspot", "PATCH")
    assert json.loads(patch) == {"properties": {"phone": ""}}
    assert hubspot_properties(urls, "companies", ACME, ["phone"]) == {"phone": None}


def test_the_hubspot_sandbox_refuses_a_null_property_as_hubspot_does(
    sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        hubspot_patch(urls, "companies", ACME, {"phone": None})  # type: ignore[dict-item]

    assert refused.value.code == 400
    assert (
        'Property \\"phone\\" must be a string; clear it with \\"\\"'
        in refused.value.read().decode()
    )


async def test_a_new_zendesk_ticket_leaves_absent_fields_out(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    user = member(client.backbone, ACME, "USER")
    new = {"subject": "Export", "description": "How do I export?", "category": "TECHNICAL"}

    body = await client.query(CREATE, {"input": new}, as_=user)

    assert body["data"]["createTicket"]["userErrors"] == []
    [created] = [
        json.loads(b)["ticket"] for b in writes(sandbox, "zendesk", "POST") if "ticket" in b
    ]
    assert "type" not in created
    assert None not in created.values()
    assert created["priority"] == "normal"


async def test_stripe_gets_only_the_fields_that_changed(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")

    await client.query(UPDATE, {"input": {"name": "Acme Holdings GmbH"}}, as_=admin)

    [update] = writes(sandbox, "stripe", "POST")
    assert parse_qs(update, keep_blank_values=True) == {"name": ["Acme Holdings GmbH"]}
