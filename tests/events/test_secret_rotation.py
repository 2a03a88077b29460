"""Rotating an endpoint's secret breaks no client: for the overlap after `rotateWebhookSecret`
(`PORTAL_WEBHOOK_SECRET_OVERLAP_S`, 24 h) a delivery carries a signature by the old secret and
one by the new, and the client's own `standardwebhooks` verifier accepts it with either; once
the overlap has passed only the new one signs, and the old one leaves HubSpot at the next write."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from config import Settings
from sandbox.accounts import Backbone
from tests.events.conftest import Events, until
from tests.events.receiver import Receiver, receiving
from tests.gateway.people import ACME, member
from tests.gateway.upstream_state import hubspot_properties
from webhooks.delivery import endpoints

CREATE = """mutation($url: String!) { createWebhookEndpoint(url: $url, events: ["invoice.paid"]) {
  webhookEndpoint { id } secret userErrors { message } } }"""
ROTATE = """mutation($id: ID!) { rotateWebhookSecret(id: $id) {
  secret webhookEndpoint { id previousSecretExpiresAt } userErrors { message } } }"""
TEST = """mutation($id: ID!) { sendTestWebhook(id: $id) { eventId } }"""
LIST = "{ viewer { account { webhookEndpoints { id previousSecretExpiresAt } } } }"
UPDATE = """mutation($id: ID!) { updateWebhookEndpoint(id: $id, events: ["invoice.created"]) {
  userErrors { message } } }"""
DAY_S = 24 * 3600


@pytest.fixture
def overlap_s() -> float:
    return Settings().webhook_secret_overlap_s  # the default: 24 hours


@pytest.fixture
def events_settings(events_settings: Settings, overlap_s: float) -> Iterator[Settings]:
    yield replace(events_settings, webhook_secret_overlap_s=overlap_s)


def _stored(urls: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The endpoints property on the HubSpot company, raw, and its one endpoint."""
    raw = hubspot_properties(urls, "companies", ACME, ["portal_webhook_endpoints"])
    text = raw["portal_webhook_endpoints"] or "[]"
    [endpoint] = json.loads(text)
    return text, endpoint


async def _register(events: Events, receiver: Receiver, backbone: Backbone) -> str:
    created = await events.graphql(
        CREATE, {"url": receiver.url}, as_=member(backbone, ACME, "ADMIN")
    )
    payload = created["data"]["createWebhookEndpoint"]
    assert payload["userErrors"] == []
    receiver.secret = payload["secret"]
    endpoint_id: str = payload["webhookEndpoint"]["id"]
    return endpoint_id


async def _rotate(events: Events, backbone: Backbone, endpoint_id: str) -> dict[str, Any]:
    body = await events.graphql(ROTATE, {"id": endpoint_id}, as_=member(backbone, ACME, "ADMIN"))
    payload: dict[str, Any] = body["data"]["rotateWebhookSecret"]
    assert payload["userErrors"] == [] and payload["secret"].startswith("whsec_")
    return payload


async def _test_delivery(events: Events, backbone: Backbone, receiver: Receiver,
                         endpoint_id: str) -> None:  # fmt: skip
    await events.graphql(TEST, {"id": endpoint_id}, as_=member(backbone, ACME, "ADMIN"))

    async def delivered() -> bool:
        return bool(receiver.delivered())

    await until(delivered, timeout_s=30)
    await events.drained()


async def test_after_a_rotation_a_delivery_verifies_with_the_old_secret_and_the_new(
    events: Events, backbone: Backbone, urls: dict[str, str]
) -> None:
    async with receiving() as receiver:
        endpoint_id = await _register(events, receiver, backbone)
        old = receiver.secret
        sealed_before, _ = _stored(urls)
        before = time.time()
        rotated = await _rotate(events, backbone, endpoint_id)
        after = time.time()
        new = receiver.secret = rotated["secret"]
        await _test_delivery(events, backbone, receiver, endpoint_id)

    [delivery] = receiver.received
    assert delivery.verifies_with(new)
    assert delivery.verifies_with(old)
    assert not delivery.verifies_with(endpoints.new_secret())  # anyone else's: no
    assert [s[:3] for s in delivery.headers["webhook-signature"].split(" ")] == ["v1,", "v1,"]
    expires = datetime.fromisoformat(rotated["webhookEndpoint"]["previousSecretExpiresAt"])
    assert before + DAY_S - 0.001 <= expires.timestamp() <= after + DAY_S + 0.001

    # The old secret is kept as the current one is: encrypted, on the company record.
    raw, stored = _stored(urls)
    assert stored["previous_secret"] == json.loads(sealed_before)[0]["encrypted_secret"]
    assert stored["previous_secret_until"] == pytest.approx(expires.timestamp(), abs=0.001)
    assert "whsec_" not in raw


@pytest.mark.parametrize("overlap_s", [1.0])
async def test_once_the_overlap_has_passed_only_the_new_secret_signs(
    events: Events, backbone: Backbone, urls: dict[str, str]
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    async with receiving() as receiver:
        endpoint_id = await _register(events, receiver, backbone)
        old = receiver.secret
        new = receiver.secret = (await _rotate(events, backbone, endpoint_id))["secret"]

        async def overlap_over() -> bool:
            body = await events.graphql(LIST, as_=admin)
            [listed] = body["data"]["viewer"]["account"]["webhookEndpoints"]
            return listed["previousSecretExpiresAt"] is None

        await until(overlap_over, timeout_s=10)
        await _test_delivery(events, backbone, receiver, endpoint_id)

    [delivery] = receiver.received
    assert delivery.verifies_with(new)
    assert not delivery.verifies_with(old)
    assert len(delivery.headers["webhook-signature"].split(" ")) == 1

    # Spent, the old secret stays on HubSpot only until the endpoint is next written.
    assert "previous_secret" in _stored(urls)[1]
    changed = await events.graphql(UPDATE, {"id": endpoint_id}, as_=admin)
    assert changed["data"]["updateWebhookEndpoint"]["userErrors"] == []
    assert "previous_secret" not in _stored(urls)[1]


def test_two_secrets_at_most_sign_and_only_within_the_overlap() -> None:
    first = endpoints.new_endpoint("https://example.com/hooks", ["invoice.paid"], "sealed-1")
    assert first.signing_secrets(now=0.0) == ("sealed-1",)
    second = endpoints.rotated(first, "sealed-2", now=100.0, overlap_s=DAY_S)
    assert second.signing_secrets(now=100.0) == ("sealed-2", "sealed-1")
    assert second.signing_secrets(now=100.0 + DAY_S - 1) == ("sealed-2", "sealed-1")
    assert second.signing_secrets(now=100.0 + DAY_S) == ("sealed-2",)
    # Rotated again within the overlap: the first secret stops at once, the second signs on.
    third = endpoints.rotated(second, "sealed-3", now=200.0, overlap_s=DAY_S)
    assert third.signing_secrets(now=200.0) == ("sealed-3", "sealed-2")
    assert third.previous_secret_signs_until(now=200.0) == 200.0 + DAY_S
    # No overlap configured: the old secret stops with the rotation.
    assert endpoints.rotated(second, "sealed-3", now=200.0, overlap_s=0).signing_secrets(
        now=200.0
    ) == ("sealed-3",)
    # A record never rotated is stored as before rotation existed; a rotated one round-trips.
    assert "previous_secret" not in endpoints.serialize([first])
    assert endpoints.parse(endpoints.serialize([first, third])) == [first, third]
    assert endpoints.without_expired_secret(third, now=200.0 + DAY_S).previous_secret is None
    assert endpoints.without_expired_secret(third, now=200.0) == third
