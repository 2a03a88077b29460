"""The tasks a client's staff come for, in the browser, checked against what the vendors
hold: live data, downloads byte for byte, tickets, preferences, roles, sub-accounts, an
outage, signing out and in again. Phone (390 px, touch) and desktop (1280 px) alternate."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import stripe
from playwright.async_api import Page, Response, Route, expect

from config import SANDBOX_CREDENTIALS
from sandbox.accounts import Person
from tests.browser.conftest import NewPage
from tests.browser.live_portal import LivePortal
from tests.browser.pages import go, mail_to, open_mail_and_click_the_link, shown
from tests.browser.test_portal_tour import MENU
from tests.gateway.people import ACME, ACME_EUROPE, member
from tests.gateway.upstream_state import hubspot_patch, hubspot_properties, zendesk_get

CACHE_TTL_S = 0.5  # live_portal's cache_ttl_s: after it, the next read goes upstream


def raw_get(url: str, headers: dict[str, str] | None = None) -> bytes:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        body: bytes = response.read()
        return body


def upstream_id(download_url: str) -> str:
    """The source's own id ("drive-1AbC", "invoice-in_123") from a download link."""
    global_id = urlsplit(download_url).path.split("/")[2]
    raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    return raw.split(":", 2)[2]


def is_mutation(name: str) -> Callable[[Response], bool]:
    return lambda r: r.url.endswith("/graphql") and name in (r.request.post_data or "")


def stripe_client(portal: LivePortal) -> stripe.StripeClient:
    return stripe.StripeClient(
        SANDBOX_CREDENTIALS["STRIPE_API_KEY"], base_addresses={"api": portal.urls["stripe"]}
    )


def another(portal: LivePortal, role: str) -> Person:
    """A second active member of Acme with that role (for tests that end their session)."""
    people = portal.backbone.people_of(ACME)
    return [p for p in people if p.role == role and p.status == "ACTIVE"][1]


async def test_the_dashboard_shows_what_the_upstreams_hold_now(
    new_page: NewPage, portal: LivePortal
) -> None:
    page = await new_page("phone", as_=member(portal.backbone, ACME, "ADMIN"))
    customer = portal.backbone.company(ACME).stripe_customer_id
    open_invoices = stripe_client(portal).v1.invoices.list(
        params={"customer": customer, "status": "open", "limit": 5}
    )
    invoices = page.get_by_role("region", name="Open invoices")
    for invoice in open_invoices.data:
        await expect(invoices).to_contain_text(str(invoice.number))
    tickets = page.get_by_role("region", name="Open tickets")
    await expect(tickets.get_by_role("listitem")).to_have_count(5)

    # A CSM renames the company in HubSpot; the portal shows it on the next visit.
    hubspot_patch(portal.urls, "companies", ACME, {"name": "Acme Holdings Group"})
    try:
        await asyncio.sleep(CACHE_TTL_S)
        await page.reload()
        await shown(page)
        await expect(page.get_by_role("heading", level=1)).to_have_text("Acme Holdings Group")
    finally:
        hubspot_patch(portal.urls, "companies", ACME, {"name": "Acme Holdings"})


async def download(page: Page, tmp_path: Path) -> tuple[bytes, str]:
    found = page.get_by_role("region", name="Matching documents")
    link = found.get_by_role("link", name="Download").first
    href = await link.get_attribute("href")
    assert href is not None
    async with page.expect_download() as started:
        await link.click()
    saved = tmp_path / (await started.value).suggested_filename
    await (await started.value).save_as(saved)
    return saved.read_bytes(), href


async def filter_documents(page: Page, kind: str) -> None:
    await page.get_by_label("Type").select_option(label=kind)
    await page.get_by_role("button", name="Search").click()
    await shown(page)
    await expect(page.get_by_role("heading", name="Matching documents")).to_be_visible()


async def test_an_invoice_pdf_and_a_drive_document_download_byte_for_byte(
    new_page: NewPage, portal: LivePortal, tmp_path: Path
) -> None:
    page = await new_page("desktop", as_=member(portal.backbone, ACME, "USER"))
    await go(page, "Documents")

    await filter_documents(page, "Invoice")
    assert "type=INVOICE" in page.url
    pdf, href = await download(page, tmp_path)
    invoice = stripe_client(portal).v1.invoices.retrieve(upstream_id(href).removeprefix("invoice-"))
    assert pdf.startswith(b"%PDF")
    assert pdf == raw_get(invoice.invoice_pdf or "")

    await filter_documents(page, "Report")
    report, href = await download(page, tmp_path)
    file_id = upstream_id(href).removeprefix("drive-")
    drive_token = SANDBOX_CREDENTIALS["DRIVE_ACCESS_TOKEN"]
    assert report == raw_get(
        f"{portal.urls['drive']}/drive/v3/files/{file_id}?alt=media",
        {"Authorization": f"Bearer {drive_token}"},
    )


async def test_a_member_opens_a_ticket_sees_it_listed_and_comments(
    new_page: NewPage, portal: LivePortal
) -> None:
    page = await new_page("phone", as_=member(portal.backbone, ACME, "USER"))
    await go(page, "Support")
    await page.get_by_role("button", name="New ticket").click()
    await page.get_by_label("Subject").fill("Invoice address is wrong")
    await page.get_by_label("What do you need?").fill("Please use our Berlin office.")
    await page.get_by_label("About").select_option(label="Billing")
    await page.get_by_role("button", name="Open ticket").click()
    await page.wait_for_url(re.compile(r"/tickets/\w+"))
    await shown(page)
    heading = await page.get_by_role("heading", level=1).inner_text()
    assert heading.endswith("Invoice address is wrong")
    number = heading.split()[0].removeprefix("#")

    await page.get_by_role("link", name="← All tickets").click()
    await shown(page)
    await expect(page.get_by_role("main")).to_contain_text(f"#{number} Invoice address is wrong")
    await page.get_by_role("link", name=f"#{number} Invoice address is wrong").click()
    await shown(page)
    await page.get_by_label("Add a comment").fill("The address is Friedrichstraße 68.")
    await page.get_by_role("button", name="Send").click()
    await shown(page)
    thread = page.get_by_role("region", name="Conversation")
    await expect(thread).to_contain_text("The address is Friedrichstraße 68.")

    comments = zendesk_get(portal.urls, f"/api/v2/tickets/{number}/comments.json")["comments"]
    assert [c["body"] for c in comments] == [
        "Please use our Berlin office.",
        "The address is Friedrichstraße 68.",
    ]


async def test_notification_preferences_are_kept_after_a_reload(
    new_page: NewPage, portal: LivePortal
) -> None:
    person = member(portal.backbone, ACME, "READ_ONLY")  # their own record: any role
    page = await new_page("desktop", as_=person)
    await go(page, "My profile")
    box = page.get_by_label("Renewal reminder by Email")
    wanted = not await box.is_checked()
    await box.set_checked(wanted)
    async with page.expect_response(is_mutation("updateNotificationPreferences")):
        await page.get_by_role("button", name="Save notifications").click()

    await page.reload()
    await shown(page)
    await expect(page.get_by_label("Renewal reminder by Email")).to_be_checked(checked=wanted)
    stored = hubspot_properties(
        portal.urls, "contacts", person.contact_id, ["portal_notification_preferences"]
    )
    saved = json.loads(stored["portal_notification_preferences"] or "{}")
    assert saved["renewal_reminder"]["email"] is wanted


async def test_a_read_only_member_sees_no_edit_controls(
    new_page: NewPage, portal: LivePortal
) -> None:
    page = await new_page("phone", as_=member(portal.backbone, ACME, "READ_ONLY"))
    menu = page.get_by_role("navigation", name="Portal")
    await expect(menu.get_by_role("link", name="API tokens")).to_have_count(0)
    await go(page, "Account details")
    await expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    await expect(page.get_by_role("main")).to_contain_text("Only your account's admins")
    await go(page, "Support")
    await expect(page.get_by_role("button", name="New ticket")).to_have_count(0)
    await page.get_by_role("main").get_by_role("link", name="#").first.click()
    await shown(page)
    await expect(page.get_by_role("heading", name="Conversation")).to_be_visible()
    await expect(page.get_by_label("Add a comment")).to_have_count(0)


async def test_an_admin_edits_the_account_and_sees_errors_beside_the_field(
    new_page: NewPage, portal: LivePortal
) -> None:
    page = await new_page("desktop", as_=member(portal.backbone, ACME, "ADMIN"))
    await go(page, "Account details")
    await page.get_by_role("button", name="Edit").click()
    phone = page.get_by_label("Phone")
    await phone.fill("12")
    await page.get_by_role("button", name="Save").click()
    await expect(phone).to_have_attribute("aria-invalid", "true")
    await expect(phone).to_have_accessible_description(
        "Use the international format, e.g. +44 20 7946 0958."
    )

    await phone.fill("+49 30 1234 5678")
    await page.get_by_role("button", name="Save").click()
    await shown(page)
    await expect(page.get_by_role("main")).to_contain_text("+493012345678")
    assert hubspot_properties(portal.urls, "companies", ACME, ["phone"]) == {
        "phone": "+493012345678"
    }


async def test_an_admin_creates_an_api_token_sees_its_secret_once_and_revokes_it(
    new_page: NewPage, portal: LivePortal
) -> None:
    page = await new_page("desktop", as_=member(portal.backbone, ACME, "ADMIN"))
    await go(page, "API tokens")
    await page.get_by_label("Name (what uses it)").fill("Power BI")
    await page.get_by_role("button", name="Create token").click()
    secret = page.locator(".token-secret")
    await expect(secret).to_have_text(re.compile(r"^pgw_\S{20,}$"))
    tokens = page.get_by_role("region", name="Tokens")
    await expect(tokens).to_contain_text("Power BI")

    page.once("dialog", lambda dialog: dialog.accept())
    await tokens.get_by_role("button", name="Revoke Power BI").click()
    await shown(page)
    await expect(tokens.get_by_role("button", name="Revoke Power BI")).to_have_count(0)
    await expect(page.locator(".token-secret")).to_have_count(0)  # never shown again


async def test_a_parent_company_admin_switches_to_a_sub_account(
    new_page: NewPage, portal: LivePortal
) -> None:
    page = await new_page("phone", as_=member(portal.backbone, ACME, "ADMIN"))
    europe = portal.backbone.company(ACME_EUROPE).name
    await page.get_by_label("Account").select_option(label=europe)
    await shown(page)
    await expect(page.get_by_role("heading", level=1)).to_have_text(europe)
    await go(page, "Documents")
    await expect(page.get_by_role("main")).to_contain_text(europe)
    await page.reload()
    await shown(page)
    await expect(page.get_by_label("Account")).to_have_value(
        await page.get_by_label("Account").input_value()
    )
    await go(page, "Dashboard")
    await expect(page.get_by_role("heading", level=1)).to_have_text(europe)
    # Every screen reads the chosen account by its id: each works (and each such document
    # is in the trusted-documents manifest, which these tests build).
    for link, heading, _ in MENU:
        await go(page, link)
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            europe if link == "Dashboard" else heading
        )
        await expect(page.get_by_role("alert")).to_have_count(0)


async def test_with_stripe_down_a_banner_says_so_and_the_rest_is_shown(
    new_page: NewPage, portal: LivePortal
) -> None:
    page = await new_page("desktop", as_=member(portal.backbone, ACME, "USER"))
    portal.sandbox["stripe"].set_knobs(outage=True)
    try:
        await asyncio.sleep(CACHE_TTL_S)
        await page.reload()
        await shown(page)
        await expect(page.get_by_role("status").filter(has_text="unavailable")).to_have_text(
            "Billing is unavailable right now; the rest is up to date."
        )
        await expect(page.get_by_role("region", name="Open invoices")).to_contain_text(
            "Invoices could not be loaded right now."
        )
        tickets = page.get_by_role("region", name="Open tickets")
        await expect(tickets.get_by_role("listitem")).to_have_count(5)
        await expect(page.get_by_role("region", name="Recent documents")).to_be_visible()
    finally:
        portal.sandbox["stripe"].set_knobs(outage=False)


async def test_after_signing_out_the_back_button_shows_the_sign_in_page(
    new_page: NewPage, portal: LivePortal
) -> None:
    page = await new_page("phone", as_=another(portal, "USER"), fresh=True)
    await go(page, "Documents")
    await go(page, "Usage")
    menu = page.get_by_role("button", name="Menu")
    await menu.click()
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(portal.base_url + "/signin")

    await page.go_back()
    await expect(page.get_by_role("heading", name="Sign in to your client portal")).to_be_visible()
    # Signing out replaced the screen it was pressed on; the one before it asks to sign in.
    assert page.url == portal.base_url + "/signin?next=%2Fdocuments"


async def test_a_session_that_ends_mid_use_signs_in_again_and_returns(
    new_page: NewPage, portal: LivePortal
) -> None:
    person = another(portal, "READ_ONLY")
    page = await new_page("desktop", as_=person, fresh=True)
    await go(page, "Usage")
    await page.context.clear_cookies()  # the session ended (expired, or signed out elsewhere)

    await page.get_by_role("navigation", name="Portal").get_by_role("link", name="Team").click()
    await page.wait_for_url(portal.base_url + "/signin?next=%2Fteam")
    since = time.time() - 1
    await page.get_by_label("Work email").fill(person.email)
    await page.get_by_role("button", name="Email me a sign-in link").click()
    await expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    await open_mail_and_click_the_link(page, mail_to(portal.outbox, person.email, since))
    await page.get_by_role("button", name="Sign in").click()
    # The link's consumption, a redirect and the app's first screen: on a loaded 2-core
    # machine (other suites beside this one) that once took over the default 10 s.
    await page.wait_for_url(portal.base_url + "/team", timeout=30_000)
    await shown(page)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Team")


async def test_graphiql_works_offline_with_the_session_and_the_dashboard_query(
    new_page: NewPage, portal: LivePortal
) -> None:
    page = await new_page("desktop", as_=member(portal.backbone, ACME, "ADMIN"))
    elsewhere: list[str] = []

    async def offline(route: Route) -> None:
        if not route.request.url.startswith(portal.base_url):
            elsewhere.append(route.request.url)
            await route.abort("internetdisconnected")
        else:
            await route.continue_()

    await page.context.route("**/*", offline)
    await page.goto(portal.base_url + "/graphql")
    await expect(page.locator(".graphiql-query-editor")).to_contain_text("query Dashboard")
    await page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    await expect(page.locator(".graphiql-response")).to_contain_text('"name": "Acme Holdings"')
    assert elsewhere == []
