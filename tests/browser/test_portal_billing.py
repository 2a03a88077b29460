"""An ADMIN manages billing on a phone: previews a seat change and sees what it costs,
confirms it, cancels with a reason and resumes, changes the default card, removes one, and
leaves for Stripe's pages to add a card and to pay an invoice. Stripe's state is read back
through the official SDK after each step, and the screen passes axe-core."""

from __future__ import annotations

import re

import stripe
from playwright.async_api import expect

from config import SANDBOX_CREDENTIALS
from tests.browser.conftest import NewPage
from tests.browser.live_portal import LivePortal
from tests.browser.pages import check_screen, go, shown
from tests.gateway.people import ACME, member


def sdk(portal: LivePortal) -> stripe.StripeClient:
    return stripe.StripeClient(
        SANDBOX_CREDENTIALS["STRIPE_API_KEY"],
        base_addresses={"api": portal.urls["stripe"]},
        max_network_retries=0,
    )


def subscription(portal: LivePortal) -> stripe.Subscription:
    customer = portal.backbone.company(ACME).stripe_customer_id
    return sdk(portal).v1.subscriptions.list(params={"customer": customer}).data[0]


def default_card(portal: LivePortal, customer: str) -> str | None:
    settings = sdk(portal).v1.customers.retrieve(customer).invoice_settings
    found = settings.default_payment_method if settings else None
    return found if isinstance(found, str) or found is None else found.id


def card_name(method: stripe.PaymentMethod) -> str:
    """As the portal names a card."""
    assert method.card is not None
    return f"{method.card.brand.capitalize()} ending {method.card.last4}"


def seats(sub: stripe.Subscription) -> tuple[str, int]:
    """The licensed item's price and quantity."""
    item = next(i for i in sub["items"].data if i.price.recurring.usage_type == "licensed")
    return item.price.id, item.quantity or 0


async def test_an_admin_previews_and_changes_seats_then_cancels_and_resumes(
    new_page: NewPage, portal: LivePortal, axe: str
) -> None:
    page = await new_page("phone", as_=member(portal.backbone, ACME, "ADMIN"))
    await go(page, "Subscription")
    price, before = seats(subscription(portal))
    plan = page.locator("section[aria-labelledby='plan-card']")
    await expect(plan).to_contain_text(f"Seats{before}")

    await page.get_by_label("Seats", exact=True).fill(str(before + 2))
    await page.get_by_role("button", name="Preview change").click()
    preview = page.get_by_role("region", name=re.compile(rf"\u00d7 {before + 2}$"))
    await expect(preview).to_contain_text("Takes effect now.")
    await expect(preview).to_contain_text(re.compile(r"Due now\$[1-9][\d,]*\.\d\d"))
    await expect(preview).to_contain_text("Next invoice")
    await check_screen(page, axe, "subscription-preview")
    assert seats(subscription(portal)) == (price, before)  # a preview changes nothing

    await preview.get_by_role("button", name="Confirm change").click()
    await expect(plan).to_contain_text(f"Seats{before + 2}")
    assert seats(subscription(portal)) == (price, before + 2)

    await page.get_by_role("button", name="Cancel subscription").click()
    await page.get_by_label("Reason", exact=True).select_option(label="Too expensive")
    await page.get_by_label("Anything we should know? (optional)").fill("Budget cuts.")
    await page.get_by_role("button", name="Confirm cancellation").click()
    resume = page.get_by_role("button", name="Resume subscription")
    await expect(resume).to_be_visible()
    await expect(plan).to_contain_text("ReasonToo expensive")
    await check_screen(page, axe, "subscription-cancelling")
    ending = subscription(portal)
    assert ending.cancel_at_period_end is True
    assert ending.cancellation_details is not None
    assert (ending.cancellation_details.feedback, ending.cancellation_details.comment) == (
        "too_expensive", "Budget cuts.",
    )  # fmt: skip

    await resume.click()
    await expect(page.get_by_role("button", name="Cancel subscription")).to_be_visible()
    assert subscription(portal).cancel_at_period_end is False

    # Payment methods: another card becomes the default, the old one is removed.
    customer = portal.backbone.company(ACME).stripe_customer_id
    methods = page.get_by_role("region", name="Payment methods")
    old = default_card(portal, customer)
    cards = sdk(portal).v1.payment_methods.list(params={"customer": customer}).data
    new = next(c for c in cards if c.id != old)
    await methods.get_by_role("button", name=f"Make default {card_name(new)}").click()
    await expect(methods.get_by_role("button", name=f"Remove {card_name(new)}")).to_have_count(0)
    assert default_card(portal, customer) == new.id
    gone = next(c for c in cards if c.id == old)
    await methods.get_by_role("button", name=f"Remove {card_name(gone)}").click()
    await expect(methods.get_by_role("listitem")).to_have_count(len(cards) - 1)
    left = sdk(portal).v1.payment_methods.list(params={"customer": customer}).data
    assert old not in [c.id for c in left] and len(left) == len(cards) - 1

    # Adding a card happens on Stripe's page, which sends the member back here.
    stripe_pages = re.compile(re.escape(portal.urls["stripe"]) + "/")
    await methods.get_by_role("button", name="Add payment method").click()
    await page.wait_for_url(stripe_pages)
    session = sdk(portal).v1.checkout.sessions.retrieve(page.url.rsplit("/", 1)[1])
    assert (session.mode, session.customer) == ("setup", customer)
    await page.get_by_role("link", name="Done").click()
    await page.wait_for_url(portal.base_url + "/subscription?setup=complete")
    await shown(page)
    await expect(page.get_by_role("status")).to_have_text("Your payment method was added.")

    # An open invoice is paid on Stripe's page too, from the dashboard.
    await go(page, "Dashboard")
    invoices = sdk(portal).v1.invoices
    open_invoice = invoices.list(params={"customer": customer, "status": "open"}).data[0]
    await page.get_by_role("button", name=f"Pay now invoice {open_invoice.number}").click()
    await page.wait_for_url(stripe_pages)
    assert page.url == open_invoice.hosted_invoice_url
