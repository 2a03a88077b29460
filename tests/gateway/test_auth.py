"""Sign-in by magic link, sessions, and how fast role changes take effect."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import pytest

from cli import newest_link
from config import Settings
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member

VIEWER_TTL_S = 0.3
LINK_TTL_S = 0.5
ME = "{ viewer { member { email role } account { name subAccounts { name } } } }"
ACCEPTED = {
    "status": "accepted",
    "message": "If that address belongs to a portal member, a sign-in link is on its way.",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, viewer_ttl_s=VIEWER_TTL_S, magic_link_ttl_s=LINK_TTL_S)


async def request_link(client: GatewayClient, email: str) -> str | None:
    response = await client.http.post("/auth/magic-link", json={"email": email})
    assert response.status_code == 202
    assert response.json() == ACCEPTED
    return newest_link(client.outbox, email)


def path_of(link: str) -> str:
    return link.removeprefix("http://localhost")


def outbox_size(outbox: Path) -> int:
    return len(list(outbox.glob("*.eml"))) if outbox.is_dir() else 0


async def test_a_member_signs_in_with_a_link_and_gets_a_bearer_token(
    client: GatewayClient,
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    link = await request_link(client, admin.email)
    assert link is not None and link.startswith("http://localhost/auth/magic-link/")

    page = await client.http.get(path_of(link))
    assert page.status_code == 200
    assert "<form method='post'" in page.text  # opening it does not use it up
    signed_in = await client.http.post(path_of(link), headers={"Accept": "application/json"})

    assert signed_in.status_code == 200
    token = signed_in.json()["token"]
    body = (
        await client.http.post(
            "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
        )
    ).json()
    assert body["data"]["viewer"]["member"] == {"email": admin.email, "role": "ADMIN"}


async def test_a_browser_gets_an_http_only_cookie_and_lands_in_the_portal(
    client: GatewayClient,
) -> None:
    user = member(client.backbone, ACME, "USER")
    link = await request_link(client, user.email)
    assert link is not None

    response = await client.http.post(path_of(link))

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("portal_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    body = (await client.http.post("/graphql", json={"query": ME})).json()
    assert body["data"]["viewer"]["member"]["email"] == user.email


async def test_a_cookie_session_ignores_cross_site_form_posts(client: GatewayClient) -> None:
    user = member(client.backbone, ACME, "USER")
    link = await request_link(client, user.email)
    assert link is not None
    await client.http.post(path_of(link))

    # What a cross-site page can send without a preflight: form and plain-text bodies.
    for content_type in ("application/x-www-form-urlencoded", "text/plain"):
        response = await client.http.post(
            "/graphql", content=json.dumps({"query": ME}), headers={"Content-Type": content_type}
        )

        assert (response.status_code, response.text) == (400, "Unsupported content type")


async def test_a_link_works_once(client: GatewayClient) -> None:
    link = await request_link(client, member(client.backbone, ACME, "USER").email)
    assert link is not None
    first = await client.http.post(path_of(link), headers={"Accept": "application/json"})
    again = await client.http.post(path_of(link), headers={"Accept": "application/json"})

    assert first.status_code == 200
    assert again.status_code == 401
    assert again.json() == {
        "error": "UNAUTHENTICATED",
        "message": "This sign-in link is invalid, expired or already used. Ask for a new one.",
    }


async def test_expired_and_forged_links_are_refused(client: GatewayClient) -> None:
    link = await request_link(client, member(client.backbone, ACME, "USER").email)
    assert link is not None
    await asyncio.sleep(LINK_TTL_S + 0.1)

    expired = await client.http.post(path_of(link), headers={"Accept": "application/json"})
    forged = await client.http.post(
        "/auth/magic-link/" + "A" * 43, headers={"Accept": "application/json"}
    )

    assert expired.status_code == 401
    assert forged.status_code == 401


@pytest.mark.parametrize(
    "email",
    ["nobody@unknown.example", "DISABLED", "INVITED"],
    ids=["unknown", "disabled", "invited"],
)
async def test_only_active_members_get_mail_but_everyone_gets_the_same_answer(
    client: GatewayClient, email: str
) -> None:
    if email in ("DISABLED", "INVITED"):
        email = member(client.backbone, ACME, "USER", status=email).email

    link = await request_link(client, email)

    assert link is None
    assert outbox_size(client.outbox) == 0


async def test_malformed_sign_in_requests_are_400(client: GatewayClient) -> None:
    bodies: list[object] = [{}, {"email": "not-an-email"}, {"email": 42}, []]
    for body in bodies:
        response = await client.http.post("/auth/magic-link", json=body)
        assert response.status_code == 400
        assert response.json()["error"] == "BAD_USER_INPUT"


async def test_sign_in_requests_are_rate_limited_per_email(client: GatewayClient) -> None:
    email = "someone@unknown.example"
    statuses = [
        (await client.http.post("/auth/magic-link", json={"email": email})).status_code
        for _ in range(6)
    ]

    assert statuses == [202] * 5 + [429]


async def test_requests_without_a_session_are_unauthenticated(client: GatewayClient) -> None:
    for headers in ({}, {"Authorization": "Bearer forged.token"}):
        response = await client.http.post("/graphql", json={"query": ME}, headers=headers)
        body = response.json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_logout_ends_the_session(client: GatewayClient) -> None:
    token = client.token_for(member(client.backbone, ACME, "USER"))
    headers = {"Authorization": f"Bearer {token}"}

    assert (await client.http.post("/auth/logout", headers=headers)).status_code == 204
    body = (await client.http.post("/graphql", json={"query": ME}, headers=headers)).json()

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_role_change_in_hubspot_applies_within_the_cache_window(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    before = await client.query(ME, as_=admin)
    assert len(before["data"]["viewer"]["account"]["subAccounts"]) == 2

    sandbox["hubspot"].call(
        "POST", f"/_sandbox/contacts/{admin.contact_id}/portal", {"role": "USER"}
    )
    await asyncio.sleep(VIEWER_TTL_S + 0.1)
    after = await client.query(ME, as_=admin)

    assert after["data"]["viewer"]["member"]["role"] == "USER"
    assert after["data"]["viewer"]["account"]["subAccounts"] == []


async def test_a_disabled_member_loses_access_within_the_cache_window(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    user = member(client.backbone, ACME, "USER")
    assert "errors" not in await client.query(ME, as_=user)

    sandbox["hubspot"].call(
        "POST", f"/_sandbox/contacts/{user.contact_id}/portal", {"status": "DISABLED"}
    )
    await asyncio.sleep(VIEWER_TTL_S + 0.1)
    body = await client.query(ME, as_=user)

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
