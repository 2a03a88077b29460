"""Sign-in as a browser sees it (no script needed): pages, `?next=`, used links, logout, CSP."""

from __future__ import annotations

import re

import pytest

from cli import newest_link
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member
from web.signin_pages import safe_next

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SELF_ONLY_CSP = (
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
    "object-src 'none'"
)


def path_of(link: str) -> str:
    return link.removeprefix("http://localhost")


@pytest.mark.parametrize(
    ("asked", "honoured"),
    [
        ("/documents?type=INVOICE", "/documents?type=INVOICE"),
        ("/tickets/VGlja2V0OjE", "/tickets/VGlja2V0OjE"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("\\\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("documents", "/"),
    ],
)
def test_next_is_honoured_only_for_paths_of_this_origin(asked: str | None, honoured: str) -> None:
    assert safe_next(asked) == honoured


async def test_the_sign_in_page_carries_next_through_the_mail_and_back(
    client: GatewayClient,
) -> None:
    user = member(client.backbone, ACME, "USER")
    page = await client.http.get("/signin", params={"next": "/documents?type=INVOICE"})
    assert page.status_code == 200
    assert "<meta name='viewport' content='width=device-width, initial-scale=1'>" in page.text
    assert "<input type='hidden' name='next' value='/documents?type=INVOICE'>" in page.text

    sent = await client.http.post(
        "/auth/magic-link",
        content=f"email={user.email}&next=%2Fdocuments%3Ftype%3DINVOICE",
        headers=FORM,
    )
    assert sent.status_code == 202
    assert "<h1>Check your inbox</h1>" in sent.text
    link = newest_link(client.outbox, user.email)
    assert link is not None and link.endswith("?next=/documents%3Ftype%3DINVOICE")

    opened = await client.http.get(path_of(link))
    assert "<input type='hidden' name='next' value='/documents?type=INVOICE'>" in opened.text
    token = re.search(r"action='/auth/magic-link/([^']+)'", opened.text)
    assert token is not None
    signed_in = await client.http.post(
        f"/auth/magic-link/{token[1]}", content="next=%2Fdocuments%3Ftype%3DINVOICE", headers=FORM
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/documents?type=INVOICE"


async def test_an_open_redirect_in_next_leads_home(client: GatewayClient) -> None:
    user = member(client.backbone, ACME, "USER")
    await client.http.post("/auth/magic-link", json={"email": user.email, "next": "//evil.example"})
    link = newest_link(client.outbox, user.email)
    assert link is not None and "?" not in link  # nothing carried

    signed_in = await client.http.post(
        path_of(link), content="next=https%3A%2F%2Fevil.example%2F", headers=FORM
    )
    assert signed_in.headers["location"] == "/"


async def test_a_used_link_shows_a_page_asking_for_a_new_one_never_json(
    client: GatewayClient,
) -> None:
    user = member(client.backbone, ACME, "USER")
    await client.http.post("/auth/magic-link", json={"email": user.email})
    link = newest_link(client.outbox, user.email)
    assert link is not None
    await client.http.post(path_of(link), content="next=%2Fusage", headers=FORM)

    again = await client.http.post(path_of(link), content="next=%2Fusage", headers=FORM)

    assert again.status_code == 401
    assert again.headers["content-type"].startswith("text/html")
    assert "has expired or was already used" in again.text
    assert "<form method='post' action='/auth/magic-link'" in again.text
    assert "<input type='hidden' name='next' value='/usage'>" in again.text
    assert ">Send me a new link</button>" in again.text


async def test_a_bad_address_in_the_form_is_shown_beside_the_field(client: GatewayClient) -> None:
    response = await client.http.post("/auth/magic-link", content="email=nope", headers=FORM)

    assert response.status_code == 400
    assert "aria-invalid='true' aria-describedby='email-error'" in response.text
    assert "<p class='field-error' id='email-error'>Enter your work email" in response.text


async def test_every_html_page_allows_only_this_origin(client: GatewayClient) -> None:
    for path in ("/", "/documents", "/no/such/screen", "/signin", "/auth/magic-link/x"):
        response = await client.http.get(path)
        assert response.headers["content-type"].startswith("text/html"), path
        assert response.headers["content-security-policy"] == SELF_ONLY_CSP, path
    ide = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert ide.headers["content-security-policy"] == SELF_ONLY_CSP
    assert re.findall(r"(?:src|href)='([^']+)'", ide.text) == [
        "/portal/icon.svg",
        "/portal/graphiql/graphiql.min.css",
        "/portal/graphiql/graphiql-page.css",
        "/portal/graphiql/react.production.min.js",
        "/portal/graphiql/react-dom.production.min.js",
        "/portal/graphiql/graphiql.min.js",
        "/portal/graphiql/setup.js",
    ]
    for asset in re.findall(r"(?:src|href)='([^']+)'", ide.text):
        assert (await client.http.get(asset)).status_code == 200, asset


async def test_logout_with_the_cookie_needs_a_json_body(client: GatewayClient) -> None:
    user = member(client.backbone, ACME, "USER")
    client.http.cookies.set("portal_session", client.token_for(user))
    me = {"query": "{ viewer { member { email } } }"}

    forged = await client.http.post("/auth/logout", content="", headers=FORM)
    still = (await client.http.post("/graphql", json=me)).json()
    assert forged.status_code == 415
    assert still["data"]["viewer"]["member"]["email"] == user.email

    assert (await client.http.post("/auth/logout", json={})).status_code == 204
    gone = (await client.http.post("/graphql", json=me)).json()
    assert gone["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
