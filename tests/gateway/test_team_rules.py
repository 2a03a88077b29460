"""Who may manage the team (the role matrix), the seats of a per-seat price, and bad input:
each refusal writes nothing upstream."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import stripe

from cache import scopes
from config import SANDBOX_CREDENTIALS
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, GLOBEX, member
from tests.gateway.team_support import (
    BY_ID,
    CHANGE_ROLE,
    INVITE,
    NEW_MUTATIONS,
    account_id,
    call_of,
    data,
    invite_input,
    mails,
    member_id,
)
from tests.gateway.test_api_tokens import create_token
from tests.gateway.upstream_state import NO_WRITES, upstream_writes

# Acme's members holding a seat in the seed: 12 ACTIVE and 1 INVITED.
ACME_SEATS_USED = 13


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.mark.parametrize("role", ["USER", "READ_ONLY"])
async def test_only_an_admin_manages_the_team(
    client: GatewayClient, sandbox: SandboxControl, role: str
) -> None:
    viewer = member(client.backbone, ACME, role)
    target = member(client.backbone, ACME, "USER" if role == "READ_ONLY" else "READ_ONLY")
    for name in NEW_MUTATIONS:
        query, variables = call_of(name, target, ACME)
        body = await client.query(query, variables, as_=viewer)
        assert (body["data"], codes(body)) == (None, ["FORBIDDEN"]), name
        assert f"Your role ({role}) may not manage the team" in body["errors"][0]["message"]
    assert upstream_writes(sandbox) == NO_WRITES


async def test_an_api_token_manages_nothing(client: GatewayClient, sandbox: SandboxControl) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    token = await create_token(client, admin)
    target = member(client.backbone, ACME, "USER")
    sandbox.clear_requests()
    for name in NEW_MUTATIONS:
        query, variables = call_of(name, target, ACME)
        response = await client.http.post(
            "/graphql", json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
        body = response.json()
        assert (body["data"], codes(body)) == (None, ["FORBIDDEN"]), name
    assert upstream_writes(sandbox) == NO_WRITES


def _stripe(urls: dict[str, str]) -> stripe.StripeClient:
    return stripe.StripeClient(
        SANDBOX_CREDENTIALS["STRIPE_API_KEY"], base_addresses={"api": urls["stripe"]}
    )


def _seats(urls: dict[str, str], client: GatewayClient, quantity: int) -> None:
    """What a CSM does in Stripe: puts per-seat pricing on Acme's subscription (or changes
    its quantity)."""
    stripe_client = _stripe(urls)
    company = client.backbone.company(ACME)
    [subscription] = stripe_client.v1.subscriptions.list(
        params={"customer": company.stripe_customer_id}
    ).data
    [price] = stripe_client.v1.prices.list(
        params={"lookup_keys": [f"seats_monthly_{company.currency.lower()}"]}
    ).data
    existing = [item for item in subscription["items"].data if item.price.id == price.id]
    item: dict[str, Any] = {"id": existing[0].id} if existing else {"price": price.id}
    # Typed loosely: the SDK's TypedDict of params wants literal keys.
    params: Any = {"items": [{**item, "quantity": quantity}], "proration_behavior": "none"}
    stripe_client.v1.subscriptions.update(subscription.id, params=params)


async def test_seats_under_at_and_over_the_per_seat_quantity(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    disabled = client.backbone.person_by_email("quentin.novak@acme.example")
    _seats(urls, client, ACME_SEATS_USED + 1)

    under = await client.query(INVITE, invite_input("first.hire@example.com"), as_=admin)
    assert data(under, "inviteMember")["userErrors"] == []  # 13 of 14 seats: one is free
    sandbox.clear_requests()

    at = await client.query(INVITE, invite_input("second.hire@example.com"), as_=admin)
    full = "All 14 seats are taken: 14 members are active or invited."
    [error] = data(at, "inviteMember")["userErrors"]
    assert (error["code"], error["message"].startswith(full)) == ("SEAT_LIMIT", True), error
    back = await client.query(BY_ID["reactivateMember"], {"id": member_id(disabled)}, as_=admin)
    assert [e["code"] for e in data(back, "reactivateMember")["userErrors"]] == ["SEAT_LIMIT"]
    assert upstream_writes(sandbox) == NO_WRITES
    assert len(mails(client.outbox)) == 1

    # The CSM cuts the seats in Stripe; its webhook evicts the subscription.
    _seats(urls, client, 10)
    await client.gateway.services.cache.invalidate(
        scopes.subscriptions(client.backbone.company(ACME).stripe_customer_id)
    )
    over = await client.query(INVITE, invite_input("third.hire@example.com"), as_=admin)
    [error] = data(over, "inviteMember")["userErrors"]
    assert error["message"].startswith("All 10 seats are taken: 14 members are active or")
    # Freeing seats is always allowed, and reactivating waits until one is free.
    target = member_id(client.backbone.person_by_email("bruno.tanaka@acme.example"))
    freed = await client.query(BY_ID["deactivateMember"], {"id": target}, as_=admin)
    assert data(freed, "deactivateMember")["userErrors"] == []


async def test_two_admins_inviting_at_once_cannot_both_take_the_last_seat(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admins = [p for p in client.backbone.people_of(ACME) if p.role == "ADMIN"][:2]
    _seats(urls, client, ACME_SEATS_USED + 1)

    bodies = await asyncio.gather(
        *(
            client.query(INVITE, invite_input(f"hire{index}@example.com"), as_=admin)
            for index, admin in enumerate(admins)
        )
    )

    answers = [data(body, "inviteMember") for body in bodies]
    invited = [a for a in answers if not a["userErrors"]]
    refused = [e["code"] for a in answers for e in a["userErrors"]]
    assert (len(invited), len(refused)) == (1, 1), answers
    assert refused[0] in ("SEAT_LIMIT", "BUSY")
    assert len(upstream_writes(sandbox)["hubspot"]) == 2  # one contact, one note
    assert len(mails(client.outbox)) == 1


async def test_without_a_per_seat_price_there_is_no_limit(client: GatewayClient) -> None:
    admin = member(client.backbone, GLOBEX, "ADMIN")
    for index in range(3):
        body = await client.query(INVITE, invite_input(f"hire{index}@globex.example"), as_=admin)
        assert data(body, "inviteMember")["userErrors"] == []


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"email": "not-an-email"}, [("email", "INVALID_EMAIL")]),
        ({"email": "two@@example.com"}, [("email", "INVALID_EMAIL")]),
        ({"email": "sp ace@example.com"}, [("email", "INVALID_EMAIL")]),
        ({"email": "a@b.com, victim@c.com"}, [("email", "INVALID_EMAIL")]),
        ({"email": "<a@b.com>"}, [("email", "INVALID_EMAIL")]),
        ({"email": "nodot@localhost"}, [("email", "INVALID_EMAIL")]),
        ({"email": "x" * 250 + "@example.com"}, [("email", "INVALID_EMAIL")]),
        ({"email": "   "}, [("email", "REQUIRED")]),
        ({"firstName": "", "lastName": "  "},
         [("firstName", "REQUIRED"), ("lastName", "REQUIRED")]),
        ({"firstName": "x" * 10_000}, [("firstName", "TOO_LONG")]),
        ({"lastName": "Doe\r\nBcc: victim@example.com"}, [("lastName", "INVALID")]),
    ],
)  # fmt: skip
async def test_bad_invitations_write_nothing(
    client: GatewayClient,
    sandbox: SandboxControl,
    change: dict[str, str],
    errors: list[tuple[str, str]],
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    variables = invite_input("jane.doe@example.com")
    variables["input"].update(change)

    body = await client.query(INVITE, variables, as_=admin)

    found = data(body, "inviteMember")
    assert found["member"] is None
    assert [(e["field"], e["code"]) for e in found["userErrors"]] == errors
    assert upstream_writes(sandbox) == NO_WRITES
    assert mails(client.outbox) == []


async def test_an_unknown_role_is_refused_before_anything_runs(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    target = member(client.backbone, ACME, "USER")
    for query, variables in [
        (INVITE, invite_input("jane.doe@example.com", "OWNER")),
        (CHANGE_ROLE, {"id": member_id(target), "role": "SUPERUSER"}),
    ]:
        response = await client.http.post(
            "/graphql", json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {client.token_for(admin)}"},
        )  # fmt: skip
        assert response.status_code == 200
        assert codes(response.json()) == ["BAD_USER_INPUT"], response.json()
    assert upstream_writes(sandbox) == NO_WRITES


async def test_ids_of_other_accounts_are_not_found_and_nothing_is_written(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    stranger = member(client.backbone, GLOBEX, "USER")
    forged = member_id(stranger, ACME)  # Acme's id around Globex's contact
    for name, query in [("changeMemberRole", CHANGE_ROLE), *BY_ID.items()]:
        for target in (member_id(stranger), forged):
            variables = (
                {"id": target, "role": "ADMIN"} if name == "changeMemberRole" else {"id": target}
            )
            body = await client.query(query, variables, as_=admin)
            assert (body["data"], codes(body)) == (None, ["NOT_FOUND"]), name
    foreign = await client.query(
        INVITE, invite_input("jane.doe@example.com", accountId=account_id(GLOBEX)), as_=admin
    )
    assert codes(foreign) == ["NOT_FOUND"]
    garbage = await client.query(BY_ID["removeMember"], {"id": "not-an-id"}, as_=admin)
    assert codes(garbage) == ["BAD_USER_INPUT"]
    assert upstream_writes(sandbox) == NO_WRITES
