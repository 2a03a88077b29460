"""Webhook endpoints refuse what they must: other roles, targets inside the network (SSRF),
http in production, unknown events, an eleventh endpoint — with clear errors and nothing
stored in HubSpot. Deliveries re-check the address at connect time."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from config import Settings
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.events.conftest import open_client
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member
from tests.gateway.upstream_state import hubspot_properties
from webhooks.delivery import targets

CREATE = """mutation($url: String!, $events: [String!]!) {
  createWebhookEndpoint(url: $url, events: $events) {
    webhookEndpoint { id } secret userErrors { field message code } } }"""
INSIDE = "The URL points at a private, loopback or reserved address."
RESOLVES_INSIDE = "The URL's host resolves to a private, loopback or reserved address."


def _stored(urls: dict[str, str]) -> str | None:
    found = hubspot_properties(urls, "companies", ACME, ["portal_webhook_endpoints"])
    return found["portal_webhook_endpoints"]


async def _create(client: GatewayClient, backbone: Backbone, url: str,
                  events: list[str], role: str = "ADMIN") -> dict[str, Any]:  # fmt: skip
    body = await client.query(CREATE, {"url": url, "events": events},
                              as_=member(backbone, ACME, role))  # fmt: skip
    return body


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.7/hooks", INSIDE),
        ("https://169.254.169.254/latest/meta-data", INSIDE),
        ("https://[fd00::1]/hooks", INSIDE),
        ("http://example.com/hooks", "The URL must start with https:// (http only for loopback)."),
        ("ftp://127.0.0.1/hooks", "The URL must start with https://."),
        ("https://user:pw@127.0.0.1/hooks", "The URL must not carry credentials."),
        ("not a url", "The URL must start with https://."),
    ],
)
async def test_targets_inside_the_network_are_refused(
    client: GatewayClient, backbone: Backbone, urls: dict[str, str], url: str, message: str
) -> None:
    body = await _create(client, backbone, url, ["invoice.paid"])
    assert body["data"]["createWebhookEndpoint"] == {
        "webhookEndpoint": None,
        "secret": None,
        "userErrors": [{"field": "url", "message": message, "code": "INVALID"}],
    }
    assert _stored(urls) is None


async def test_in_production_only_https_to_public_addresses(
    events_settings: Settings, backbone: Backbone, urls: dict[str, str], sandbox: SandboxControl
) -> None:
    production = replace(events_settings, webhook_allow_loopback=False)
    async with open_client(production, backbone) as client:
        for url, message in [
            ("https://127.0.0.1/hooks", INSIDE),
            ("https://localhost/hooks", RESOLVES_INSIDE),
            ("http://127.0.0.1/hooks", "The URL must start with https://."),
        ]:
            body = await _create(client, backbone, url, ["invoice.paid"])
            errors = body["data"]["createWebhookEndpoint"]["userErrors"]
            assert errors == [{"field": "url", "message": message, "code": "INVALID"}]
    assert _stored(urls) is None


async def test_unknown_events_none_and_an_eleventh_endpoint_are_refused(
    client: GatewayClient, backbone: Backbone, urls: dict[str, str]
) -> None:
    unknown = await _create(client, backbone, "http://127.0.0.1:9/hooks", ["invoice.eaten"])
    assert unknown["data"]["createWebhookEndpoint"]["userErrors"] == [
        {"field": "events", "code": "INVALID", "message": "Unknown events: invoice.eaten. Known: "
         "invoice.created, invoice.paid, invoice.payment_failed, subscription.renewal_upcoming, "
         "subscription.changed, ticket.status_changed, ticket.comment_added, document.added, "
         "member.invited, onboarding.item_completed."},
    ]  # fmt: skip
    none = await _create(client, backbone, "http://127.0.0.1:9/hooks", [])
    assert none["data"]["createWebhookEndpoint"]["userErrors"] == [
        {"field": "events", "code": "REQUIRED", "message": "Choose at least one event."}
    ]
    assert _stored(urls) is None
    for n in range(10):
        made = await _create(client, backbone, f"http://127.0.0.1:9/hooks/{n}", ["invoice.paid"])
        assert made["data"]["createWebhookEndpoint"]["userErrors"] == []
    stored = _stored(urls)
    eleventh = await _create(client, backbone, "http://127.0.0.1:9/hooks/10", ["invoice.paid"])
    assert eleventh["data"]["createWebhookEndpoint"]["userErrors"] == [
        {"field": None, "code": "INVALID",
         "message": "An account has at most 10 webhook endpoints; delete one first."},
    ]  # fmt: skip
    assert _stored(urls) == stored
    assert stored is not None and "whsec_" not in stored  # secrets only encrypted


@pytest.mark.parametrize("role", ["USER", "READ_ONLY"])
async def test_only_admins_manage_endpoints(
    client: GatewayClient, backbone: Backbone, urls: dict[str, str], role: str
) -> None:
    body = await _create(client, backbone, "http://127.0.0.1:9/hooks", ["invoice.paid"], role)
    assert body["data"] is None or body["data"].get("createWebhookEndpoint") is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert _stored(urls) is None


async def test_a_delivery_never_connects_inside_even_if_dns_changes_its_answer() -> None:
    # `localhost` passes no check in production; the session's resolver refuses it at
    # connect time, as it would a public name whose DNS answer turned private later.
    async with targets.open_session(allow_loopback=False, timeout_s=2) as session:
        with pytest.raises(aiohttp.ClientConnectorDNSError) as refused:
            await session.post("https://localhost:9/hooks", data="{}")
    assert str(refused.value.os_error) == "localhost resolves to no address webhooks may be sent to"


LIST = "{ viewer { account { webhookEndpoints { id url events enabled } } } }"
ROTATE = """mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret
  webhookEndpoint { id } userErrors { message } } }"""
UPDATE = """mutation($id: ID!) { updateWebhookEndpoint(id: $id, events: ["ticket.status_changed"],
  enabled: false) { webhookEndpoint { events enabled disabledReason }
  userErrors { field message } } }"""
DELETE = "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { webhookEndpoint { url } } }"


async def test_an_endpoint_is_listed_rotated_changed_and_deleted(
    client: GatewayClient, backbone: Backbone, urls: dict[str, str]
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    made = await _create(client, backbone, "http://127.0.0.1:9/hooks", ["invoice.paid"])
    created = made["data"]["createWebhookEndpoint"]
    endpoint_id = created["webhookEndpoint"]["id"]
    listed = await client.query(LIST, as_=admin)
    assert listed["data"]["viewer"]["account"]["webhookEndpoints"] == [
        {"id": endpoint_id, "url": "http://127.0.0.1:9/hooks", "events": ["invoice.paid"],
         "enabled": True},
    ]  # fmt: skip
    sealed = _stored(urls)

    rotated = (await client.query(ROTATE, {"id": endpoint_id}, as_=admin))["data"]
    new_secret = rotated["rotateWebhookSecret"]["secret"]
    assert new_secret.startswith("whsec_") and new_secret != created["secret"]
    assert _stored(urls) != sealed and new_secret not in (_stored(urls) or "")

    changed = (await client.query(UPDATE, {"id": endpoint_id}, as_=admin))["data"]
    assert changed["updateWebhookEndpoint"] == {
        "webhookEndpoint": {
            "events": ["ticket.status_changed"],
            "enabled": False,
            "disabledReason": f"turned off by {admin.email}",
        },
        "userErrors": [],
    }
    deleted = (await client.query(DELETE, {"id": endpoint_id}, as_=admin))["data"]
    assert deleted["deleteWebhookEndpoint"]["webhookEndpoint"]["url"] == "http://127.0.0.1:9/hooks"
    listed = await client.query(LIST, as_=admin)
    assert listed["data"]["viewer"]["account"]["webhookEndpoints"] == []
    gone = await client.query(DELETE, {"id": endpoint_id}, as_=admin)
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"
