"""Roles, deactivation, reactivation and removal end to end: HubSpot's state afterwards, the
audit note, the member's own access at once, and the team query straight after."""

from __future__ import annotations

from typing import Any

from sandbox.accounts import Person
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, INITECH, UMBRELLA, member
from tests.gateway.team_support import (
    BY_ID,
    CHANGE_ROLE,
    INVITE,
    TEAM,
    account_id,
    data,
    hubspot_companies_of,
    invite_input,
    member_id,
)
from tests.gateway.upstream_state import (
    NO_WRITES,
    company_notes,
    hubspot_properties,
    upstream_writes,
)

ME = "{ viewer { member { role status } accounts { name } } }"


async def me(client: GatewayClient, token: str) -> dict[str, Any]:
    response = await client.http.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    body: dict[str, Any] = response.json()
    return body


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_a_role_change_lands_in_hubspot_and_applies_to_the_member_at_once(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin, user = member(client.backbone, ACME, "ADMIN"), member(client.backbone, ACME, "USER")
    session = client.token_for(user)
    assert (await me(client, session))["data"]["viewer"]["member"]["role"] == "USER"
    sandbox.clear_requests()

    body = await client.query(CHANGE_ROLE, {"id": member_id(user), "role": "ADMIN"}, as_=admin)

    changed = data(body, "changeMemberRole")
    assert (changed["member"]["role"], changed["userErrors"]) == ("ADMIN", [])
    assert upstream_writes(sandbox) == {
        **NO_WRITES,
        "hubspot": [f"PATCH /crm/v3/objects/contacts/{user.contact_id}",
                    "POST /crm/v3/objects/notes"],
    }  # fmt: skip
    assert hubspot_properties(urls, "contacts", user.contact_id, ["portal_role"]) == {
        "portal_role": "ADMIN"
    }
    assert (
        f"changed the role of Yara Ulrich &lt;{user.email}&gt; (contact {user.contact_id}) "
        "from USER to ADMIN" in company_notes(urls, ACME)[-1]
    )
    assert (await me(client, session))["data"]["viewer"]["member"]["role"] == "ADMIN"
    admins = await client.query(TEAM, {"account": account_id(ACME), "role": ["ADMIN"]}, as_=admin)
    assert user.email in [n["email"] for n in data(admins, "account")["team"]["nodes"]]

    same = await client.query(CHANGE_ROLE, {"id": member_id(user), "role": "ADMIN"}, as_=admin)
    assert data(same, "changeMemberRole")["userErrors"] == []  # nothing to change: no write


async def test_deactivation_refuses_the_members_sessions_and_reactivation_needs_a_new_one(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    bruno = client.backbone.person_by_email("bruno.tanaka@acme.example")
    old_session = client.token_for(bruno)
    assert "errors" not in await me(client, old_session)  # cached as ACTIVE now
    sandbox.clear_requests()

    body = await client.query(BY_ID["deactivateMember"], {"id": member_id(bruno)}, as_=admin)

    assert data(body, "deactivateMember")["member"]["status"] == "DISABLED"
    assert upstream_writes(sandbox)["hubspot"] == [
        f"PATCH /crm/v3/objects/contacts/{bruno.contact_id}",
        "POST /crm/v3/objects/notes",
    ]
    assert hubspot_properties(urls, "contacts", bruno.contact_id, ["portal_status"]) == {
        "portal_status": "DISABLED"
    }
    assert codes(await me(client, old_session)) == ["UNAUTHENTICATED"]
    assert "deactivated Bruno Tanaka" in company_notes(urls, ACME)[-1]
    disabled = await client.query(
        TEAM, {"account": account_id(ACME), "status": ["DISABLED"]}, as_=admin
    )
    assert bruno.email in [n["email"] for n in data(disabled, "account")["team"]["nodes"]]

    body = await client.query(BY_ID["reactivateMember"], {"id": member_id(bruno)}, as_=admin)

    assert data(body, "reactivateMember")["member"]["status"] == "ACTIVE"
    assert "reactivated Bruno Tanaka" in company_notes(urls, ACME)[-1]
    assert codes(await me(client, old_session)) == ["UNAUTHENTICATED"]  # sign in again
    assert "errors" not in await me(client, client.token_for(bruno))


async def test_removal_unlinks_this_account_only(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    initech_admin = member(client.backbone, INITECH, "ADMIN")
    consultant = client.backbone.person_by_email("morgan.reyes@consultants.example")
    session = client.token_for(consultant)
    before = await client.query(TEAM, {"account": account_id(INITECH)}, as_=initech_admin)
    count = data(before, "account")["team"]["totalCount"]
    sandbox.clear_requests()

    body = await client.query(
        BY_ID["removeMember"], {"id": member_id(consultant, INITECH)}, as_=initech_admin
    )

    assert data(body, "removeMember")["userErrors"] == []
    assert upstream_writes(sandbox)["hubspot"] == [
        f"DELETE /crm/v4/objects/contacts/{consultant.contact_id}/associations/companies/{INITECH}",
        "POST /crm/v3/objects/notes",
    ]
    assert hubspot_companies_of(urls, consultant.contact_id) == [UMBRELLA]
    assert hubspot_properties(urls, "contacts", consultant.contact_id, ["portal_status"]) == {
        "portal_status": "ACTIVE"  # the contact stays, as do its other accounts
    }
    after = await client.query(TEAM, {"account": account_id(INITECH)}, as_=initech_admin)
    assert data(after, "account")["team"]["totalCount"] == count - 1
    assert (await me(client, session))["data"]["viewer"]["accounts"] == [{"name": "Umbrella"}]
    assert "removed Morgan Reyes" in company_notes(urls, INITECH)[-1]


async def test_someone_removed_from_their_only_account_is_signed_out_at_once(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    zoe = client.backbone.person_by_email("zoe.becker@acme.example")
    session = client.token_for(zoe)
    assert "errors" not in await me(client, session)

    body = await client.query(BY_ID["removeMember"], {"id": member_id(zoe)}, as_=admin)

    assert data(body, "removeMember")["userErrors"] == []
    assert hubspot_companies_of(urls, zoe.contact_id) == []
    assert codes(await me(client, session)) == ["UNAUTHENTICATED"]


async def test_nobody_changes_deactivates_or_removes_themselves(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    calls = {
        "changeMemberRole": (CHANGE_ROLE, {"id": member_id(admin), "role": "USER"}),
        "deactivateMember": (BY_ID["deactivateMember"], {"id": member_id(admin)}),
        "removeMember": (BY_ID["removeMember"], {"id": member_id(admin)}),
    }
    for name, (query, variables) in calls.items():
        body = await client.query(query, variables, as_=admin)
        [error] = data(body, name)["userErrors"]
        assert (error["field"], error["code"]) == ("memberId", "SELF"), error
    assert upstream_writes(sandbox) == NO_WRITES


async def test_an_account_keeps_an_active_admin_whoever_acts(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    """Acme's ADMIN acts on Acme Europe's only ADMIN (a parent ADMIN may)."""
    parent_admin = member(client.backbone, ACME, "ADMIN")
    only_admin = client.backbone.person_by_email("kwame.xu@acme-eu.example")
    target = member_id(only_admin)
    calls = {
        "changeMemberRole": (CHANGE_ROLE, {"id": target, "role": "USER"}),
        "deactivateMember": (BY_ID["deactivateMember"], {"id": target}),
        "removeMember": (BY_ID["removeMember"], {"id": target}),
    }
    for name, (query, variables) in calls.items():
        body = await client.query(query, variables, as_=parent_admin)
        assert data(body, name)["userErrors"] == [
            {"field": "memberId", "code": "LAST_ADMIN",
             "message": "Kwame Xu is the last active ADMIN of this account: make someone else "
             "an ADMIN first."},
        ], name  # fmt: skip
    assert upstream_writes(sandbox) == NO_WRITES
    # With a second ADMIN, the first may go.
    colleague = member_id(client.backbone.person_by_email("lea.muller@acme-eu.example"))
    promoted = await client.query(CHANGE_ROLE, {"id": colleague, "role": "ADMIN"}, as_=parent_admin)
    assert data(promoted, "changeMemberRole")["userErrors"] == []
    demoted = await client.query(CHANGE_ROLE, {"id": target, "role": "USER"}, as_=parent_admin)
    assert data(demoted, "changeMemberRole")["userErrors"] == []


async def test_a_sub_account_admin_manages_nothing_of_the_parent(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    europe_admin = client.backbone.person_by_email("kwame.xu@acme-eu.example")
    acme_user = member(client.backbone, ACME, "USER")
    for name, query in [("changeMemberRole", CHANGE_ROLE), *BY_ID.items()]:
        variables = {"id": member_id(acme_user), "role": "READ_ONLY"}
        if name != "changeMemberRole":
            variables.pop("role")
        body = await client.query(query, variables, as_=europe_admin)
        assert (body["data"], codes(body)) == (None, ["NOT_FOUND"]), name
    assert upstream_writes(sandbox) == NO_WRITES


async def test_reactivation_is_for_deactivated_members(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    invited = client.backbone.person_by_email("oskar.fischer@acme.example")

    body = await client.query(BY_ID["reactivateMember"], {"id": member_id(invited)}, as_=admin)

    assert data(body, "reactivateMember")["userErrors"] == [
        {"field": "memberId", "code": "INVALID",
         "message": "Oskar Fischer has not accepted the invitation yet: send it again."},
    ]  # fmt: skip
    assert upstream_writes(sandbox) == NO_WRITES


async def test_the_team_filters_search_and_pages_with_a_total(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin: Person = member(client.backbone, ACME, "ADMIN")
    acme = account_id(ACME)

    async def team(**variables: Any) -> dict[str, Any]:
        body = await client.query(TEAM, {"account": acme, **variables}, as_=admin)
        found: dict[str, Any] = data(body, "account")["team"]
        return found

    admins = await team(role=["ADMIN"], status=["ACTIVE"])
    assert admins["totalCount"] == 3
    assert {n["role"] for n in admins["nodes"]} == {"ADMIN"}
    by_email = await team(search="yara.ulrich@acme.example")
    assert [n["name"] for n in by_email["nodes"]] == ["Yara Ulrich"]
    by_name = await team(search="BRUNO")
    assert sorted(n["email"] for n in by_name["nodes"]) == [
        "bruno.novak@acme.example", "bruno.quinn@acme.example", "bruno.tanaka@acme.example",
    ]  # fmt: skip
    first = await team(search="bruno", first=2)
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (3, True)
    rest = await team(search="bruno", first=2, after=first["pageInfo"]["endCursor"])
    assert len(rest["nodes"]) == 1 and not rest["pageInfo"]["hasNextPage"]
    moved = await client.query(
        TEAM, {"account": acme, "search": "zoe", "after": first["pageInfo"]["endCursor"]},
        as_=admin,
    )  # fmt: skip
    assert codes(moved) == ["BAD_USER_INPUT"]  # a cursor of another filter
    assert (await team(search="nobody-at-all"))["totalCount"] == 0


async def test_an_invited_person_counts_in_the_filtered_team_at_once(
    client: GatewayClient,
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    before = await client.query(TEAM, {"account": account_id(ACME), "status": ["INVITED"]},
                                as_=admin)  # fmt: skip
    await client.query(INVITE, invite_input("jane.doe@example.com"), as_=admin)
    after = await client.query(TEAM, {"account": account_id(ACME), "status": ["INVITED"]},
                               as_=admin)  # fmt: skip
    assert (
        data(after, "account")["team"]["totalCount"]
        == data(before, "account")["team"]["totalCount"] + 1
    )
