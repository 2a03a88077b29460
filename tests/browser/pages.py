"""A person's actions in the portal, as Playwright steps: sign in from the mail, move
between screens, check a screen (axe-core, no sideways scrolling), keep a screenshot."""

from __future__ import annotations

import re
import time
from email import message_from_bytes
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from playwright.async_api import Page, expect

from tests.browser.live_portal import LivePortal

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
    "device_scale_factor": 1,
}  # fmt: skip
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


def mail_to(outbox: Path, email: str, since: float) -> str:
    """The text of the newest mail to `email` written after `since` (waits for it)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for path in sorted(outbox.glob("*.eml"), reverse=True) if outbox.is_dir() else []:
            if path.stat().st_mtime < since:
                break
            message = message_from_bytes(path.read_bytes())
            if message["To"] == email:
                body = message.get_payload(decode=True)
                assert isinstance(body, bytes)
                return body.decode()
        time.sleep(0.05)
    raise AssertionError(f"no mail to {email} in {outbox}")


async def open_mail_and_click_the_link(page: Page, text: str) -> None:
    """Shows the mail as a mail client would (links clickable) and clicks its link."""
    linked = re.sub(
        r"(https?://\S+)", lambda m: f"<a href='{escape(m[1])}'>{escape(m[1])}</a>", escape(text)
    )
    await page.set_content(f"<title>Mail</title><pre>{linked}</pre>")
    await page.get_by_role("link").click()


async def sign_in(page: Page, portal: LivePortal, email: str, next_path: str = "/") -> None:
    start = portal.base_url + "/signin" + ("" if next_path == "/" else "?next=" + quote(next_path))
    await page.goto(start)
    since = time.time() - 1
    await page.get_by_label("Work email").fill(email)
    await page.get_by_role("button", name="Email me a sign-in link").click()
    await expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    await open_mail_and_click_the_link(page, mail_to(portal.outbox, email, since))
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(portal.base_url + next_path)
    await shown(page)


async def shown(page: Page) -> None:
    """Waits until the screen has its data (the app marks <main> busy while loading)."""
    await page.locator("main[aria-busy='false']").wait_for()


async def go(page: Page, name: str) -> None:
    """Follows a menu entry, opening the menu first where it is folded (phones: by touch)."""
    menu = page.get_by_role("button", name="Menu")
    entry = page.get_by_role("navigation", name="Portal").get_by_role("link", name=name)
    if await menu.is_visible():
        await menu.tap()
        await entry.tap()
    else:
        await entry.click()
    await shown(page)


async def check_screen(page: Page, axe: str, name: str) -> None:
    """No serious or critical axe-core violation, no sideways scrolling; a screenshot kept."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    SCREENSHOTS.mkdir(exist_ok=True)
    kind = "phone" if width < 600 else "desktop"
    await page.screenshot(path=SCREENSHOTS / f"{kind}-{name}.png", full_page=True)
    scroll_width = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name}: {scroll_width}px wide at {width}px"
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.evaluate(axe)  # via the debugger protocol: the page's CSP stays as it is
    result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name} at {width}px: {serious}"
