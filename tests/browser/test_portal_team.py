"""An ADMIN manages the team on a phone: invites, re-roles, resends, revokes, deactivates,
reactivates and removes, each checked in HubSpot, and a rule's message shown beside the
control that broke it. Its own module: it changes the team others' tests read."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.live_portal import LivePortal
from tests.browser.pages import check_screen, go
from tests.gateway.people import ACME, member
from tests.gateway.team_support import hubspot_companies_of, hubspot_contact_by_email, mails
from tests.gateway.upstream_state import hubspot_properties

NEW = "nina.neu@example.com"


def portal_state(portal: LivePortal, contact_id: str) -> tuple[str | None, str | None]:
    found = hubspot_properties(
        portal.urls, "contacts", contact_id, ["portal_role", "portal_status"]
    )
    return found["portal_role"], found["portal_status"]


def invitation_links(portal: LivePortal) -> list[str]:
    """The accept links mailed to the invited person, oldest first."""
    texts = [m.part("plain") for m in mails(portal.outbox) if m.to == NEW]
    return [link for text in texts for link in re.findall(r"\S+/invitations/\S+", text)]


async def press(page: Page, name: str) -> None:
    """Presses a member's control and waits for the team to be read again."""
    async with page.expect_response(lambda r: r.url.endswith("/graphql")):
        await page.get_by_role("button", name=name).click()
    await expect(page.get_by_role("status")).to_be_visible()


async def test_an_admin_invites_re_roles_and_manages_people_with_the_rules_beside_the_controls(
    new_page: NewPage, portal: LivePortal, axe: str
) -> None:
    admin = member(portal.backbone, ACME, "ADMIN")
    page = await new_page("phone", as_=admin)
    page.on("dialog", lambda dialog: dialog.accept())  # "Remove …?" and the like
    await go(page, "Team")
    people = page.get_by_role("region", name="people")

    # Invite as ADMIN: listed as invited, in HubSpot, and mailed.
    await page.get_by_role("button", name="Invite someone").click()
    await page.get_by_label("Work email").fill(NEW)
    await page.get_by_label("First name").fill("Nina")
    await page.get_by_label("Last name").fill("Neu")
    await page.get_by_label("Role").select_option(label="Admin")
    await page.get_by_role("button", name="Send invitation").click()
    await expect(page.get_by_role("status")).to_have_text(f"An invitation went to {NEW}.")
    row = people.get_by_role("listitem").filter(has_text=NEW)
    await expect(row).to_contain_text("Admin")
    await expect(row.locator(".badge")).to_have_text("Invited")
    contact = hubspot_contact_by_email(portal.urls, NEW)
    assert (contact["properties"]["portal_role"], contact["properties"]["portal_status"]) == (
        "ADMIN",
        "INVITED",
    )
    assert ACME in hubspot_companies_of(portal.urls, contact["id"])
    assert len(invitation_links(portal)) == 1

    # Inviting them again: the rule's message beside the email.
    await page.get_by_role("button", name="Invite someone").click()
    await page.get_by_label("Work email").fill(NEW)
    await page.get_by_label("First name").fill("Nina")
    await page.get_by_label("Last name").fill("Neu")
    await page.get_by_role("button", name="Send invitation").click()
    email = page.get_by_label("Work email")
    await expect(email).to_have_attribute("aria-invalid", "true")
    await expect(email).to_have_accessible_description(
        f"{NEW} is invited already: send the invitation again instead."
    )
    await check_screen(page, axe, "team-invite")
    await page.get_by_role("button", name="Cancel").click()

    # Change the invited person's role, resend, revoke.
    await page.get_by_role("button", name="Manage Nina Neu").click()
    await page.get_by_label("Role of Nina Neu").select_option(label="User")
    await press(page, "Change role of Nina Neu")
    await expect(row).to_contain_text("User")
    assert portal_state(portal, contact["id"]) == ("USER", "INVITED")
    await press(page, "Resend invitation to Nina Neu")
    first, second = invitation_links(portal)
    assert first != second
    await press(page, "Revoke invitation of Nina Neu")
    await expect(row).to_have_count(0)
    assert ACME not in hubspot_companies_of(portal.urls, contact["id"])

    # An active member: deactivate, reactivate, remove.
    users = [
        p for p in portal.backbone.people_of(ACME) if p.role == "USER" and p.company_ids == (ACME,)
    ]
    user = [p for p in users if p.status == "ACTIVE"][1]  # not the one other modules sign in as
    name = user.name
    await page.get_by_role("button", name=f"Manage {name}").click()
    await press(page, f"Deactivate {name}")
    assert portal_state(portal, user.contact_id) == ("USER", "DISABLED")
    await press(page, f"Reactivate {name}")
    assert portal_state(portal, user.contact_id) == ("USER", "ACTIVE")
    await press(page, f"Remove {name}")
    await expect(people.get_by_role("listitem").filter(has_text=user.email)).to_have_count(0)
    assert ACME not in hubspot_companies_of(portal.urls, user.contact_id)

    # Their own role: refused (SELF), the message beside the control, nothing written.
    me = admin.name
    await page.get_by_role("button", name=f"Manage {me}").click()
    await page.get_by_label(f"Role of {me}").select_option(label="Read only")
    await page.get_by_role("button", name=f"Change role of {me}").click()
    role = page.get_by_label(f"Role of {me}")
    await expect(role).to_have_attribute("aria-invalid", "true")
    await expect(role).to_have_accessible_description(
        "You cannot change your own role: ask another ADMIN."
    )
    assert portal_state(portal, admin.contact_id) == ("ADMIN", "ACTIVE")
    await check_screen(page, axe, "team-manage")
