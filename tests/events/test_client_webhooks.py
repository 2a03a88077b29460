"""Client webhooks end to end: an ADMIN registers an endpoint, a change at a vendor
becomes a portal event, and the worker process delivers it signed per Standard Webhooks
(checked by the client's own `standardwebhooks` verifier), retrying until it is taken,
once — even when the worker dies in the middle of a delivery."""

from __future__ import annotations

import asyncio
from typing import Any

from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.events.conftest import Events, until
from tests.events.receiver import Receiver, receiving
from tests.events.worker_process import WorkerProcess
from tests.gateway.people import ACME, member

CREATE = """mutation($url: String!, $events: [String!]!) {
  createWebhookEndpoint(url: $url, events: $events) {
    webhookEndpoint { id url events enabled } secret userErrors { field message code } } }"""
DELIVERIES = """{ viewer { account { webhookEndpoints { id
  deliveries { eventId eventType attempt status delivered response } } } } }"""
TEST = """mutation($id: ID!) { sendTestWebhook(id: $id) { eventId } }"""


async def _register(events: Events, receiver: Receiver, backbone: Backbone,
                    names: list[str]) -> str:  # fmt: skip
    admin = member(backbone, ACME, "ADMIN")
    body = await events.graphql(CREATE, {"url": receiver.url, "events": names}, as_=admin)
    created = body["data"]["createWebhookEndpoint"]
    assert created["userErrors"] == [], created
    assert created["secret"].startswith("whsec_")
    receiver.secret = created["secret"]
    endpoint_id: str = created["webhookEndpoint"]["id"]
    return endpoint_id


async def _deliveries(events: Events, backbone: Backbone) -> list[dict[str, Any]]:
    body = await events.graphql(DELIVERIES, as_=member(backbone, ACME, "ADMIN"))
    [endpoint] = body["data"]["viewer"]["account"]["webhookEndpoints"]
    found: list[dict[str, Any]] = endpoint["deliveries"]
    return found


async def test_an_invoice_reaches_the_endpoint_signed_after_three_failures_once(
    events: Events, sandbox: SandboxControl, backbone: Backbone
) -> None:
    async with receiving() as receiver:
        receiver.answers = [500, 500, 500]
        await _register(events, receiver, backbone, ["invoice.created"])
        customer = backbone.company(ACME).stripe_customer_id
        sandbox["stripe"].call("POST", "/_sandbox/invoices",
                               {"customer": customer, "amount_due": 4321})  # fmt: skip
        await until(lambda: _delivered(receiver), timeout_s=30)
        await events.drained()

    assert [(r.verified, r.answered) for r in receiver.received] == [
        (True, 500), (True, 500), (True, 500), (True, 200),
    ]  # fmt: skip
    assert len({r.webhook_id for r in receiver.received}) == 1  # one event, four attempts
    payload = receiver.delivered()[0].payload
    assert payload["type"] == "invoice.created"
    assert payload["data"]["account_id"] == ACME
    assert payload["data"]["invoice"]["amount_due"] == 4321
    log = await _deliveries(events, backbone)
    # Newest first. (The queue delivers at least once: should its sweep run an attempt twice,
    # the log shows that attempt twice; the endpoint still gets it once it answers 200.)
    assert [(a["status"], a["delivered"]) for a in log] == [
        (200, True), (500, False), (500, False), (500, False),
    ]  # fmt: skip
    assert [a["attempt"] for a in log] == sorted((a["attempt"] for a in log), reverse=True)
    assert log[1]["response"] == "try again"


async def test_a_worker_killed_mid_delivery_delivers_after_restart_once(
    events: Events, backbone: Backbone, tmp_path: Any
) -> None:
    async with receiving() as receiver:
        receiver.hold = asyncio.Event()
        endpoint_id = await _register(events, receiver, backbone, ["invoice.paid"])
        admin = member(backbone, ACME, "ADMIN")
        sent = await events.graphql(TEST, {"id": endpoint_id}, as_=admin)
        event_id = sent["data"]["sendTestWebhook"]["eventId"]
        await asyncio.wait_for(receiver.arrived.wait(), timeout=20)

        events.worker.kill()  # the request is in flight, unanswered
        await asyncio.sleep(0.2)  # the receiver sees the connection close
        receiver.hold.set()
        events.worker = WorkerProcess(events.settings, tmp_path / "worker2.log").start()
        await until(lambda: _delivered(receiver), timeout_s=30)
        await events.drained()

    assert [r.webhook_id for r in receiver.received] == [event_id, event_id]
    assert [r.answered for r in receiver.delivered()] == [200]
    assert all(r.verified for r in receiver.received)


async def _delivered(receiver: Receiver) -> bool:
    return bool(receiver.delivered())


INVITE = """mutation { inviteMember(input: {email: "new.hire@acme.example", firstName: "New",
  lastName: "Hire", role: USER}) { userErrors { message } member { id } } }"""


async def test_an_invitation_made_in_the_portal_reaches_the_endpoint(
    events: Events, backbone: Backbone
) -> None:
    async with receiving() as receiver:
        await _register(events, receiver, backbone, ["member.invited"])
        invited = await events.graphql(INVITE, as_=member(backbone, ACME, "ADMIN"))
        assert invited["data"]["inviteMember"]["userErrors"] == []
        await until(lambda: _delivered(receiver), timeout_s=30)
        await events.drained()

    [delivery] = receiver.received
    assert delivery.verified and delivery.payload["type"] == "member.invited"
    assert delivery.payload["data"]["member"]["role"] == "USER"
    assert delivery.payload["data"]["account_id"] == ACME
