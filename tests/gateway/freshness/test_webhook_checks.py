"""Each vendor's webhook: accepted when signed and fresh, evicting exactly what it names;
refused (and changing nothing) when unsigned, wrongly signed, too old, or replayed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import pytest

from config import Settings
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.freshness import signing
from tests.gateway.freshness.conftest import OpenClient
from tests.gateway.people import ACME, member
from tests.gateway.queries import DASHBOARD

VENDORS = ("hubspot", "stripe", "zendesk", "drive")
NO_CALLS = dict.fromkeys(VENDORS, 0)
Signer = Callable[..., dict[str, str]]


@pytest.fixture
async def hooked(
    settings: Settings, open_client: OpenClient, sandbox: SandboxControl
) -> AsyncIterator[GatewayClient]:
    signed = replace(
        settings,
        stripe_webhook_secret=signing.STRIPE_SECRET,
        hubspot_client_secret=signing.HUBSPOT_SECRET,
        zendesk_webhook_secret=signing.ZENDESK_SECRET,
    )
    async with open_client(signed) as client:
        yield client


def _stripe_event(backbone: Backbone) -> bytes:
    customer = backbone.company(ACME).stripe_customer_id
    data = {"object": {"id": "in_webhooktest", "object": "invoice", "customer": customer}}
    event = {"id": "evt_1", "object": "event", "type": "invoice.paid", "data": data}
    return json.dumps(event).encode()


def _hubspot_events(backbone: Backbone) -> bytes:
    events = [
        {"eventId": 1, "subscriptionType": "company.propertyChange", "objectId": int(ACME),
         "propertyName": "name", "propertyValue": "Acme", "occurredAt": 1},
    ]  # fmt: skip
    return json.dumps(events).encode()


def _zendesk_event(backbone: Backbone) -> bytes:
    organization = backbone.company(ACME).zendesk_organization_id
    event = {
        "type": "zen:event-type:ticket.status_changed",
        "subject": "zen:ticket:4242",
        "detail": {"id": "4242", "organization_id": str(organization)},
        "event": {"current": "solved", "previous": "open"},
    }
    return json.dumps(event).encode()


def _cases(backbone: Backbone) -> dict[str, tuple[bytes, Callable[..., dict[str, str]]]]:
    return {
        "stripe": (_stripe_event(backbone), signing.stripe_headers),
        "hubspot": (
            _hubspot_events(backbone),
            lambda body, **kw: signing.hubspot_headers(
                "http://localhost/webhooks/hubspot", body, **kw
            ),
        ),
        "zendesk": (_zendesk_event(backbone), signing.zendesk_headers),
    }


def _expected_scopes(vendor: str, backbone: Backbone) -> list[str]:
    acme = backbone.company(ACME)
    return {
        "stripe": ["stripe:invoice:in_webhooktest", f"stripe:invoices:{acme.stripe_customer_id}",
                   f"stripe:upcoming-invoice:{acme.stripe_customer_id}"],
        "hubspot": [f"hubspot:company:{ACME}", f"hubspot:company-children:{ACME}",
                    f"hubspot:company-parent:{ACME}"],
        "zendesk": ["zendesk:ticket:4242", "zendesk:comments:4242",
                    f"zendesk:tickets:{acme.zendesk_organization_id}"],
    }[vendor]  # fmt: skip


def _calls(sandbox: SandboxControl) -> dict[str, int]:
    return sandbox.call_counts()


@pytest.mark.parametrize("vendor", ["stripe", "hubspot", "zendesk"])
async def test_a_signed_fresh_webhook_evicts_exactly_what_it_names(
    vendor: str, hooked: GatewayClient, sandbox: SandboxControl, backbone: Backbone
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    await hooked.query(DASHBOARD, as_=admin)
    body, sign = _cases(backbone)[vendor]

    response = await hooked.http.post(f"/webhooks/{vendor}", content=body, headers=sign(body))

    assert response.status_code == 200, response.text
    assert response.json() == {"evicted": _expected_scopes(vendor, backbone)}
    sandbox.clear_requests()
    await hooked.query(DASHBOARD, as_=admin)
    calls = _calls(sandbox)
    assert calls[vendor] > 0
    assert {v: n for v, n in calls.items() if v != vendor} == {v: 0 for v in VENDORS if v != vendor}


REFUSALS: dict[str, tuple[int, Callable[[bytes, Signer], tuple[bytes, dict[str, str]]]]] = {
    "no signature": (400, lambda body, sign: (body, {"Content-Type": "application/json"})),
    "wrong secret": (401, lambda body, sign: (body, sign(body, secret="not-the-secret"))),
    "changed body": (401, lambda body, sign: (body + b" ", sign(body))),
    "old timestamp": (400, lambda body, sign: (body, sign(body, age_s=301))),
}


@pytest.mark.parametrize("vendor", ["stripe", "hubspot", "zendesk"])
@pytest.mark.parametrize("case", list(REFUSALS))
async def test_a_webhook_that_proves_nothing_is_refused_and_changes_nothing(
    vendor: str, case: str, hooked: GatewayClient, sandbox: SandboxControl, backbone: Backbone
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    warm = await hooked.query(DASHBOARD, as_=admin)
    body, sign = _cases(backbone)[vendor]
    status, tamper = REFUSALS[case]
    sent_body, headers = tamper(body, sign)
    sandbox.clear_requests()

    response = await hooked.http.post(f"/webhooks/{vendor}", content=sent_body, headers=headers)

    assert response.status_code == status, response.text
    assert _same_but_links(await hooked.query(DASHBOARD, as_=admin), warm)
    assert _calls(sandbox) == NO_CALLS


@pytest.mark.parametrize("vendor", ["stripe", "hubspot", "zendesk"])
async def test_a_replayed_webhook_is_refused(
    vendor: str, hooked: GatewayClient, sandbox: SandboxControl, backbone: Backbone
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    body, sign = _cases(backbone)[vendor]
    headers = sign(body)
    first = await hooked.http.post(f"/webhooks/{vendor}", content=body, headers=headers)
    warm = await hooked.query(DASHBOARD, as_=admin)
    sandbox.clear_requests()

    again = await hooked.http.post(f"/webhooks/{vendor}", content=body, headers=headers)

    assert (first.status_code, again.status_code) == (200, 400)
    assert again.json() == {"error": "already delivered (replay)"}
    assert _same_but_links(await hooked.query(DASHBOARD, as_=admin), warm)
    assert _calls(sandbox) == NO_CALLS


async def test_an_endpoint_without_a_secret_is_not_there(
    client: GatewayClient, backbone: Backbone
) -> None:
    body = _stripe_event(backbone)
    response = await client.http.post(
        "/webhooks/stripe", content=body, headers=signing.stripe_headers(body)
    )
    assert (response.status_code, response.json()) == (
        404, {"error": "this webhook is not configured"},
    )  # fmt: skip


def _same_but_links(body: dict[str, Any], other: dict[str, Any]) -> bool:
    """Equal, but for signed links and cursors, which carry their issue time."""
    return bool(_unsigned(body) == _unsigned(other))


def _unsigned(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _unsigned(v) for k, v in value.items() if k not in ("downloadUrl", "endCursor")}
    if isinstance(value, list):
        return [_unsigned(v) for v in value]
    return value
