"""Portal events from vendor payloads (as the vendors document them), their stable ids,
the client webhook retry schedule and the address rules of client webhook targets."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from resolvers.request.ids import encode_id
from webhooks.delivery import client_hooks, targets
from webhooks.events import own_writes, vendors
from webhooks.events.derived import Owner


def _stripe(kind: str, obj: dict[str, object]) -> str:
    return json.dumps({"id": "evt_1", "type": kind, "created": 1700000000, "data": {"object": obj}})


INVOICE = {"id": "in_1", "customer": "cus_1", "number": "A-1", "amount_due": 12345,
           "currency": "eur", "status": "open"}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "portal", "title"),
    [
        ("invoice.created", "invoice.created", "New invoice A-1: 123.45 EUR"),
        ("invoice.paid", "invoice.paid", "Invoice A-1 is paid (123.45 EUR)"),
        ("invoice.payment_failed", "invoice.payment_failed",
         "Payment of invoice A-1 failed (123.45 EUR)"),
        ("invoice.upcoming", "subscription.renewal_upcoming",
         "Your subscription renews soon: 123.45 EUR"),
    ],
)  # fmt: skip
def test_stripe_invoice_events(kind: str, portal: str, title: str) -> None:
    [found] = vendors.derive("stripe", _stripe(kind, INVOICE))
    path = "/subscription" if portal == "subscription.renewal_upcoming" else "/"
    assert (found.type.value, found.title, found.path) == (portal, title, path)
    assert found.owner == Owner("stripe_customer_id", "cus_1")


def test_stripe_events_the_portal_does_not_tell() -> None:
    assert vendors.derive("stripe", _stripe("invoice.finalized", INVOICE)) == []
    assert vendors.derive("stripe", _stripe("customer.updated", {"id": "cus_1"})) == []
    [changed] = vendors.derive("stripe", _stripe("customer.subscription.updated",
                                                 {"id": "sub_1", "customer": "cus_1",
                                                  "status": "past_due"}))  # fmt: skip
    assert (changed.type.value, changed.path) == ("subscription.changed", "/subscription")


def _zendesk(kind: str, event: dict[str, object]) -> str:
    return json.dumps({
        "id": "01HZ", "type": f"zen:event-type:{kind}", "time": "2026-11-30T10:00:00Z",
        "subject": "zen:ticket:42",
        "detail": {"id": "42", "organization_id": "900", "subject": "Printer", "status": "SOLVED"},
        "event": event,
    })  # fmt: skip


def test_zendesk_status_changes_and_public_agent_replies_only() -> None:
    changed: dict[str, object] = {"current": "solved", "previous": "open"}
    [status] = vendors.derive("zendesk", _zendesk("ticket.status_changed", changed))
    assert (status.type.value, status.title) == (
        "ticket.status_changed",
        "Ticket #42 is now solved",
    )
    assert status.owner == Owner("zendesk_organization_id", "900")
    # The ticket's screen, by the id the API gives the ticket in that account.
    assert status.for_account("1001").path == "/tickets/" + encode_id("Ticket", "1001", "42")

    def comment(public: bool, staff: bool) -> str:
        return _zendesk("ticket.comment_added", {"comment": {
            "id": "7", "body": "Fixed", "is_public": public,
            "author": {"id": "1", "is_staff": staff, "name": "Agent"}}})  # fmt: skip

    [reply] = vendors.derive("zendesk", comment(public=True, staff=True))
    assert reply.type.value == "ticket.comment_added"
    assert vendors.derive("zendesk", comment(public=False, staff=True)) == []  # internal note
    assert vendors.derive("zendesk", comment(public=True, staff=False)) == []  # the member's own


def test_an_invitation_in_the_portal_is_one_event() -> None:
    moment = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    once = own_writes.member_invited("1001", "2001", "USER", moment, "Dmitri Schmidt")
    again = own_writes.member_invited("1001", "2001", "USER", moment, "Dmitri Schmidt")
    later = own_writes.member_invited("1001", "2001", "USER", moment.replace(hour=11), "D")
    assert (once.type, once.title, once.path) == (
        "member.invited", "Dmitri Schmidt invited a new member", "/team",
    )  # fmt: skip
    assert once.id == again.id != later.id


def test_event_ids_are_stable_per_vendor_event_and_account() -> None:
    body = _stripe("invoice.paid", INVOICE)
    [once], [again] = vendors.derive("stripe", body), vendors.derive("stripe", body)
    assert once.for_account("1001").id == again.for_account("1001").id
    assert once.for_account("1001").id != once.for_account("1002").id
    other = vendors.derive("stripe", body.replace("evt_1", "evt_2"))[0]
    assert other.for_account("1001").id != once.for_account("1001").id


def test_retries_last_more_than_a_day() -> None:
    assert sum(client_hooks.SCHEDULE) >= 24 * 3600
    assert list(client_hooks.SCHEDULE) == sorted(client_hooks.SCHEDULE)


@pytest.mark.parametrize(
    ("address", "loopback_ok", "allowed"),
    [
        ("93.184.215.14", False, True),
        ("127.0.0.1", False, False),
        ("127.0.0.1", True, True),
        ("::1", True, True),
        ("10.1.2.3", True, False),
        ("192.168.0.1", True, False),
        ("172.16.5.4", True, False),
        ("169.254.169.254", True, False),
        ("100.64.0.1", True, False),
        ("::ffff:10.0.0.1", True, False),
        ("fe80::1", True, False),
        ("224.0.0.1", True, False),
        ("0.0.0.0", True, False),  # noqa: S104 - an address refused, not bound
    ],
)
def test_which_addresses_webhooks_may_reach(address: str, loopback_ok: bool, allowed: bool) -> None:
    assert targets.address_allowed(address, allow_loopback=loopback_ok) is allowed
