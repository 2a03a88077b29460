"""Defect 11: Stripe applied a change but answered after the request's deadline; the member
was told "Stripe did not answer" and the audit note said Stripe was not updated. The write
is now resolved before answering: the same request under the same Idempotency-Key gets
Stripe's stored result, and the payload and the note say what happened."""

from __future__ import annotations

from dataclasses import replace

import pytest

from config import Settings
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, company, member
from tests.gateway.upstream_state import company_notes, stripe_customer, upstream_writes

DEADLINE_S = 0.5
UPDATE = """mutation ($input: UpdateAccountDetailsInput!) {
  updateAccountDetails(input: $input) { userErrors { field message code } } }"""
ADDRESS = {"street": "Friedrichstraße 68", "city": "Berlin", "postalCode": "10117", "country": "DE"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # A short deadline, so that an answer slower than it is "lost" without a long wait.
    return replace(settings, request_deadline_s=DEADLINE_S)


async def test_a_stripe_answer_lost_after_it_committed_is_resolved_under_the_same_key(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    acme = company(client.backbone, ACME)
    await client.query("{ viewer { account { name } } }", as_=admin)
    sandbox.clear_requests()
    # Stripe applies each request after this long: past the deadline, so the first answer
    # is lost although the change is made.
    sandbox["stripe"].set_knobs(latency_ms=DEADLINE_S * 1000 + 300)

    body = await client.query(UPDATE, {"input": {"billingAddress": ADDRESS}}, as_=admin)

    sandbox["stripe"].set_knobs(latency_ms=0)
    assert body["data"]["updateAccountDetails"]["userErrors"] == []
    customer_path = f"POST /v1/customers/{acme.stripe_customer_id}"
    assert upstream_writes(sandbox)["stripe"] == [customer_path, customer_path]
    updates = [
        c for c in sandbox["stripe"].call("GET", "/_sandbox/changes")
        if c["kind"] == "customer.updated" and c["object_id"] == acme.stripe_customer_id
    ]  # fmt: skip
    assert len(updates) == 1  # applied once, answered twice
    customer = stripe_customer(urls, acme.stripe_customer_id)
    assert customer.address is not None and customer.address.city == "Berlin"
    note = company_notes(urls, ACME)[0]
    assert f"Stripe customer {acme.stripe_customer_id} updated" in note
