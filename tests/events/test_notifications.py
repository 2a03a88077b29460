"""Notifications end to end: a change at a vendor, its signed webhook to the gateway, the
portal event on the queue, and the worker process delivering mail and in-app items as each
member's preferences say — once, however often the vendor sends it."""

from __future__ import annotations

import json

import httpx

from resolvers.request.ids import encode_id
from sandbox.accounts import Backbone, Person
from sandbox.control import SandboxControl, VendorControl
from tests.events.conftest import (
    EMAIL_AND_APP,
    EVERY_CHANNEL,
    ONLY_EMAIL,
    Events,
    everything,
    set_preferences,
    texts,
    until,
)
from tests.gateway.freshness import signing
from tests.gateway.people import ACME, member
from tests.gateway.upstream_state import hubspot_properties

OPEN_TICKET = """{ viewer { account { tickets(first: 1, status: [NEW, OPEN, PENDING]) {
  nodes { number } } } } }"""
OPT_OUT = """mutation { updateNotificationPreferences(input: {preferences: [
  {type: TICKET_STATUS_CHANGED, channels: []}]}) { userErrors { message } } }"""
MARK_READ = "mutation { markNotificationsRead { unreadCount } }"
READ_AT = "portal_notifications_read_at"
PREFERENCES = "portal_notification_preferences"
FEED = """{ viewer { notifications(first: 5) { unreadCount totalCount
  nodes { type title path read } } } }"""


def _active(backbone: Backbone, company_id: str) -> list[Person]:
    return [p for p in backbone.people_of(company_id) if p.status == "ACTIVE"]


async def test_a_ticket_solved_in_zendesk_reaches_members_as_they_chose(
    events: Events,
    sandbox: SandboxControl,
    backbone: Backbone,
    urls: dict[str, str],
    twilio: VendorControl,
) -> None:
    admin, user = member(backbone, ACME, "ADMIN"), member(backbone, ACME, "USER")
    others = [p for p in _active(backbone, ACME) if p not in (admin, user)]
    set_preferences(urls, admin, everything(EVERY_CHANNEL))
    for person in others:
        set_preferences(urls, person, everything(ONLY_EMAIL))
    opted_out = await events.graphql(OPT_OUT, as_=user)
    assert opted_out["data"]["updateNotificationPreferences"]["userErrors"] == []
    found = await events.graphql(OPEN_TICKET, as_=admin)
    number = found["data"]["viewer"]["account"]["tickets"]["nodes"][0]["number"]

    sandbox["zendesk"].call("POST", f"/_sandbox/tickets/{number}/status", {"status": "solved"})
    path = f"/tickets/{encode_id('Ticket', ACME, str(number))}"  # the ticket's screen
    expected = {p.email for p in _active(backbone, ACME)} - {user.email}
    await until(lambda: _mailed(events, expected))
    await events.drained()

    mails = events.mails()
    assert sorted(m["To"] for m in mails) == sorted(expected)  # one each; none to `user`
    mail = events.mails(admin.email)[0]
    assert mail["Subject"] == f"Acme Holdings: Ticket #{number} is now solved"
    text, html = (part.get_content() for part in mail.iter_parts())
    assert f"{events.url}{path}" in text
    assert f'href="{events.url}{path}"' in html
    assert "/notifications/unsubscribe?token=" in mail["List-Unsubscribe"]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    [text] = texts(twilio)  # only the admin chose SMS
    assert (text["to"], text["status"]) == (admin.phone, "queued")
    assert text["body"] == f"Ticket #{number} is now solved {events.url}{path}"
    feed = (await events.graphql(FEED, as_=admin))["data"]["viewer"]["notifications"]
    assert feed == {
        "unreadCount": 1,
        "totalCount": 1,
        "nodes": [{"type": "ticket.status_changed", "title": f"Ticket #{number} is now solved",
                   "path": path, "read": False}],
    }  # fmt: skip
    for person in (user, others[0]):  # opted out; by mail only
        quiet = (await events.graphql(FEED, as_=person))["data"]["viewer"]["notifications"]
        assert quiet == {"unreadCount": 0, "totalCount": 0, "nodes": []}

    read = await events.graphql(MARK_READ, as_=admin)
    assert read["data"]["markNotificationsRead"]["unreadCount"] == 0
    feed = (await events.graphql(FEED, as_=admin))["data"]["viewer"]["notifications"]
    assert (feed["unreadCount"], feed["nodes"][0]["read"]) == (0, True)
    marker = hubspot_properties(urls, "contacts", admin.contact_id, [READ_AT])[READ_AT]
    assert marker is not None and float(marker) > 0

    link = mail["List-Unsubscribe"].strip("<>")
    async with _client(events) as http:
        forged = await http.post(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"))
        shown = await http.get(link)
        done = await http.post(link, content=b"List-Unsubscribe=One-Click")
    assert forged.status_code == 400
    assert "This unsubscribe link is not valid." in forged.text
    assert shown.status_code == 200 and '<form method="post">' in shown.text
    assert done.status_code == 200, done.text
    stored = hubspot_properties(urls, "contacts", admin.contact_id, [PREFERENCES])[PREFERENCES]
    assert stored is not None
    assert json.loads(stored)["ticket_status_changed"] == {
        "email": False,
        "sms": True,
        "in_app": True,
    }  # only this type, only this channel


async def test_the_same_vendor_event_twice_notifies_once(
    events: Events, backbone: Backbone, urls: dict[str, str]
) -> None:
    acme = backbone.company(ACME)
    for person in _active(backbone, ACME):
        set_preferences(urls, person, everything(EMAIL_AND_APP))
    invoice = {"id": "in_dup", "object": "invoice", "customer": acme.stripe_customer_id,
               "number": "ACME-DUP", "amount_due": 12500, "currency": "usd"}  # fmt: skip
    event = {"id": "evt_dup_1", "object": "event", "type": "invoice.created", "created": 1,
             "data": {"object": invoice}}  # fmt: skip
    body = json.dumps(event).encode()
    async with _client(events) as http:
        first = await http.post("/webhooks/stripe", content=body,
                                headers=signing.stripe_headers(body))  # fmt: skip
        await events.drained()
        # Stripe retries an event it thinks failed, signed anew: a later timestamp (a second
        # ahead of the clock here, so never the first's), a new signature, the same event id.
        again = await http.post("/webhooks/stripe", content=body,
                                headers=signing.stripe_headers(body, age_s=-1))  # fmt: skip
        await events.drained()
    assert (first.status_code, again.status_code) == (200, 200)
    expected = sorted(p.email for p in _active(backbone, ACME))
    assert sorted(m["To"] for m in events.mails()) == expected
    admin = member(backbone, ACME, "ADMIN")
    feed = (await events.graphql(FEED, as_=admin))["data"]["viewer"]["notifications"]
    assert feed["totalCount"] == 1


def _client(events: Events) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=events.url, timeout=10)


async def _mailed(events: Events, expected: set[str]) -> bool:
    return {m["To"] for m in events.mails()} >= expected


async def test_a_document_added_in_drive_reaches_the_feed_once(
    events: Events, sandbox: SandboxControl, backbone: Backbone, urls: dict[str, str]
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    set_preferences(urls, admin, everything(EMAIL_AND_APP))
    folder = backbone.company(ACME).drive_folder_id
    sandbox["drive"].call("POST", "/_sandbox/files", {"folder_id": folder, "name": "Q4 plan.pdf"})

    async def in_feed() -> bool:
        found = await events.graphql(FEED, as_=admin)
        return bool(found["data"]["viewer"]["notifications"]["nodes"])

    await until(in_feed)
    await events.drained()
    feed = (await events.graphql(FEED, as_=admin))["data"]["viewer"]["notifications"]
    assert feed["nodes"] == [
        {"type": "document.added", "title": "New document: Q4 plan.pdf", "path": "/documents",
         "read": False},
    ]  # fmt: skip
    assert [m["Subject"] for m in events.mails(admin.email)] == [
        "Acme Holdings: New document: Q4 plan.pdf"
    ]
