"""Stale-if-error as a person sees it: with Stripe down, billing figures read earlier are
still shown, marked "Last known"; sections read live carry no mark."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.live_portal import LivePortal
from tests.browser.pages import shown
from tests.gateway.people import ACME, member

CACHE_TTL_S = 0.5


@pytest.fixture(scope="module")
def portal_settings() -> dict[str, Any]:
    return {"cache_ttl_s": CACHE_TTL_S, "cache_stale_max_s": 300.0}


async def test_billing_read_before_an_outage_is_shown_as_last_known(
    new_page: NewPage, portal: LivePortal
) -> None:
    page = await new_page("phone", as_=member(portal.backbone, ACME, "USER"))
    invoices = page.get_by_role("region", name="Open invoices")
    await expect(invoices.get_by_role("listitem")).not_to_have_count(0)
    await expect(invoices.get_by_text("Last known")).to_have_count(0)
    shown_before = await invoices.get_by_role("list").inner_text()

    portal.sandbox["stripe"].set_knobs(outage=True)
    try:
        await asyncio.sleep(CACHE_TTL_S + 0.1)  # the copy has expired: Stripe is asked, and fails
        await page.reload()
        await shown(page)
        await expect(invoices.get_by_text("Last known")).to_be_visible()
        assert await invoices.get_by_role("list").inner_text() == shown_before
        tickets = page.get_by_role("region", name="Open tickets")
        await expect(tickets.get_by_text("Last known")).to_have_count(0)
    finally:
        portal.sandbox["stripe"].set_knobs(outage=False)
