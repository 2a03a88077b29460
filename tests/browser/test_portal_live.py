"""Live updates in the browser: with a screen open, a change made in Zendesk or Stripe comes
through the vendor's signed webhook, the worker (its own process), Redis and the gateway's
GraphQL-over-SSE stream, and shows without a reload; a member of another account with a
page open sees nothing of it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Locator, Page, Request, Route, expect

from tests.browser.conftest import NewPage
from tests.browser.live_portal import LivePortal
from tests.browser.pages import check_screen, go, shown
from tests.events.conftest import until
from tests.events.worker_process import WorkerProcess
from tests.gateway.freshness import signing
from tests.gateway.people import ACME, GLOBEX, member

SECRETS = {"zendesk": signing.ZENDESK_SECRET, "stripe": signing.STRIPE_SECRET}
ARRIVES_MS = 20_000  # webhook, worker and stream on a shared 2-core machine: never a timing


@pytest.fixture(scope="module")
def portal_settings() -> dict[str, Any]:
    return {f"{vendor}_webhook_secret": secret for vendor, secret in SECRETS.items()}


@pytest.fixture
def vendor_webhooks(portal: LivePortal, tmp_path: Path) -> Iterator[None]:
    """Zendesk and Stripe send their signed webhooks to the gateway; a worker turns them into
    portal events (and the gateway's streams hear of them through Redis)."""
    worker = WorkerProcess(portal.settings, tmp_path / "worker.log").start()
    try:
        for vendor, secret in SECRETS.items():
            target = {"url": f"{portal.base_url}/webhooks/{vendor}", "secret": secret}
            portal.sandbox[vendor].call("PUT", "/_sandbox/webhooks", target)
        yield
    finally:
        for vendor in SECRETS:
            portal.sandbox[vendor].call("DELETE", "/_sandbox/webhooks")
        worker.stop()


async def streaming(page: Page, *names: str) -> None:
    """Waits until the page's live streams are open (live.js lists them on <html>)."""
    for name in names:
        await page.locator(f"html[data-live~='{name}']").wait_for(state="attached")


async def mark_page(page: Page) -> None:
    """A mark that a reload or any navigation of the document would wipe."""
    await page.evaluate("window.liveTestMark = 'still here'")


async def assert_not_reloaded(page: Page) -> None:
    assert await page.evaluate("window.liveTestMark") == "still here"


def bell(page: Page) -> Locator:
    return page.get_by_role("banner").get_by_role("link", name=re.compile("^Notifications"))


async def unread(page: Page) -> int:
    """The bell's count, as its accessible name says it (0 when it says none)."""
    name = await bell(page).get_attribute("aria-label") or ""
    found = re.search(r"(\d+) unread", name)
    return int(found[1]) if found else 0


def streams_opened(page: Page, name: str) -> list[str]:
    """The live streams of `name` the page asks for from now on, as it sends them."""
    opened: list[str] = []
    page.on("request", lambda r: opened.append(r.url) if _opens(r, name) else None)
    return opened


def _opens(request: Request, name: str) -> bool:
    streamed = request.headers.get("accept") == "text/event-stream"
    return streamed and name in (request.post_data or "")


def ticket_reads(page: Page) -> list[str]:
    """The ticket screen's reads of its ticket from now on, as the page sends them."""
    reads: list[str] = []
    page.on(
        "request", lambda r: reads.append(r.url) if "query Ticket(" in (r.post_data or "") else None
    )
    return reads


async def open_ticket(page: Page) -> str:
    """Opens the first of the open tickets from the Support screen; its number."""
    await go(page, "Support")
    first = page.get_by_role("main").get_by_role("link", name=re.compile(r"^#\d+")).first
    number = re.match(r"#(\d+)", await first.inner_text())[1]  # type: ignore[index]
    await first.click()
    await shown(page)
    await expect(page.get_by_role("heading", level=1)).to_contain_text(f"#{number}")
    return number


def said(page: Page) -> Locator:
    """The screen's polite live region: what changed, for screen readers."""
    return page.get_by_role("main").locator("[aria-live='polite']")


async def test_a_ticket_solved_and_answered_in_zendesk_shows_on_open_screens(
    new_page: NewPage, portal: LivePortal, axe: str, vendor_webhooks: None
) -> None:
    backbone, zendesk = portal.backbone, portal.sandbox["zendesk"]
    listing = await new_page("phone", as_=member(backbone, ACME, "ADMIN"))
    await go(listing, "Support")
    first = listing.get_by_role("main").get_by_role("link", name=re.compile(r"^#\d+")).first
    number = re.match(r"#(\d+)", await first.inner_text())[1]  # type: ignore[index]
    row = listing.get_by_role("main").get_by_role("listitem").filter(has_text=f"#{number} ")

    detail = await new_page("phone", as_=member(backbone, ACME, "USER"))
    await go(detail, "Support")
    await detail.get_by_role("main").get_by_role("link", name=re.compile(f"^#{number} ")).click()
    await shown(detail)
    await expect(detail.get_by_role("heading", level=1)).to_contain_text(f"#{number}")
    await streaming(listing, "NotificationAdded", "TicketListUpdates")
    await streaming(detail, "NotificationAdded", "TicketUpdates")
    for page in (listing, detail):
        await mark_page(page)
    bell_before = await unread(detail)

    zendesk.call("POST", f"/_sandbox/tickets/{number}/status", {"status": "solved"})
    announced = f"Ticket #{number} is now Solved"
    await expect(detail.locator("p.lede")).to_contain_text("Solved", timeout=ARRIVES_MS)
    await expect(said(detail)).to_have_text(announced)
    await expect(row).to_contain_text("Solved", timeout=ARRIVES_MS)
    await expect(said(listing)).to_have_text(announced)
    await expect(bell(detail)).to_have_accessible_name(
        f"Notifications, {bell_before + 1} unread", timeout=ARRIVES_MS
    )

    # An internal note, then a public reply: the reply shows, the note never leaves Zendesk.
    note, reply = "Internal: customer on the legacy plan", "We have fixed it on our side."
    zendesk.call("POST", f"/_sandbox/tickets/{number}/comments", {"body": note, "public": False})
    zendesk.call("POST", f"/_sandbox/tickets/{number}/comments", {"body": reply, "public": True})
    thread = detail.get_by_role("region", name="Conversation")
    await expect(thread).to_contain_text(reply, timeout=ARRIVES_MS)
    await expect(said(detail)).to_have_text(re.compile(r"^New reply from \S"))
    await expect(thread).not_to_contain_text(note)
    await check_screen(detail, axe, "ticket-live")
    await check_screen(listing, axe, "tickets-live")
    for page in (listing, detail):
        await assert_not_reloaded(page)

    # The notification leads to the ticket's screen (the mail's button has the same path).
    await bell(listing).click()
    await shown(listing)
    feed = listing.get_by_role("main")
    await feed.get_by_role("link", name=f"Ticket #{number} is now solved").first.click()
    await shown(listing)
    await expect(listing.get_by_role("heading", level=1)).to_contain_text(f"#{number}")


async def test_invoices_made_and_paid_in_stripe_show_on_their_own_account_only(
    new_page: NewPage, portal: LivePortal, axe: str, vendor_webhooks: None
) -> None:
    backbone, stripe = portal.backbone, portal.sandbox["stripe"]
    acme = await new_page("phone", as_=member(backbone, ACME, "ADMIN"))
    globex = await new_page("phone", as_=member(backbone, GLOBEX, "ADMIN"))
    for page in (acme, globex):
        await streaming(page, "NotificationAdded", "InvoiceUpdates")
        await mark_page(page)
    acme_bell, globex_bell = await unread(acme), await unread(globex)
    globex_invoices = globex.get_by_role("region", name="Open invoices")

    def new_invoice(company: str, cents: int) -> dict[str, Any]:
        customer = backbone.company(company).stripe_customer_id
        made: dict[str, Any] = stripe.call("POST", "/_sandbox/invoices",
                                           {"customer": customer, "amount_due": cents})  # fmt: skip
        return made

    # A new invoice: on the dashboard's list and on the bell, announced.
    first = new_invoice(ACME, 77_700)
    invoices = acme.get_by_role("region", name="Open invoices")
    row = invoices.get_by_role("listitem").filter(has_text=first["number"])
    await expect(row).to_contain_text("Open", timeout=ARRIVES_MS)
    await expect(said(acme)).to_have_text(re.compile(f"^New invoice {first['number']}: .*777"))
    await expect(bell(acme)).to_have_accessible_name(
        f"Notifications, {acme_bell + 1} unread", timeout=ARRIVES_MS
    )
    await check_screen(acme, axe, "dashboard-live")

    # Paid by bank transfer: changed in place.
    stripe.call("POST", f"/_sandbox/invoices/{first['id']}/pay")
    await expect(row).to_contain_text("Paid", timeout=ARRIVES_MS)
    await expect(said(acme)).to_have_text(f"Invoice {first['number']} is now Paid")
    await expect(bell(acme)).to_have_accessible_name(
        f"Notifications, {acme_bell + 2} unread", timeout=ARRIVES_MS
    )

    # The feed, open: the next one arrives at its top.
    await bell(acme).tap()
    await shown(acme)
    feed = acme.get_by_role("region", name="Feed")
    await expect(feed.get_by_role("listitem")).to_have_count(acme_bell + 2)
    second = new_invoice(ACME, 12_300)
    newest = feed.get_by_role("listitem").first
    await expect(newest).to_contain_text(f"New invoice {second['number']}", timeout=ARRIVES_MS)
    await expect(newest).to_contain_text("New")
    await expect(bell(acme)).to_have_accessible_name(f"Notifications, {acme_bell + 3} unread")
    await check_screen(acme, axe, "notifications-live")

    # Globex heard nothing of Acme's: its own invoice, made after, is the first news it gets
    # (a stream hears its events in order, so anything of Acme's would have come before).
    own = new_invoice(GLOBEX, 4_200)
    await expect(globex_invoices).to_contain_text(own["number"], timeout=ARRIVES_MS)
    await expect(bell(globex)).to_have_accessible_name(
        f"Notifications, {globex_bell + 1} unread", timeout=ARRIVES_MS
    )
    for number in (first["number"], second["number"]):
        await expect(globex_invoices).not_to_contain_text(number)
    await expect(said(globex)).to_have_text(re.compile(f"^New invoice {own['number']}: "))
    await expect(feed).not_to_contain_text(own["number"])
    await expect(bell(acme)).to_have_accessible_name(f"Notifications, {acme_bell + 3} unread")
    await check_screen(globex, axe, "dashboard-live-other-account")
    for page in (acme, globex):
        await assert_not_reloaded(page)


async def test_a_change_the_gateway_could_not_read_shows_once_it_can(
    new_page: NewPage, portal: LivePortal, vendor_webhooks: None
) -> None:
    """With Zendesk down, the gateway sends the ticket's event as an error in the ticket's
    place and the stream stays open; the screen reads the ticket again, after growing pauses,
    until Zendesk answers."""
    zendesk = portal.sandbox["zendesk"]
    page = await new_page("phone", as_=member(portal.backbone, ACME, "USER"))
    opened = streams_opened(page, "TicketUpdates")
    number = await open_ticket(page)
    await streaming(page, "TicketUpdates")
    await mark_page(page)
    reads = ticket_reads(page)
    zendesk.set_knobs(outage=True)
    try:
        zendesk.call("POST", f"/_sandbox/tickets/{number}/status", {"status": "solved"})

        async def read_again() -> bool:  # the event came as an error: only that sends one now
            return len(reads) > 0

        await until(read_again)
    finally:
        zendesk.set_knobs(outage=False)
    await expect(page.locator("p.lede")).to_contain_text("Solved", timeout=ARRIVES_MS)
    await expect(said(page)).to_have_text(f"Ticket #{number} is now Solved")
    assert len(opened) == 1  # the same stream throughout
    await assert_not_reloaded(page)


async def test_a_dropped_stream_is_opened_again_and_the_screen_catches_up(
    new_page: NewPage, portal: LivePortal, vendor_webhooks: None
) -> None:
    """Every connection dropped (a replica restarting). The ticket screen cannot open its
    stream again for a while (its tries fail) and misses the change a list on another page
    shows; once it can, it opens the stream again and reads the ticket again."""
    backbone, zendesk = portal.backbone, portal.sandbox["zendesk"]
    detail = await new_page("phone", as_=member(backbone, ACME, "USER"))
    number = await open_ticket(detail)
    listing = await new_page("phone", as_=member(backbone, ACME, "ADMIN"))
    await go(listing, "Support")
    row = listing.get_by_role("main").get_by_role("listitem").filter(has_text=f"#{number} ")
    await streaming(detail, "TicketUpdates")
    await streaming(listing, "TicketListUpdates")
    await mark_page(detail)
    detail_tries, listing_tries = (
        streams_opened(detail, "TicketUpdates"), streams_opened(listing, "TicketListUpdates")
    )  # fmt: skip

    async def refuse_streams(route: Route) -> None:
        if route.request.headers.get("accept") == "text/event-stream":
            await route.abort("connectionrefused")
        else:
            await route.continue_()

    await detail.route("**/graphql", refuse_streams)
    portal.drop_connections()

    async def both_tried_again() -> bool:
        return len(listing_tries) > 0 and len(detail_tries) > 0

    await until(both_tried_again)
    await streaming(listing, "TicketListUpdates")
    zendesk.call("POST", f"/_sandbox/tickets/{number}/status", {"status": "solved"})
    await expect(row).to_contain_text("Solved", timeout=ARRIVES_MS)  # it went out, unheard here
    await expect(detail.locator("p.lede")).not_to_contain_text("Solved")
    await detail.unroute("**/graphql", refuse_streams)
    await expect(detail.locator("p.lede")).to_contain_text("Solved", timeout=ARRIVES_MS)
    await expect(said(detail)).to_have_text(f"Ticket #{number} is now Solved")
    await streaming(detail, "TicketUpdates")
    await assert_not_reloaded(detail)


async def test_a_stream_refused_for_an_ended_session_signs_in_again(
    new_page: NewPage, portal: LivePortal, vendor_webhooks: None
) -> None:
    """Signed out in another tab: at the next event the gateway ends the dashboard's stream
    as signed out, and the page goes to sign-in (and back here after), as for any request of
    an ended session."""
    backbone, stripe = portal.backbone, portal.sandbox["stripe"]
    person = member(backbone, ACME, "READ_ONLY")
    page = await new_page("phone", as_=person, fresh=True)  # its session ends here
    await streaming(page, "InvoiceUpdates")
    await page.evaluate("""fetch("/auth/logout", { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json" }, body: "{}" })""")
    customer = backbone.company(ACME).stripe_customer_id
    stripe.call("POST", "/_sandbox/invoices", {"customer": customer, "amount_due": 5_000})
    await page.wait_for_url(portal.base_url + "/signin", timeout=ARRIVES_MS)
    await expect(page.get_by_label("Work email")).to_be_visible()
