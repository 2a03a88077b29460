"""The role matrix of every portal write: ADMIN, USER and READ_ONLY. Where a role may not,
the answer is FORBIDDEN and no upstream saw a write."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member
from tests.gateway.upstream_state import NO_WRITES, upstream_writes

ERRORS = "userErrors { code }"
MUTATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "updateAccountDetails": (
        f"mutation ($input: UpdateAccountDetailsInput!) {{ updateAccountDetails(input: $input) "
        f"{{ {ERRORS} }} }}",
        {"input": {"name": "Acme Holdings Ltd"}},
    ),
    "updateMyProfile": (
        f"mutation ($input: UpdateMyProfileInput!) {{ updateMyProfile(input: $input) "
        f"{{ {ERRORS} }} }}",
        {"input": {"jobTitle": "Controller"}},
    ),
    "updateNotificationPreferences": (
        "mutation ($input: UpdateNotificationPreferencesInput!) "
        f"{{ updateNotificationPreferences(input: $input) {{ {ERRORS} }} }}",
        {"input": {"preferences": [{"type": "DOCUMENT_ADDED", "channels": ["EMAIL"]}]}},
    ),
    "createTicket": (
        f"mutation ($input: CreateTicketInput!) {{ createTicket(input: $input) {{ {ERRORS} }} }}",
        {"input": {"subject": "Help", "description": "Please.", "category": "TECHNICAL"}},
    ),
    "addTicketComment": (
        "mutation ($input: AddTicketCommentInput!) "
        f"{{ addTicketComment(input: $input) {{ {ERRORS} }} }}",
        {"input": {"ticketId": "(filled in)", "body": "Thanks!"}},
    ),
}
ALLOWED = {
    "ADMIN": set(MUTATIONS),
    "USER": {"updateMyProfile", "updateNotificationPreferences", "createTicket",
             "addTicketComment"},
    "READ_ONLY": {"updateMyProfile", "updateNotificationPreferences"},
}  # fmt: skip
FIRST_TICKET = "{ viewer { account { tickets(first: 1) { nodes { id } } } } }"


@pytest.mark.parametrize("role", ["ADMIN", "USER", "READ_ONLY"])
@pytest.mark.parametrize("mutation", list(MUTATIONS))
async def test_each_role_may_do_what_it_may_and_nothing_else(
    client: GatewayClient, sandbox: SandboxControl, role: str, mutation: str
) -> None:
    person = member(client.backbone, ACME, role)
    query, variables = MUTATIONS[mutation]
    if mutation == "addTicketComment":
        found = await client.query(FIRST_TICKET, as_=person)
        ticket_id = found["data"]["viewer"]["account"]["tickets"]["nodes"][0]["id"]
        variables = {"input": {**variables["input"], "ticketId": ticket_id}}
    sandbox.clear_requests()

    body = await client.query(query, variables, as_=person)

    if mutation in ALLOWED[role]:
        assert body == {"data": {mutation: {"userErrors": []}}}
        assert upstream_writes(sandbox) != NO_WRITES
    else:
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"] == {"code": "FORBIDDEN"}
        assert error["message"].startswith(f"Your role ({role}) may not ")
        assert upstream_writes(sandbox) == NO_WRITES


async def test_signed_out_callers_are_told_to_sign_in(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    for mutation, (query, variables) in MUTATIONS.items():
        body = await client.query(query, variables)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"], mutation
    assert upstream_writes(sandbox) == NO_WRITES
