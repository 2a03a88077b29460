"""Events in the browser: an ADMIN reads the (empty) feed, adds a webhook endpoint (a local
receiver on loopback, as the sandbox allows), sees its signing secret once and a test that the
worker (its own process) delivered in the log; then a ticket solved in Zendesk reaches the bell
and the feed, through the vendor's signed webhook, without a reload."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Dialog, Page, expect

from tests.browser.conftest import NewPage
from tests.browser.live_portal import LivePortal
from tests.browser.pages import check_screen, go, shown
from tests.events.receiver import Receiver, receiving
from tests.events.worker_process import WorkerProcess
from tests.gateway.freshness import signing
from tests.gateway.people import ACME, ACME_EUROPE, member


@pytest.fixture(scope="module")
def portal_settings() -> dict[str, Any]:
    return {"zendesk_webhook_secret": signing.ZENDESK_SECRET}


async def test_an_admin_adds_a_webhook_endpoint_and_reads_the_feed(
    new_page: NewPage, portal: LivePortal, axe: str, tmp_path: Path
) -> None:
    page = await new_page("phone", as_=member(portal.backbone, ACME, "ADMIN"))
    bell = page.get_by_role("banner").get_by_role("link", name=re.compile("^Notifications"))
    await bell.tap()
    await shown(page)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    await expect(bell).to_have_attribute("aria-current", "page")
    feed = page.get_by_role("region", name="Feed")
    await expect(feed).to_contain_text("No notifications yet")
    await expect(feed).to_contain_text("show here and on the bell")
    await check_screen(page, axe, "notifications")

    zendesk = portal.sandbox["zendesk"]
    target = {"url": f"{portal.base_url}/webhooks/zendesk", "secret": signing.ZENDESK_SECRET}
    zendesk.call("PUT", "/_sandbox/webhooks", target)
    worker = WorkerProcess(portal.settings, tmp_path / "worker.log").start()
    try:
        async with receiving() as receiver:
            await _add_test_and_delete_an_endpoint(page, axe, receiver)

        # A ticket solved in Zendesk: the bell counts it at the next look (the screen
        # changes here; else its 30 s poll), and the feed lists it.
        await go(page, "Support")
        first = page.get_by_role("main").get_by_role("link", name=re.compile(r"^#\d+")).first
        number = re.match(r"#(\d+)", await first.inner_text())[1]  # type: ignore[index]
        zendesk.call("POST", f"/_sandbox/tickets/{number}/status", {"status": "solved"})
        unread = page.get_by_role("banner").get_by_role("link", name="Notifications, 1 unread")
        for look in range(40):
            await go(page, ("Dashboard", "Support")[look % 2])
            if await unread.count():
                break
            await asyncio.sleep(0.5)
        await unread.tap()
        await shown(page)
        item = feed.get_by_role("link", name=re.compile(f"#{number}"))
        await expect(item).to_be_visible()
        await expect(feed).to_contain_text("New")
        await check_screen(page, axe, "notifications-unread")
        await page.get_by_role("button", name="Mark all as read").click()
        await expect(bell).to_have_accessible_name("Notifications")
        await expect(feed.get_by_role("button", name="Mark all as read")).to_have_count(0)
        await check_screen(page, axe, "notifications-read")
    finally:
        worker.stop()
        zendesk.call("DELETE", "/_sandbox/webhooks")

    # A sub-account has endpoints of its own (the screen reads the chosen account by id).
    await page.get_by_label("Account").select_option(
        label=portal.backbone.company(ACME_EUROPE).name
    )
    await shown(page)
    await go(page, "Webhooks")
    await expect(page.get_by_role("region", name="Endpoints")).to_contain_text("No endpoints yet")


async def _add_test_and_delete_an_endpoint(page: Page, axe: str, receiver: Receiver) -> None:
    await go(page, "Webhooks")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
    endpoints = page.get_by_role("region", name="Endpoints")
    await expect(endpoints).to_contain_text("No endpoints yet")

    # A private address is refused beside the URL field, and nothing is added.
    url = page.get_by_label("URL")
    await url.fill("https://10.1.2.3/hooks")
    await page.get_by_label("Ticket status changed").check()
    await page.get_by_role("button", name="Add endpoint").click()
    await expect(page.locator("#hook-url-error")).to_contain_text("private")
    await expect(url).to_have_attribute("aria-invalid", "true")
    await expect(endpoints).to_contain_text("No endpoints yet")

    await url.fill(receiver.url)
    await page.get_by_role("button", name="Add endpoint").click()
    secret = page.locator("code.token-secret")
    await expect(secret).to_have_text(re.compile(r"^whsec_\S+$"))
    receiver.secret = await secret.inner_text()  # the client's copy, to verify deliveries
    await expect(endpoints.get_by_role("heading", name=receiver.url)).to_be_visible()
    await expect(endpoints).to_contain_text("ticket.status_changed")
    await expect(url).not_to_have_attribute("aria-invalid", "true")

    # The worker delivers the test, signed with that secret; the screen shows the attempt.
    await page.get_by_role("button", name=f"Send test to {receiver.url}").click()
    await expect(endpoints.get_by_role("status")).to_contain_text("queued")
    await asyncio.wait_for(receiver.arrived.wait(), timeout=20)
    assert [r.verified for r in receiver.received] == [True]
    assert receiver.received[0].payload["type"] == "webhook.test"
    log = endpoints.get_by_role("table", name=f"Last delivery attempts to {receiver.url}")
    await expect(log.get_by_role("row")).to_have_count(2, timeout=20_000)
    await expect(log).to_contain_text("webhook.test")
    await expect(log).to_contain_text("200")
    await expect(log).to_contain_text(re.compile(r"\d+ ms"))
    await check_screen(page, axe, "webhooks")

    # Shown once: a new visit has the endpoint, never its secret again.
    await page.reload()
    await shown(page)
    await expect(endpoints.get_by_role("heading", name=receiver.url)).to_be_visible()
    await expect(secret).to_have_count(0)

    async def accept(dialog: Dialog) -> None:
        await dialog.accept()

    page.once("dialog", accept)
    await page.get_by_role("button", name=f"Delete {receiver.url}").click()
    await expect(endpoints).to_contain_text("No endpoints yet")
