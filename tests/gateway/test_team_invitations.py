"""Inviting people: HubSpot's contact and its company link, the invitation mail, and the
accept link (single use, bound to contact and account, expiring, revocable), end to end."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from config import Settings
from resolvers.request.ids import decode_id
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, ACME_EUROPE, INITECH, member
from tests.gateway.team_support import (
    BY_ID,
    INVITE,
    TEAM,
    accept,
    account_id,
    data,
    hubspot_companies_of,
    hubspot_contact_by_email,
    invite_input,
    mails,
    member_id,
    only_mail,
)
from tests.gateway.upstream_state import (
    NO_WRITES,
    company_notes,
    hubspot_call,
    hubspot_properties,
    upstream_writes,
)

ME = "{ viewer { member { email role status lastSignInAt } account { name } } }"
INVITATION_TTL_S = 1.0


async def test_an_admin_invites_a_new_person_who_accepts_and_lands_signed_in(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    await client.query(TEAM, {"account": account_id(ACME)}, as_=admin)  # warm: must be evicted
    sandbox.clear_requests()

    body = await client.query(INVITE, invite_input("  Jane.Doe@Example.COM "), as_=admin)

    invited = data(body, "inviteMember")
    assert invited["userErrors"] == []
    assert invited["member"] | {"id": "…", "invitedAt": "…"} == {
        "id": "…", "email": "jane.doe@example.com", "name": "Jane Doe", "role": "USER",
        "status": "INVITED", "invitedAt": "…", "invitedBy": "Dmitri Schmidt",
        "lastSignInAt": None,
    }  # fmt: skip
    assert invited["member"]["invitedAt"].startswith("20")
    contact_id = decode_id(invited["member"]["id"]).upstream_id
    # One request creates the contact and its link: a failure leaves neither behind.
    assert upstream_writes(sandbox) == {
        **NO_WRITES,
        "hubspot": ["POST /crm/v3/objects/contacts", "POST /crm/v3/objects/notes"],
    }
    found = hubspot_contact_by_email(urls, "JANE.DOE@example.com")
    assert found["id"] == contact_id
    wanted = ["email", "firstname", "lastname", "portal_role", "portal_status",
              "portal_invited_by"]  # fmt: skip
    assert {k: found["properties"][k] for k in wanted} == {
        "email": "jane.doe@example.com", "firstname": "Jane", "lastname": "Doe",
        "portal_role": "USER", "portal_status": "INVITED", "portal_invited_by": "Dmitri Schmidt",
    }  # fmt: skip
    assert hubspot_companies_of(urls, contact_id) == [ACME]
    [note] = company_notes(urls, ACME)
    assert f"invited Jane Doe &lt;jane.doe@example.com&gt; (contact {contact_id}) as USER" in note
    # Seen by a query straight after, filters and search included.
    team = data(
        await client.query(
            TEAM, {"account": account_id(ACME), "status": ["INVITED"], "search": "jane"},
            as_=admin,
        ),
        "account",
    )["team"]  # fmt: skip
    assert team["totalCount"] == 1
    assert [n["email"] for n in team["nodes"]] == ["jane.doe@example.com"]

    mail = only_mail(client)
    assert mail.to == "jane.doe@example.com"
    assert mail.subject == "Dmitri Schmidt invited you to the Acme Holdings client portal"
    assert "Dmitri Schmidt invited you to the client portal of Acme Holdings." in mail.part("plain")
    html = mail.part("html")
    assert "https://acme.example/logo.png" in html and "#e02bd7" in html  # the branding
    assert mail.token in html

    page = await client.http.get(f"/invitations/{mail.token}")
    assert page.status_code == 200
    assert "Acme Holdings" in page.text and "<form method='post'" in page.text
    sandbox.clear_requests()
    accepted = await accept(client, mail.token)

    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/?welcome=1"
    assert upstream_writes(sandbox)["hubspot"] == [
        f"PATCH /crm/v3/objects/contacts/{contact_id}",
        "POST /crm/v3/objects/notes",
    ]
    session = client.http.cookies["portal_session"]
    me = await client.http.post("/graphql", json={"query": ME},
                                headers={"Authorization": f"Bearer {session}"})  # fmt: skip
    viewer = me.json()["data"]["viewer"]
    assert viewer["account"] == {"name": "Acme Holdings"}
    assert viewer["member"] | {"lastSignInAt": "…"} == {
        "email": "jane.doe@example.com", "role": "USER", "status": "ACTIVE",
        "lastSignInAt": "…",
    }  # fmt: skip
    assert hubspot_properties(urls, "contacts", contact_id, ["portal_status"]) == {
        "portal_status": "ACTIVE"
    }
    assert "accepted the invitation" in company_notes(urls, ACME)[-1]

    client.http.cookies.clear()
    reused = await accept(client, mail.token)
    assert reused.status_code == 410  # single use


async def test_email_case_and_spaces_find_the_same_contact_and_other_memberships_stay(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    """The consultant, ACTIVE in Initech and Umbrella, is added to Acme: their role and
    status are theirs (one per person in HubSpot) and stay; only a link is added."""
    admin = member(client.backbone, ACME, "ADMIN")
    consultant = client.backbone.person_by_email("morgan.reyes@consultants.example")
    sandbox.clear_requests()

    body = await client.query(
        INVITE, invite_input("  Morgan.Reyes@CONSULTANTS.example\t", "READ_ONLY"), as_=admin
    )

    joined = data(body, "inviteMember")
    assert joined["userErrors"] == []
    assert joined["member"]["id"] == member_id(consultant, ACME)
    assert (joined["member"]["role"], joined["member"]["status"]) == ("USER", "ACTIVE")
    assert upstream_writes(sandbox)["hubspot"] == [
        f"PUT /crm/v4/objects/contacts/{consultant.contact_id}/associations/default/companies/"
        + ACME,
        "POST /crm/v3/objects/notes",
    ]
    assert hubspot_companies_of(urls, consultant.contact_id) == [ACME, INITECH, "1006"]

    again = await client.query(INVITE, invite_input("MORGAN.reyes@consultants.example "),
                               as_=admin)  # fmt: skip
    assert data(again, "inviteMember")["userErrors"] == [
        {"field": "email", "code": "ALREADY_MEMBER",
         "message": "morgan.reyes@consultants.example is a member already."},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("email_address", "message"),
    [
        (" Yara.Ulrich@ACME.example", "yara.ulrich@acme.example is a member already."),
        ("oskar.fischer@acme.example", "oskar.fischer@acme.example is invited already: send "
         "the invitation again instead."),
        ("quentin.novak@acme.example", "quentin.novak@acme.example is a deactivated member: "
         "reactivate them instead."),
    ],
)  # fmt: skip
async def test_people_on_the_team_already_are_not_invited_again(
    client: GatewayClient, sandbox: SandboxControl, email_address: str, message: str
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    sandbox.clear_requests()

    body = await client.query(INVITE, invite_input(email_address), as_=admin)

    assert data(body, "inviteMember")["userErrors"] == [
        {"field": "email", "code": "ALREADY_MEMBER", "message": message}
    ]
    assert upstream_writes(sandbox) == NO_WRITES
    assert mails(client.outbox) == []


async def test_a_parent_admin_invites_into_a_sub_account_but_not_the_reverse(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    parent_admin = member(client.backbone, ACME, "ADMIN")
    europe_admin = member(client.backbone, ACME_EUROPE, "ADMIN")

    body = await client.query(
        INVITE, invite_input("eu.hire@example.com", accountId=account_id(ACME_EUROPE)),
        as_=parent_admin,
    )  # fmt: skip
    invited = data(body, "inviteMember")["member"]
    assert decode_id(invited["id"]).account_id == ACME_EUROPE
    assert hubspot_companies_of(urls, decode_id(invited["id"]).upstream_id) == [ACME_EUROPE]
    assert "Acme Europe" in only_mail(client).subject
    sandbox.clear_requests()

    refused = await client.query(
        INVITE, invite_input("acme.hire@example.com", accountId=account_id(ACME)),
        as_=europe_admin,
    )  # fmt: skip

    assert refused["data"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["NOT_FOUND"]
    assert upstream_writes(sandbox) == NO_WRITES


async def test_tampered_cross_site_or_foreign_session_accepts_use_nothing_up(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    other = member(client.backbone, ACME, "USER")
    data(
        await client.query(INVITE, invite_input("jane.doe@example.com"), as_=admin), "inviteMember"
    )
    token = only_mail(client).token
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    sandbox.clear_requests()

    assert (await client.http.get(f"/invitations/{tampered}")).status_code == 410
    assert (await accept(client, tampered)).status_code == 410
    assert (await accept(client, token, Origin="https://evil.example")).status_code == 403
    no_origin = await client.http.post(f"/invitations/{token}")
    assert no_origin.status_code == 403
    # Signed in as someone else: refused, and the link is left for its owner.
    as_other = {"Authorization": f"Bearer {client.token_for(other)}"}
    assert (await client.http.get(f"/invitations/{token}", headers=as_other)).status_code == 409
    assert (await accept(client, token, **as_other)).status_code == 409
    assert upstream_writes(sandbox) == NO_WRITES

    assert (await accept(client, token)).status_code == 303


async def test_a_resent_link_replaces_the_old_one_and_a_revoked_one_dies_at_once(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    body = await client.query(INVITE, invite_input("jane.doe@example.com"), as_=admin)
    jane = data(body, "inviteMember")["member"]
    first = only_mail(client).token

    resent = await client.query(BY_ID["resendInvitation"], {"id": jane["id"]}, as_=admin)

    assert data(resent, "resendInvitation")["userErrors"] == []
    second = mails(client.outbox)[-1].token
    assert second != first
    assert (await accept(client, first)).status_code == 410
    sandbox.clear_requests()

    revoked = await client.query(BY_ID["revokeInvitation"], {"id": jane["id"]}, as_=admin)

    assert data(revoked, "revokeInvitation")["userErrors"] == []
    contact_id = decode_id(jane["id"]).upstream_id
    assert upstream_writes(sandbox)["hubspot"] == [
        f"DELETE /crm/v4/objects/contacts/{contact_id}/associations/companies/{ACME}",
        "POST /crm/v3/objects/notes",
    ]
    assert (await accept(client, second)).status_code == 410
    assert hubspot_companies_of(urls, contact_id) == []
    team = await client.query(TEAM, {"account": account_id(ACME), "search": "jane"}, as_=admin)
    assert data(team, "account")["team"]["totalCount"] == 0
    notes = company_notes(urls, ACME)
    assert "sent the invitation again to Jane Doe" in notes[-2]
    assert "revoked the invitation of Jane Doe" in notes[-1]


async def test_resend_and_revoke_need_an_open_invitation(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    active = member(client.backbone, ACME, "USER")
    for name in ("resendInvitation", "revokeInvitation"):
        body = await client.query(BY_ID[name], {"id": member_id(active)}, as_=admin)
        assert data(body, name)["userErrors"] == [
            {"field": "memberId", "code": "INVALID",
             "message": "Yara Ulrich has no open invitation (ACTIVE)."},
        ]  # fmt: skip
    assert upstream_writes(sandbox) == NO_WRITES


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """Links of a second for the expiry test (its name says so), 7 days for the others."""
    if "expired" in request.node.name:
        return replace(settings, invitation_ttl_s=INVITATION_TTL_S)
    return settings


async def test_an_expired_link_is_refused(client: GatewayClient) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    await client.query(INVITE, invite_input("jane.doe@example.com"), as_=admin)
    token = only_mail(client).token
    await asyncio.sleep(INVITATION_TTL_S + 0.1)

    assert (await client.http.get(f"/invitations/{token}")).status_code == 410
    assert (await accept(client, token)).status_code == 410


async def test_a_failure_half_way_leaves_no_link_and_a_retry_converges(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    """A contact HubSpot has already (a lead, in no company): its properties are written
    first, then the link. HubSpot refusing the link leaves no link and sends no mail; the
    same invitation again finishes the job."""
    admin = member(client.backbone, ACME, "ADMIN")
    properties = {"email": "lena.lead@example.com", "firstname": "Lena"}
    lead = hubspot_call(urls, "POST", "/crm/v3/objects/contacts", {"properties": properties})
    await client.query(TEAM, {"account": account_id(ACME)}, as_=admin)  # warm the team
    # Three HubSpot requests go through (the email look-up, the PATCH and its read-back);
    # the fourth, the link, is refused (429, not retried: it is a write).
    sandbox.clear_requests()
    sandbox["hubspot"].set_knobs(rate_limit=3, rate_window_s=60)

    failed = await client.query(INVITE, invite_input("lena.lead@example.com"), as_=admin)

    sandbox["hubspot"].set_knobs(rate_limit=None)
    assert [e["extensions"]["code"] for e in failed["errors"]] == ["UPSTREAM_RATE_LIMITED"]
    assert [(c.method, c.path, c.status) for c in sandbox["hubspot"].requests()] == [
        ("POST", "/crm/v3/objects/contacts/batch/read", 200),
        ("PATCH", f"/crm/v3/objects/contacts/{lead['id']}", 200),
        ("POST", "/crm/v3/objects/contacts/batch/read", 200),
        ("PUT", f"/crm/v4/objects/contacts/{lead['id']}/associations/default/companies/{ACME}",
         429),
    ]  # fmt: skip
    assert hubspot_companies_of(urls, lead["id"]) == []
    assert mails(client.outbox) == []

    retried = await client.query(INVITE, invite_input("lena.lead@example.com"), as_=admin)

    done = data(retried, "inviteMember")
    assert done["userErrors"] == []
    assert (done["member"]["name"], done["member"]["status"]) == ("Lena Doe", "INVITED")
    assert hubspot_companies_of(urls, lead["id"]) == [ACME]
    assert len(mails(client.outbox)) == 1


async def test_a_sign_in_by_magic_link_is_noted_as_the_members_last_sign_in(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    user = member(client.backbone, ACME, "USER")
    assert hubspot_properties(urls, "contacts", user.contact_id, ["portal_last_sign_in_at"]) == {
        "portal_last_sign_in_at": None
    }
    await client.http.post("/auth/magic-link", json={"email": user.email})
    link = next(m for m in mails(client.outbox) if m.to == user.email).part("plain")
    token = next(w for w in link.split() if "/auth/magic-link/" in w).rsplit("/", 1)[1]
    sandbox.clear_requests()

    signed_in = await client.http.post(
        f"/auth/magic-link/{token}", headers={"Accept": "application/json"}
    )

    assert signed_in.status_code == 200
    # After the answer, in the background: one PATCH, no read-back.
    assert upstream_writes(sandbox)["hubspot"] == [
        f"PATCH /crm/v3/objects/contacts/{user.contact_id}"
    ]
    noted = hubspot_properties(urls, "contacts", user.contact_id, ["portal_last_sign_in_at"])
    assert (noted["portal_last_sign_in_at"] or "").startswith("20")
