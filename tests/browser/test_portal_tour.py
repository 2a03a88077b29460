"""Every screen at 390x844 (touch) and 1280x800, reached as a person would: signed in from
the mailed link, then by the menu. Each is checked by axe-core, for sideways scrolling,
and photographed (tests/browser/screenshots/)."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.live_portal import LivePortal
from tests.browser.pages import SCREENSHOTS, check_screen, go, shown
from tests.gateway.people import ACME, member
from tests.gateway.upstream_state import hubspot_properties

MENU = [
    ("Documents", "Documents and invoices", "documents"),
    ("Support", "Support", "tickets"),
    ("Usage", "Usage", "usage"),
    ("Subscription", "Subscription", "subscription"),
    ("Team", "Team", "team"),
    ("Account details", "Account details", "account"),
    ("My profile", "My profile", "profile"),
    ("API tokens", "API tokens", "api-tokens"),
]


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
async def test_every_screen_reads_well_and_passes_axe(
    viewport: str, new_page: NewPage, portal: LivePortal, axe: str
) -> None:
    page = await new_page(viewport)
    await page.goto(portal.base_url + "/signin")
    await check_screen(page, axe, "signin")
    # An ADMIN on the phone, a USER on the desktop: the menu differs by role.
    role = "ADMIN" if viewport == "phone" else "USER"
    person = member(portal.backbone, ACME, role)
    page = await new_page(viewport, as_=person, fresh=True)

    guide = page.get_by_role("region", name="Three things to start with")
    await expect(guide).to_be_visible()
    await check_screen(page, axe, "dashboard-guide")
    await guide.get_by_role("button", name="Got it").click()
    await expect(guide).to_be_hidden()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Acme Holdings")
    await check_screen(page, axe, "dashboard")
    # The first view, as a person sees it on opening the portal (README's screenshots).
    await page.screenshot(path=SCREENSHOTS / f"{viewport}-dashboard-first-view.png")

    for link, heading, name in MENU:
        if name == "api-tokens" and role != "ADMIN":
            menu = page.get_by_role("navigation", name="Portal")
            await expect(menu.get_by_role("link", name=link)).to_have_count(0)
            continue
        await go(page, link)
        await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        await check_screen(page, axe, name)

    await go(page, "Support")
    await page.get_by_role("main").get_by_role("link", name="#").first.click()
    await shown(page)
    await expect(page.get_by_role("heading", name="Conversation")).to_be_visible()
    await check_screen(page, axe, "ticket")

    await page.goto(portal.base_url + "/no/such/screen")
    await shown(page)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    await check_screen(page, axe, "not-found")
    await page.get_by_role("link", name="Go to your dashboard").click()
    await shown(page)
    assert page.url == portal.base_url + "/"

    # Closed once, the guide stays closed: it is remembered on the member's HubSpot contact.
    await page.reload()
    await shown(page)
    await expect(guide).to_have_count(0)
    stored = hubspot_properties(
        portal.urls, "contacts", person.contact_id, ["portal_guide_completed_at"]
    )
    assert stored["portal_guide_completed_at"]


async def test_the_keyboard_reaches_every_control_of_the_dashboard(
    new_page: NewPage, portal: LivePortal
) -> None:
    page = await new_page("desktop", as_=member(portal.backbone, ACME, "ADMIN"))
    controls = await page.evaluate(
        """[...document.querySelectorAll('a[href], button, select, input, textarea')]
             .filter((e) => e.offsetParent !== null).length"""
    )
    reached = set()
    for _ in range(controls + 2):
        await page.keyboard.press("Tab")
        reached.add(await page.evaluate(_FOCUSED))
    assert len(reached - {"BODY"}) >= controls
    assert {"A:Skip to content", "A:Documents", "BUTTON:Sign out", "SELECT:"} <= reached


_FOCUSED = """(() => { const e = document.activeElement;
  return e.tagName + ':' + (e.tagName === 'SELECT' ? '' : e.textContent.trim()); })()"""
