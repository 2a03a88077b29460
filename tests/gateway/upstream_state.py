"""What the upstreams hold after a write, read as an independent client would: HubSpot and
Zendesk over their REST APIs, Stripe through the official SDK. And which writes they saw."""

from __future__ import annotations

import base64
import json
import urllib.request
from typing import Any

import stripe

from config import SANDBOX_CREDENTIALS
from sandbox.control import SandboxControl

_ZENDESK_LOGIN = base64.b64encode(
    f"{SANDBOX_CREDENTIALS['ZENDESK_EMAIL']}/token:{SANDBOX_CREDENTIALS['ZENDESK_API_TOKEN']}".encode()
).decode()
_AUTH = {
    "hubspot": f"Bearer {SANDBOX_CREDENTIALS['HUBSPOT_ACCESS_TOKEN']}",
    "zendesk": f"Basic {_ZENDESK_LOGIN}",
}
_READS = ("/batch/read", "/search")


def _call(urls: dict[str, str], vendor: str, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(  # noqa: S310 - loopback sandbox URL
        urls[vendor] + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": _AUTH[vendor], "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def hubspot_call(urls: dict[str, str], method: str, path: str, body: Any = None) -> Any:
    """Any HubSpot API call, as an independent client (or HubSpot's own staff) makes it."""
    return _call(urls, "hubspot", method, path, body)


def hubspot_properties(
    urls: dict[str, str], object_type: str, object_id: str, names: list[str]
) -> dict[str, str | None]:
    path = f"/crm/v3/objects/{object_type}/{object_id}?properties={','.join(names)}"
    found = _call(urls, "hubspot", "GET", path)["properties"]
    return {name: found.get(name) for name in names}


def hubspot_patch(
    urls: dict[str, str], object_type: str, object_id: str, properties: dict[str, str]
) -> None:
    """A change made in HubSpot itself (say, by a CSM)."""
    path = f"/crm/v3/objects/{object_type}/{object_id}"
    _call(urls, "hubspot", "PATCH", path, {"properties": properties})


def company_notes(urls: dict[str, str], company_id: str) -> list[str]:
    """The bodies of the portal's notes on the company's timeline, oldest first."""
    links = _call(
        urls, "hubspot", "GET", f"/crm/v4/objects/companies/{company_id}/associations/notes"
    )
    ids = [{"id": str(link["toObjectId"])} for link in links["results"]]
    if not ids:
        return []
    notes = _call(
        urls, "hubspot", "POST", "/crm/v3/objects/notes/batch/read",
        {"inputs": ids, "properties": ["hs_note_body", "hs_timestamp"]},
    )["results"]  # fmt: skip
    ordered = sorted(notes, key=lambda n: (n["properties"]["hs_timestamp"], int(n["id"])))
    bodies = [n["properties"]["hs_note_body"] for n in ordered]
    return [b for b in bodies if b.startswith("Client portal:")]


def zendesk_get(urls: dict[str, str], path: str) -> Any:
    return _call(urls, "zendesk", "GET", path)


def stripe_customer(urls: dict[str, str], customer_id: str) -> stripe.Customer:
    client = stripe.StripeClient(
        SANDBOX_CREDENTIALS["STRIPE_API_KEY"], base_addresses={"api": urls["stripe"]}
    )
    return client.v1.customers.retrieve(customer_id)


def stripe_invoice(urls: dict[str, str], invoice_id: str) -> stripe.Invoice:
    client = stripe.StripeClient(
        SANDBOX_CREDENTIALS["STRIPE_API_KEY"], base_addresses={"api": urls["stripe"]}
    )
    return client.v1.invoices.retrieve(invoice_id)


def upstream_writes(sandbox: SandboxControl) -> dict[str, list[str]]:
    """Every request that could change data, per vendor (reads by POST left out)."""
    return {
        vendor: [
            f"{c.method} {c.path}"
            for c in sandbox[vendor].requests()
            if c.method in ("POST", "PUT", "PATCH", "DELETE") and not c.path.endswith(_READS)
        ]
        for vendor in sandbox.vendors
    }


NO_WRITES: dict[str, list[str]] = {"hubspot": [], "stripe": [], "zendesk": [], "drive": []}


def stripe_sdk(urls: dict[str, str]) -> stripe.StripeClient:
    """Stripe as an independent client reads it: the official SDK on the sandbox."""
    return stripe.StripeClient(
        SANDBOX_CREDENTIALS["STRIPE_API_KEY"],
        base_addresses={"api": urls["stripe"]},
        max_network_retries=0,
    )
