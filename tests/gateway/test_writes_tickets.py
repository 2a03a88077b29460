"""`createTicket` and `addTicketComment`: tickets in the account's Zendesk organization,
requested by the member, in the category's group, with the audit note."""

from __future__ import annotations

from typing import Any

from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, GLOBEX, company, member
from tests.gateway.upstream_state import (
    NO_WRITES,
    company_notes,
    hubspot_patch,
    upstream_writes,
    zendesk_get,
)

TICKET = """id number subject status priority group estimatedResolutionAt
  requester { name email } comments { body }"""
CREATE = f"""
mutation ($input: CreateTicketInput!) {{
  createTicket(input: $input) {{ ticket {{ {TICKET} }} userErrors {{ field message code }} }}
}}"""
COMMENT = f"""
mutation ($input: AddTicketCommentInput!) {{
  addTicketComment(input: $input) {{ ticket {{ {TICKET} }} userErrors {{ field message code }} }}
}}"""
LATEST = "{ viewer { account { tickets(first: 1) { nodes { number subject } } } } }"
NEW = {
    "subject": "Invoice <b>ACME-0059</b> charged twice",
    "description": "We were charged twice for <script>x()</script> ACME-0059.",
    "category": "BILLING",
    "priority": "HIGH",
}


def zendesk_ticket(urls: dict[str, str], number: int) -> dict[str, Any]:
    ticket: dict[str, Any] = zendesk_get(urls, f"/api/v2/tickets/{number}")["ticket"]
    return ticket


async def test_a_user_opens_a_ticket_in_the_billing_group(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    user = member(client.backbone, ACME, "USER")
    acme = company(client.backbone, ACME)
    await client.query(LATEST, as_=user)  # warms the cache: the write must evict it
    sandbox.clear_requests()

    body = await client.query(CREATE, {"input": NEW}, as_=user)

    payload = body["data"]["createTicket"]
    ticket = payload["ticket"]
    assert payload["userErrors"] == []
    assert {k: v for k, v in ticket.items() if k not in ("id", "number")} == {
        "subject": NEW["subject"],
        "status": "NEW",
        "priority": "HIGH",
        "group": "Billing",
        "estimatedResolutionAt": ticket["estimatedResolutionAt"],
        "requester": {"name": user.name, "email": user.email},
        "comments": [{"body": NEW["description"]}],
    }
    assert ticket["estimatedResolutionAt"] is not None  # the SLA policy covers HIGH tickets
    stored = zendesk_ticket(urls, ticket["number"])
    assert (stored["subject"], stored["organization_id"], stored["requester_id"]) == (
        NEW["subject"], acme.zendesk_organization_id, user.zendesk_user_id
    )  # fmt: skip
    assert stored["tags"] == ["client_portal", "portal_billing"]
    assert upstream_writes(sandbox) == {
        **NO_WRITES,
        "zendesk": ["POST /api/v2/tickets"],
        "hubspot": ["POST /crm/v3/objects/notes"],
    }
    [note] = company_notes(urls, ACME)
    assert (
        f"(USER, contact {user.contact_id}) opened ticket #{ticket['number']} "
        "“Invoice &lt;b&gt;ACME-0059&lt;/b&gt; charged twice” (BILLING, high) at 20" in note
    )
    latest = await client.query(LATEST, as_=user)
    assert latest["data"]["viewer"]["account"]["tickets"]["nodes"] == [
        {"number": ticket["number"], "subject": NEW["subject"]}
    ]


async def test_a_member_comments_on_a_ticket_as_its_requester(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    created = await client.query(CREATE, {"input": NEW}, as_=admin)
    ticket = created["data"]["createTicket"]["ticket"]
    sandbox.clear_requests()

    body = await client.query(
        COMMENT, {"input": {"ticketId": ticket["id"], "body": "Any news?"}}, as_=admin
    )

    assert body["data"]["addTicketComment"]["userErrors"] == []
    assert body["data"]["addTicketComment"]["ticket"]["comments"] == [
        {"body": NEW["description"]},
        {"body": "Any news?"},
    ]
    comments = zendesk_get(urls, f"/api/v2/tickets/{ticket['number']}/comments")["comments"]
    assert [(c["body"], c["public"], c["author_id"]) for c in comments][-1] == (
        "Any news?", True, admin.zendesk_user_id
    )  # fmt: skip
    assert upstream_writes(sandbox) == {
        **NO_WRITES,
        "zendesk": [f"PUT /api/v2/tickets/{ticket['number']}"],
        "hubspot": ["POST /crm/v3/objects/notes"],
    }
    assert f"commented on ticket #{ticket['number']} at 20" in company_notes(urls, ACME)[-1]


async def test_a_member_new_to_zendesk_becomes_an_end_user_of_the_organization(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    user = member(client.backbone, ACME, "USER")
    acme = company(client.backbone, ACME)
    hubspot_patch(urls, "contacts", user.contact_id, {"email": "new.person@acme.example"})
    sandbox.clear_requests()

    body = await client.query(CREATE, {"input": NEW}, as_=user)

    ticket = body["data"]["createTicket"]["ticket"]
    assert ticket["requester"] == {"name": user.name, "email": "new.person@acme.example"}
    [found] = zendesk_get(urls, "/api/v2/users/search?query=email:new.person@acme.example")["users"]
    assert (found["role"], found["organization_id"]) == ("end-user", acme.zendesk_organization_id)
    assert upstream_writes(sandbox)["zendesk"] == ["POST /api/v2/users", "POST /api/v2/tickets"]


async def test_bad_ticket_input_writes_nothing(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    user = member(client.backbone, ACME, "USER")
    bad = {**NEW, "subject": " ", "description": "x" * 30_001}

    body = await client.query(CREATE, {"input": bad}, as_=user)
    long_subject = await client.query(CREATE, {"input": {**NEW, "subject": "s" * 251}}, as_=user)

    assert body["data"]["createTicket"] == {
        "ticket": None,
        "userErrors": [
            {"field": "subject", "message": "This field cannot be blank.", "code": "REQUIRED"},
            {"field": "description", "message": "At most 30000 characters.", "code": "TOO_LONG"},
        ],
    }
    assert long_subject["data"]["createTicket"]["userErrors"] == [
        {"field": "subject", "message": "At most 250 characters.", "code": "TOO_LONG"}
    ]
    assert upstream_writes(sandbox) == NO_WRITES


async def test_another_accounts_ticket_is_not_found_and_nothing_is_written(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    outsider = member(client.backbone, GLOBEX, "ADMIN")
    theirs = await client.query(CREATE, {"input": NEW}, as_=member(client.backbone, ACME, "USER"))
    ticket_id = theirs["data"]["createTicket"]["ticket"]["id"]
    sandbox.clear_requests()

    body = await client.query(
        COMMENT, {"input": {"ticketId": ticket_id, "body": "hello"}}, as_=outsider
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
    assert upstream_writes(sandbox) == NO_WRITES


async def test_requested_by_me_narrows_the_tickets_to_the_members_own(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    user = member(client.backbone, ACME, "USER")
    created = await client.query(CREATE, {"input": NEW}, as_=user)
    number = created["data"]["createTicket"]["ticket"]["number"]
    mine = """{ viewer { account {
      all: tickets(first: 50) { nodes { requester { email } } }
      mine: tickets(first: 50, requestedByMe: true) { nodes { number requester { email } } }
      mineOpen: tickets(first: 50, requestedByMe: true, status: [NEW]) { nodes { number } }
    } } }"""

    account = (await client.query(mine, as_=user))["data"]["viewer"]["account"]

    assert {n["requester"]["email"] for n in account["all"]["nodes"]} != {user.email}
    assert {n["requester"]["email"] for n in account["mine"]["nodes"]} == {user.email}
    assert account["mine"]["nodes"][0]["number"] == number
    assert number in [n["number"] for n in account["mineOpen"]["nodes"]]
