"""An ADMIN changes a webhook endpoint on the screen, as a person would: edits its URL and
events (the server's refusals shown beside the field that caused them), turns it off and on,
and rotates its secret. HubSpot's record says each change was stored; the worker (its own
process) then delivers a test whose signature the client verifies with the old secret and
with the new one, both copied from the screen with its Copy buttons."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Dialog, Locator, Page, expect

from tests.browser.conftest import NewPage
from tests.browser.live_portal import LivePortal
from tests.browser.pages import check_screen, go
from tests.events.receiver import Receiver, receiving
from tests.events.worker_process import WorkerProcess
from tests.gateway.people import ACME, member
from tests.gateway.upstream_state import hubspot_properties

INSIDE = "The URL points at a private, loopback or reserved address."


def _stored(portal: LivePortal) -> list[dict[str, Any]]:
    """The endpoints as HubSpot holds them on the company (read over HubSpot's API)."""
    found = hubspot_properties(portal.urls, "companies", ACME, ["portal_webhook_endpoints"])
    raw = found["portal_webhook_endpoints"] or "[]"
    assert "whsec_" not in raw  # secrets are only ever stored encrypted
    stored: list[dict[str, Any]] = json.loads(raw)
    return stored


async def _copied(page: Page, card: Locator) -> str:
    """The secret on the card, as its Copy button puts it on the clipboard."""
    await card.get_by_role("button", name="Copy").click()
    await expect(card.get_by_role("button", name="Copied")).to_be_visible()
    copied: str = await page.evaluate("navigator.clipboard.readText()")
    assert copied == await card.locator("code").inner_text()
    assert re.fullmatch(r"whsec_\S+", copied)
    return copied


def _answer(dialog_messages: list[str]) -> Any:
    async def accept(dialog: Dialog) -> None:
        dialog_messages.append(dialog.message)
        await dialog.accept()

    return accept


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
async def test_an_admin_edits_turns_off_and_on_and_rotates_an_endpoint(
    new_page: NewPage, portal: LivePortal, axe: str, tmp_path: Path, viewport: str
) -> None:
    admin = member(portal.backbone, ACME, "ADMIN")
    page = await new_page(viewport, as_=admin)
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    worker = WorkerProcess(portal.settings, tmp_path / "worker.log").start()
    try:
        async with receiving() as first, receiving() as moved:
            old_secret = await _add(page, first)
            await _edit(page, axe, portal, first, moved)
            await _turn_off_and_on(page, axe, portal, moved, admin.email)
            new_secret = await _rotate(page, axe, portal, moved)
            assert new_secret != old_secret

            # The next delivery verifies with either secret: the receiver may switch at leisure.
            moved.secret = old_secret  # the receiver has not switched yet
            item = _item(page, moved.url)
            await item.get_by_role("button", name=f"Send test to {moved.url}").click()
            await asyncio.wait_for(moved.arrived.wait(), timeout=20)
            [delivery] = moved.received
            assert delivery.verified and delivery.payload["type"] == "webhook.test"
            assert delivery.verifies_with(old_secret)
            assert delivery.verifies_with(new_secret)
            assert first.received == []  # the old URL hears nothing once changed
            await expect(item.get_by_role("table")).to_contain_text("webhook.test", timeout=20_000)
            await expect(item.get_by_role("table")).to_contain_text("200")

            messages: list[str] = []
            page.once("dialog", _answer(messages))
            await item.get_by_role("button", name=f"Delete {moved.url}").click()
            await expect(_endpoints(page)).to_contain_text("No endpoints yet")
    finally:
        worker.stop()


def _endpoints(page: Page) -> Locator:
    return page.get_by_role("region", name="Endpoints")


def _item(page: Page, url: str) -> Locator:
    heading = page.get_by_role("heading", name=url, exact=True)
    return _endpoints(page).get_by_role("listitem").filter(has=heading)


async def _add(page: Page, receiver: Receiver) -> str:
    """Adds an endpoint for ticket changes; returns its secret as copied from the screen."""
    await go(page, "Webhooks")
    await expect(_endpoints(page)).to_contain_text("No endpoints yet")
    form = page.get_by_role("region", name="New endpoint")
    await form.get_by_label("URL").fill(receiver.url)
    await form.get_by_label("Ticket status changed").check()
    await form.get_by_role("button", name="Add endpoint").click()
    card = page.get_by_role("status").filter(has_text="Copy the signing secret")
    return await _copied(page, card)


async def _edit(page: Page, axe: str, portal: LivePortal, first: Receiver, moved: Receiver) -> None:
    item = _item(page, first.url)
    edit_button = item.get_by_role("button", name=f"Edit {first.url}")
    await edit_button.click()
    await expect(edit_button).to_have_attribute("aria-expanded", "true")
    form = page.get_by_role("form", name=f"Edit {first.url}")
    url = form.get_by_label("URL")
    events = form.get_by_role("group", name="Events")
    save = form.get_by_role("button", name="Save changes")
    await expect(url).to_be_focused()
    await expect(url).to_have_value(first.url)
    await expect(form.get_by_label("Ticket status changed")).to_be_checked()

    # Each refusal is told beside the field that caused it, and nothing is stored.
    before = _stored(portal)
    await url.fill("http://example.com/hooks")
    await save.click()
    await expect(url).to_have_accessible_description(
        "The URL must start with https:// (http only for loopback)."
    )
    await expect(url).to_have_attribute("aria-invalid", "true")
    await check_screen(page, axe, "webhooks-edit-refused")
    await url.fill("https://169.254.169.254/latest/meta-data")
    await save.click()
    await expect(url).to_have_accessible_description(INSIDE)

    await url.fill(moved.url)
    await form.get_by_label("Ticket status changed").uncheck()
    await save.click()
    await expect(events).to_have_accessible_description("Choose at least one event.")
    await expect(url).not_to_have_attribute("aria-invalid", "true")
    # A screen older than the server may offer an event the server no longer knows.
    stale_box = form.get_by_label("Onboarding item completed")
    await stale_box.evaluate("box => { box.value = 'onboarding.item_skipped'; }")
    await stale_box.check()
    await save.click()
    await expect(events).to_have_accessible_description(
        re.compile(r"^Unknown events: onboarding\.item_skipped\. Known: invoice\.created, ")
    )
    assert _stored(portal) == before

    await stale_box.uncheck()
    await form.get_by_label("Invoice paid").check()
    await form.get_by_label("Document added").check()
    await save.click()
    await expect(form).to_have_count(0)
    item = _item(page, moved.url)
    await expect(item.get_by_role("status")).to_contain_text("Saved")
    await expect(item).to_contain_text("invoice.paid, document.added")
    [stored] = _stored(portal)
    assert (stored["url"], stored["events"], stored["enabled"]) == (
        moved.url, ["invoice.paid", "document.added"], True,
    )  # fmt: skip


async def _turn_off_and_on(
    page: Page, axe: str, portal: LivePortal, moved: Receiver, admin_email: str
) -> None:
    item = _item(page, moved.url)
    asked: list[str] = []
    page.once("dialog", _answer(asked))
    await item.get_by_role("button", name=f"Turn off {moved.url}").click()
    await expect(item.get_by_text("Off", exact=True)).to_be_visible()
    await expect(item.get_by_role("status")).to_have_text("Turned off.")
    assert asked == [
        f"Turn off {moved.url}? Events that happen while it is off are not sent to it, "
        "not even later."
    ]
    await expect(item).to_contain_text(f"Not receiving events: turned off by {admin_email}.")
    await expect(item.get_by_role("button", name=re.compile("^Send test"))).to_have_count(0)
    [stored] = _stored(portal)
    assert (stored["enabled"], stored["disabled_reason"]) == (
        False, f"turned off by {admin_email}"
    )  # fmt: skip
    await check_screen(page, axe, "webhooks-off")

    await item.get_by_role("button", name=f"Turn on {moved.url}").click()
    await expect(item.get_by_text("On", exact=True)).to_be_visible()
    await expect(item.get_by_role("status")).to_contain_text("Turned on")
    await expect(item).not_to_contain_text("Not receiving events")
    [stored] = _stored(portal)
    assert (stored["enabled"], stored["disabled_reason"]) == (True, None)


async def _rotate(page: Page, axe: str, portal: LivePortal, moved: Receiver) -> str:
    """Rotates the secret after the screen has said what that does; returns the new one."""
    item = _item(page, moved.url)
    [sealed_before] = [e["encrypted_secret"] for e in _stored(portal)]
    await item.get_by_role("button", name=f"Rotate secret of {moved.url}").click()
    ask = page.get_by_role("group", name=f"Rotate the signing secret of {moved.url}?")
    await expect(ask).to_be_focused()
    await expect(ask).to_contain_text("For the next 24 hours every delivery is signed with both")
    await expect(ask).to_contain_text("After that, only the new secret signs.")
    await check_screen(page, axe, "webhooks-rotate")
    await ask.get_by_role("button", name="Rotate secret now").click()

    card = item.get_by_role("status").filter(has_text="Copy the new signing secret")
    await expect(card).to_contain_text(
        re.compile(r"Until .+, each delivery is signed with both the old and the new secret")
    )
    await expect(ask).to_have_count(0)
    await expect(card.get_by_role("button", name="Copy")).to_be_focused()
    await expect(item).to_contain_text("Signed with the previous secret too, until")
    first_secret = page.get_by_role("status").filter(has_text="Copy the signing secret")
    await expect(first_secret).to_have_count(0)  # the old one: not offered for copying now
    secret = await _copied(page, card)
    [stored] = _stored(portal)
    assert stored["previous_secret"] == sealed_before  # kept encrypted, as the current one
    assert stored["encrypted_secret"] != sealed_before
    await check_screen(page, axe, "webhooks-rotated")
    return secret
