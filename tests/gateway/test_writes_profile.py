"""`updateMyProfile` and `updateNotificationPreferences`: the member's own HubSpot contact,
with the audit note, read-your-writes, and the phone rule of SMS."""

from __future__ import annotations

import json

from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member
from tests.gateway.upstream_state import (
    NO_WRITES,
    company_notes,
    hubspot_properties,
    upstream_writes,
)

PROFILE = """
mutation ($input: UpdateMyProfileInput!) {
  updateMyProfile(input: $input) {
    member { name firstName lastName phone jobTitle }
    userErrors { field message code }
  }
}"""
PREFERENCES = """
mutation ($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) {
    member { notificationPreferences { type channels } }
    userErrors { field message code }
  }
}"""
ME = """{ viewer { member { name phone jobTitle notificationPreferences { type channels } }
  account { team(first: 3) { nodes { email notificationPreferences { type } } } } } }"""
TYPES = [
    "INVOICE_GENERATED",
    "TICKET_STATUS_CHANGED",
    "RENEWAL_REMINDER",
    "USAGE_THRESHOLD",
    "DOCUMENT_ADDED",
]
CONTACT_PROPERTIES = ["firstname", "lastname", "phone", "jobtitle"]


def no_sms() -> dict[str, object]:
    return {"input": {"preferences": [{"type": t, "channels": ["EMAIL"]} for t in TYPES]}}


async def test_a_member_changes_their_profile_and_sees_it_at_once(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    reader = member(client.backbone, ACME, "READ_ONLY")  # any role may: it is their own
    await client.query(ME, as_=reader)  # warms the cache: the write must evict it
    sandbox.clear_requests()
    change = {
        "firstName": "Bruna",
        "lastName": "<b>Quinn</b>",
        "phone": "+1 (415) 555-0100",
        "jobTitle": "Head of Finance",
    }

    body = await client.query(PROFILE, {"input": change}, as_=reader)

    assert body == {
        "data": {
            "updateMyProfile": {
                "member": {
                    "name": "Bruna <b>Quinn</b>",
                    "firstName": "Bruna",
                    "lastName": "<b>Quinn</b>",
                    "phone": "+14155550100",
                    "jobTitle": "Head of Finance",
                },
                "userErrors": [],
            }
        }
    }
    assert upstream_writes(sandbox) == {
        **NO_WRITES,
        "hubspot": [
            f"PATCH /crm/v3/objects/contacts/{reader.contact_id}",
            "POST /crm/v3/objects/notes",
        ],
    }
    assert hubspot_properties(urls, "contacts", reader.contact_id, CONTACT_PROPERTIES) == {
        "firstname": "Bruna",
        "lastname": "<b>Quinn</b>",
        "phone": "+14155550100",
        "jobtitle": "Head of Finance",
    }
    [note] = company_notes(urls, ACME)
    assert (
        f"&lt;{reader.email}&gt; (READ_ONLY, contact {reader.contact_id}) updated their "
        "profile: first name, last name, job title, phone at 20" in note
    )
    me = (await client.query(ME, as_=reader))["data"]["viewer"]["member"]
    assert (me["name"], me["phone"], me["jobTitle"]) == (
        "Bruna <b>Quinn</b>",
        "+14155550100",
        "Head of Finance",
    )


async def test_bad_profile_input_writes_nothing(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    user = member(client.backbone, ACME, "USER")

    body = await client.query(
        PROFILE, {"input": {"phone": "call me", "jobTitle": "x" * 101}}, as_=user
    )

    assert body["data"]["updateMyProfile"]["userErrors"] == [
        {"field": "jobTitle", "message": "At most 100 characters.", "code": "TOO_LONG"},
        {"field": "phone", "message": "Use the international format, e.g. +44 20 7946 0958.",
         "code": "INVALID_PHONE"},
    ]  # fmt: skip
    assert upstream_writes(sandbox) == NO_WRITES


async def test_notification_preferences_land_on_the_contact_and_read_back(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    user = member(client.backbone, ACME, "USER")
    change = {
        "input": {
            "preferences": [
                {"type": "INVOICE_GENERATED", "channels": ["EMAIL", "SMS"]},
                {"type": "USAGE_THRESHOLD", "channels": []},
            ]
        }
    }
    await client.query(ME, as_=user)
    sandbox.clear_requests()

    body = await client.query(PREFERENCES, change, as_=user)

    assert body["data"]["updateNotificationPreferences"]["userErrors"] == []
    shown = body["data"]["updateNotificationPreferences"]["member"]["notificationPreferences"]
    assert shown[0] == {"type": "INVOICE_GENERATED", "channels": ["EMAIL", "SMS"]}
    assert shown[3] == {"type": "USAGE_THRESHOLD", "channels": []}
    assert [p["type"] for p in shown] == TYPES
    stored = hubspot_properties(
        urls, "contacts", user.contact_id, ["portal_notification_preferences"]
    )["portal_notification_preferences"]
    document = json.loads(stored or "")
    assert document["version"] == 1
    assert document["invoice_generated"] == {"email": True, "sms": True, "in_app": False}
    assert document["usage_threshold"] == {"email": False, "sms": False, "in_app": False}
    assert upstream_writes(sandbox)["hubspot"] == [
        f"PATCH /crm/v3/objects/contacts/{user.contact_id}",
        "POST /crm/v3/objects/notes",
    ]
    assert (
        "changed their notifications (INVOICE_GENERATED: EMAIL, SMS; USAGE_THRESHOLD: off)"
        in company_notes(urls, ACME)[0]
    )
    viewer = (await client.query(ME, as_=user))["data"]["viewer"]
    assert viewer["member"]["notificationPreferences"] == shown
    # Nobody else's choices are shown, not even to a teammate.
    team = viewer["account"]["team"]["nodes"]
    assert [m["notificationPreferences"] for m in team if m["email"] != user.email] == [None] * (
        len(team) - 1
    )


async def test_sms_needs_a_phone_number(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    user = member(client.backbone, ACME, "USER")
    sms = {"input": {"preferences": [{"type": "RENEWAL_REMINDER", "channels": ["SMS"]}]}}
    await client.query(PREFERENCES, sms, as_=user)

    # With SMS on, the phone number cannot go.
    kept = await client.query(PROFILE, {"input": {"phone": ""}}, as_=user)
    assert kept["data"]["updateMyProfile"]["userErrors"] == [
        {
            "field": "phone",
            "message": "SMS notifications are on: turn them off before removing the phone number.",
            "code": "PHONE_REQUIRED",
        }
    ]
    await client.query(PREFERENCES, no_sms(), as_=user)
    removed = await client.query(PROFILE, {"input": {"phone": ""}}, as_=user)
    assert removed["data"]["updateMyProfile"]["member"]["phone"] is None
    sandbox.clear_requests()

    refused = await client.query(PREFERENCES, sms, as_=user)

    assert refused["data"]["updateNotificationPreferences"]["userErrors"] == [
        {
            "field": "preferences",
            "message": "SMS needs a phone number: add one to your profile first.",
            "code": "PHONE_REQUIRED",
        }
    ]
    assert upstream_writes(sandbox) == NO_WRITES
