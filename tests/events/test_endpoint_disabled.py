"""An endpoint that keeps failing is turned off, and the account's ADMINs are told by mail;
the endpoint says why, and once turned on again it gets deliveries again."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from config import Settings
from sandbox.accounts import Backbone
from tests.events.conftest import Events, until
from tests.events.receiver import receiving
from tests.gateway.people import ACME, member

CREATE = """mutation($url: String!) { createWebhookEndpoint(url: $url, events: ["invoice.paid"]) {
  webhookEndpoint { id } secret } }"""
TEST = """mutation($id: ID!) { sendTestWebhook(id: $id) { eventId } }"""
ENDPOINTS = """{ viewer { account { webhookEndpoints { enabled disabledReason
  deliveries { status } } } } }"""
TURN_ON = """mutation($id: ID!) { updateWebhookEndpoint(id: $id, enabled: true) {
  webhookEndpoint { enabled disabledReason } userErrors { message } } }"""


@pytest.fixture
def events_settings(events_settings: Settings) -> Iterator[Settings]:
    yield replace(events_settings, webhook_disable_after=3)


async def test_three_failures_in_a_row_disable_the_endpoint_and_mail_the_admins(
    events: Events, backbone: Backbone
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    admins = {
        p.email for p in backbone.people_of(ACME) if p.role == "ADMIN" and p.status == "ACTIVE"
    }
    async with receiving() as receiver:
        receiver.answers = [500] * 10
        created = await events.graphql(CREATE, {"url": receiver.url}, as_=admin)
        endpoint = created["data"]["createWebhookEndpoint"]
        receiver.secret = endpoint["secret"]
        await events.graphql(TEST, {"id": endpoint["webhookEndpoint"]["id"]}, as_=admin)

        async def told() -> bool:
            return {m["To"] for m in events.mails()} >= admins

        await until(told, timeout_s=30)
        await events.drained()

        [found] = (await events.graphql(ENDPOINTS, as_=admin))["data"]["viewer"]["account"][
            "webhookEndpoints"
        ]
        assert found == {
            "enabled": False,
            "disabledReason": "disabled after 3 failed deliveries in a row",
            "deliveries": [{"status": 500}] * 3,
        }
        assert len(receiver.received) == 3
        mail = events.mails(admin.email)[0]
        assert mail["Subject"] == "A webhook endpoint of your portal was disabled"
        assert receiver.url in mail.get_content()

        # Fixed, and turned on again: the reason goes, and the next event is delivered.
        receiver.answers = []
        endpoint_id = endpoint["webhookEndpoint"]["id"]
        turned_on = await events.graphql(TURN_ON, {"id": endpoint_id}, as_=admin)
        assert turned_on["data"]["updateWebhookEndpoint"] == {
            "webhookEndpoint": {"enabled": True, "disabledReason": None}, "userErrors": [],
        }  # fmt: skip
        await events.graphql(TEST, {"id": endpoint_id}, as_=admin)

        async def delivered() -> bool:
            return bool(receiver.delivered())

        await until(delivered, timeout_s=30)
        await events.drained()
    assert [r.answered for r in receiver.received] == [500, 500, 500, 200]
