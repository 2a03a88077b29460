"""Defects 7, 8 and 9 (sign-in): a cross-site form signed a victim into the attacker's
account or logged them out; six link requests for someone else's address locked them out
for 15 minutes; a form-encoded request for a link answered 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app import create_app
from cli import newest_link
from config import Settings
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member

ME = "{ viewer { member { email } } }"
EVIL = {"Origin": "https://evil.example"}
CROSS_SITE = {"Sec-Fetch-Site": "cross-site"}
SAME_ORIGIN = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}


def path_of(link: str) -> str:
    return link.removeprefix("http://localhost")


async def mailed_link(client: GatewayClient, email: str) -> str:
    response = await client.http.post("/auth/magic-link", json={"email": email})
    assert response.status_code == 202
    link = newest_link(client.outbox, email)
    assert link is not None
    return path_of(link)


async def viewer_email(http: httpx.AsyncClient, headers: dict[str, str] | None = None) -> object:
    body = (await http.post("/graphql", json={"query": ME}, headers=headers or {})).json()
    return (body.get("data") or {}).get("viewer", {}).get("member", {}).get("email")


async def test_a_cross_site_form_cannot_sign_a_victim_into_the_attackers_account(
    client: GatewayClient,
) -> None:
    attacker = member(client.backbone, ACME, "USER")
    link = await mailed_link(client, attacker.email)

    refusals = [
        await client.http.post(link, headers=headers)
        for headers in (EVIL, CROSS_SITE, {})  # the last: no browser signal, no CSRF field
    ]

    assert [(r.status_code, "set-cookie" in r.headers) for r in refusals] == [(403, False)] * 3
    assert await viewer_email(client.http) is None
    # The link was not used up by the refused attempts.
    assert (await client.http.post(link, headers=SAME_ORIGIN)).status_code == 303


async def test_the_sign_in_page_works_in_a_browser_that_sends_no_origin(
    client: GatewayClient,
) -> None:
    user = member(client.backbone, ACME, "USER")
    link = await mailed_link(client, user.email)
    page = await client.http.get(link)
    csrf = page.text.split("name='csrf' value='")[1].split("'")[0]

    response = await client.http.post(link, data={"csrf": csrf})

    assert response.status_code == 303
    assert await viewer_email(client.http) == user.email


async def test_a_cross_site_post_cannot_log_a_victim_out(client: GatewayClient) -> None:
    user = member(client.backbone, ACME, "USER")
    await client.http.post(await mailed_link(client, user.email), headers=SAME_ORIGIN)

    refused = [await client.http.post("/auth/logout", headers=h) for h in (EVIL, CROSS_SITE, {})]

    assert [r.status_code for r in refused] == [403, 403, 403]
    assert await viewer_email(client.http) == user.email
    logout = await client.http.post("/auth/logout", headers=SAME_ORIGIN, json={})
    assert logout.status_code == 204
    assert await viewer_email(client.http) is None


@pytest.fixture
async def two_addresses(
    settings: Settings, sandbox: SandboxControl
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """One gateway, reached from two client addresses (an attacker's and the member's)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        clients = [
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                base_url="http://localhost",
            )
            for address in ("203.0.113.66", "198.51.100.7")
        ]
        async with clients[0] as attacker, clients[1] as owner:
            yield attacker, owner


async def test_nobody_can_lock_a_member_out_by_asking_for_their_links(
    two_addresses: tuple[httpx.AsyncClient, httpx.AsyncClient],
    settings: Settings,
    backbone: Backbone,
) -> None:
    attacker, owner = two_addresses
    victim = member(backbone, ACME, "ADMIN")
    asked = [
        (await attacker.post("/auth/magic-link", json={"email": victim.email})).status_code
        for _ in range(8)
    ]
    own = await owner.post("/auth/magic-link", json={"email": victim.email})

    assert asked == [202] * 8
    assert own.status_code == 202
    mails = list(settings.outbox_dir.glob("*.eml"))
    assert len(mails) == 1  # one mail per MAIL_EVERY_S, however often it is asked for
    link = newest_link(settings.outbox_dir, victim.email)
    assert link is not None
    signed_in = await owner.post(path_of(link), headers={"Accept": "application/json"})
    assert signed_in.status_code == 200


async def test_a_form_encoded_request_for_a_link_is_accepted(client: GatewayClient) -> None:
    user = member(client.backbone, ACME, "USER")

    response = await client.http.post("/auth/magic-link", data={"email": user.email})

    assert response.status_code == 202
    assert newest_link(client.outbox, user.email) is not None


async def test_a_member_whose_link_is_used_up_gets_a_new_one_at_once(
    client: GatewayClient,
) -> None:
    user = member(client.backbone, ACME, "USER")
    first = await mailed_link(client, user.email)
    assert (
        await client.http.post(first, headers={"Accept": "application/json"})
    ).status_code == 200

    second = await mailed_link(client, user.email)  # within the minute: the first is used

    assert second != first
    assert (
        await client.http.post(second, headers={"Accept": "application/json"})
    ).status_code == 200
