"""Events in the browser: an ADMIN adds a webhook endpoint (a local receiver on loopback,
as the sandbox allows), sees its signing secret once and a test delivered by the worker (its
own process) in the log; the bell and the feed show."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from playwright.async_api import Dialog, Page, expect

from tests.browser.conftest import NewPage
from tests.browser.live_portal import LivePortal
from tests.browser.pages import check_screen, go, shown
from tests.events.receiver import Receiver, receiving
from tests.events.worker_process import WorkerProcess
from tests.gateway.people import ACME, member


async def test_an_admin_adds_a_webhook_endpoint_and_reads_the_feed(
    new_page: NewPage, portal: LivePortal, axe: str, tmp_path: Path
) -> None:
    page = await new_page("phone", as_=member(portal.backbone, ACME, "ADMIN"))
    bell = page.get_by_role("banner").get_by_role("link", name=re.compile("^Notifications"))
    await expect(bell).to_be_visible()

    worker = WorkerProcess(portal.settings, tmp_path / "worker.log").start()
    try:
        async with receiving() as receiver:
            await _add_test_and_delete_an_endpoint(page, axe, receiver)
    finally:
        worker.stop()

    await bell.tap()
    await shown(page)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    await expect(bell).to_have_attribute("aria-current", "page")
    feed = page.get_by_role("region", name="Feed")
    await expect(feed).to_contain_text("No notifications yet")
    await expect(feed).to_contain_text("show here and on the bell")
    await check_screen(page, axe, "notifications")


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
