"""Spec-valid but unusual vendor records: one that cannot be read is left out of its list
with an UPSTREAM_DATA error naming the service, the vendor id and the field; the rest is
answered, and nothing is ever INTERNAL. Each vendor sandbox plants the odd record."""

from __future__ import annotations

from typing import Any

from sandbox.control import SandboxControl
from sandbox.drive.seed import build_state as drive_seed
from sandbox.stripe.seed import build_state as stripe_seed
from sandbox.zendesk.seed import build_state as zendesk_seed
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, company, member
from tests.gateway.upstream_state import zendesk_get

DOCUMENTS = "{ viewer { account { documents(first: 100) { nodes { id name } } } } }"
INVOICES = """{ viewer { account { invoices(first: 100) {
  nodes { number status total { amount currency decimal } }
} } } }"""
SUBSCRIPTION = "{ viewer { account { subscription { plan } usage { key } } } }"
TICKETS = (
    "{ viewer { account { tickets(first: 100) { nodes { number status requester { name } } } } } }"
)
CREATE = """
mutation ($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { number requester { name } } userErrors { message } }
}"""


def plant(sandbox: SandboxControl, vendor: str, record_id: str | int, **change: Any) -> None:
    sandbox[vendor].call("POST", "/_sandbox/odd_records", {"id": record_id, **change})


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_a_drive_file_with_a_size_that_is_no_number_fails_only_itself(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    acme = company(client.backbone, ACME)
    files = [f for f in drive_seed(client.backbone).files.values()
             if acme.drive_folder_id in f.parents and not f.trashed]  # fmt: skip
    odd = files[0]
    plant(sandbox, "drive", odd.id, set={"size": "twelve"})

    body = await client.query(DOCUMENTS, as_=member(client.backbone, ACME, "ADMIN"))
    sandbox.clear_requests()
    again = await client.query(DOCUMENTS, as_=member(client.backbone, ACME, "ADMIN"))

    # an answer that left a record out is not cached: the next read tells of it again
    assert again["errors"] == body["errors"]
    assert sandbox.call_counts()["drive"] == 1
    names = [n["name"] for n in body["data"]["viewer"]["account"]["documents"]["nodes"]]
    assert odd.name not in names and len(names) > 10
    assert body["errors"] == [
        {
            "message": f"Drive sent a record we could not read ({odd.id}); it is left out, "
            "the rest is answered.",
            "path": ["viewer", "account", "documents"],
            "extensions": {"code": "UPSTREAM_DATA", "service": "drive", "vendorId": odd.id},
        }
    ]


async def test_a_stripe_invoice_without_a_customer_fails_only_itself(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    acme = company(client.backbone, ACME)
    invoices = sorted(
        (i for i in stripe_seed(client.backbone).invoices.values()
         if i["customer"] == acme.stripe_customer_id),
        key=lambda i: i["created"], reverse=True,
    )  # fmt: skip
    plant(sandbox, "stripe", invoices[0]["id"], set={"customer": None})
    plant(sandbox, "stripe", invoices[1]["id"], set={"status": "in_dispute"})  # unknown enum
    plant(sandbox, "stripe", invoices[2]["id"], set={"currency": "jpy"})  # zero-decimal

    body = await client.query(INVOICES, as_=member(client.backbone, ACME, "ADMIN"))

    nodes = body["data"]["viewer"]["account"]["invoices"]["nodes"]
    assert len(nodes) == min(100, len(invoices)) - 1
    assert invoices[0]["number"] not in [n["number"] for n in nodes]
    assert [(e["extensions"]["code"], e["extensions"]["vendorId"]) for e in body["errors"]] == [
        ("UPSTREAM_DATA", invoices[0]["id"])
    ]
    by_number = {n["number"]: n for n in nodes}
    assert by_number[invoices[1]["number"]]["status"] is None
    total = invoices[2]["total"]
    assert by_number[invoices[2]["number"]]["total"] == {
        "amount": total, "currency": "JPY", "decimal": str(total)
    }  # fmt: skip


async def test_a_stripe_object_without_an_expected_key_is_upstream_data_not_internal(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    acme = company(client.backbone, ACME)
    seed = stripe_seed(client.backbone)
    subscription = next(
        s for s in seed.subscriptions.values() if s["customer"] == acme.stripe_customer_id
    )
    price = subscription["items"]["data"][0]["price"]
    plant(sandbox, "stripe", price["id"], remove=["recurring", "product"])

    body = await client.query(SUBSCRIPTION, as_=member(client.backbone, ACME, "ADMIN"))

    assert "INTERNAL" not in codes(body)
    assert codes(body) == ["UPSTREAM_DATA"]
    assert body["errors"][0]["extensions"]["vendorId"] == subscription["id"]
    assert body["data"]["viewer"]["account"]["subscription"] is None


async def test_a_zendesk_user_without_a_role_can_still_open_a_ticket(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    user = member(client.backbone, ACME, "USER")
    [found] = zendesk_get(urls, f"/api/v2/users/search.json?query=email:{user.email}")["users"]
    plant(sandbox, "zendesk", found["id"], remove=["role"])

    created = await client.query(
        CREATE,
        {"input": {"subject": "Hello", "description": "A question", "category": "TECHNICAL"}},
        as_=user,
    )

    assert "errors" not in created
    assert created["data"]["createTicket"]["userErrors"] == []
    assert created["data"]["createTicket"]["ticket"]["requester"] == {"name": found["name"]}


async def test_zendesk_unknown_statuses_and_64_bit_ids_are_answered(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    acme = company(client.backbone, ACME)
    tickets = [t for t in zendesk_seed(client.backbone).tickets.values()
               if t["organization_id"] == acme.zendesk_organization_id]  # fmt: skip
    odd = tickets[0]
    plant(sandbox, "zendesk", odd["id"], set={"requester_id": 2**62 + 1, "status": "escalated"})

    body = await client.query(TICKETS, as_=member(client.backbone, ACME, "USER"))

    assert "errors" not in body
    nodes = {n["number"]: n for n in body["data"]["viewer"]["account"]["tickets"]["nodes"]}
    assert len(nodes) == len(tickets)
    assert nodes[odd["id"]] == {"number": odd["id"], "status": None, "requester": None}


async def test_a_ticket_id_beyond_graphqls_int_fails_only_itself(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    acme = company(client.backbone, ACME)
    tickets = [t for t in zendesk_seed(client.backbone).tickets.values()
               if t["organization_id"] == acme.zendesk_organization_id]  # fmt: skip
    plant(sandbox, "zendesk", tickets[0]["id"], set={"id": 2**40})

    body = await client.query(TICKETS, as_=member(client.backbone, ACME, "USER"))

    nodes = body["data"]["viewer"]["account"]["tickets"]["nodes"]
    assert len(nodes) == len(tickets) - 1
    assert [(e["path"], e["extensions"]) for e in body["errors"]] == [
        (
            ["viewer", "account", "tickets"],
            {"code": "UPSTREAM_DATA", "service": "zendesk", "vendorId": str(2**40)},
        )
    ]


async def test_a_hubspot_contact_that_cannot_be_read_fails_only_itself(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    people = client.backbone.people_of(ACME)
    odd = next(p for p in people if p.role == "USER")
    plant(sandbox, "hubspot", odd.contact_id, remove=["updatedAt", "createdAt"])
    team = "{ viewer { account { team(first: 100) { nodes { email } } } } }"

    body = await client.query(team, as_=member(client.backbone, ACME, "ADMIN"))

    emails = [n["email"] for n in body["data"]["viewer"]["account"]["team"]["nodes"]]
    assert emails == [p.email for p in people if p is not odd]
    assert [(e["path"], e["extensions"]) for e in body["errors"]] == [
        (
            ["viewer", "account", "team"],
            {"code": "UPSTREAM_DATA", "service": "hubspot", "vendorId": odd.contact_id},
        )
    ]
