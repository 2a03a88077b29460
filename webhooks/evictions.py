"""What each vendor event names for eviction: the cache scopes (cache/scopes.py) it changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cache import scopes

Event = Mapping[str, Any]


def of_stripe(event: Event) -> list[str]:
    kind = str(event.get("type", ""))
    data = event.get("data") or {}
    found = data.get("object") or {}
    customer = _id(found.get("customer"))
    if kind.startswith("invoice.") and found.get("id"):
        return [scopes.invoice(str(found["id"]))] + (
            [scopes.invoices(customer), scopes.upcoming_invoice(customer)] if customer else []
        )
    if kind.startswith(("customer.subscription.", "subscription_schedule.")) and customer:
        # The plan and period decide the usage and the next invoice shown too.
        return scopes.billing(customer)
    if kind.startswith("payment_method."):
        # A detached card names its former customer only in `previous_attributes`.
        before = data.get("previous_attributes") or {}
        owner = customer or _id(before.get("customer"))
        return [scopes.payment_methods(owner)] if owner else []
    if kind == "customer.updated" and found.get("id"):  # the default card may have changed
        return [scopes.payment_methods(str(found["id"]))]
    if kind.startswith(("price.", "product.")):
        return [scopes.catalogue()]
    return []


def of_hubspot(events: list[Event]) -> list[str]:
    return [scope for event in events for scope in _hubspot(event)]


def disabled_contacts(events: list[Event]) -> list[str]:
    """Contacts whose portal access was switched off (their sessions end at once)."""
    return [
        str(event["objectId"])
        for event in events
        if str(event.get("subscriptionType", "")) == "contact.propertyChange"
        and event.get("propertyName") == "portal_status"
        and event.get("propertyValue") == "DISABLED"
        and str(event.get("objectId", "")).isdigit()
    ]


def _hubspot(event: Event) -> list[str]:
    kind, _, change = str(event.get("subscriptionType", "")).partition(".")
    if change == "associationChange":
        return _association(event)
    object_id = str(event.get("objectId", ""))
    if kind == "contact" and object_id:
        return [scopes.contact(object_id), scopes.viewer(object_id), scopes.memberships(object_id)]
    if kind == "company" and object_id:
        return [scopes.company(object_id), scopes.children(object_id), scopes.parent(object_id)]
    return []


def _association(event: Event) -> list[str]:
    association = str(event.get("associationType", ""))
    source, target = str(event.get("fromObjectId", "")), str(event.get("toObjectId", ""))
    if association == "CONTACT_TO_COMPANY":
        source, target, association = target, source, "COMPANY_TO_CONTACT"
    if association == "COMPANY_TO_CONTACT":
        return [scopes.team(source), scopes.memberships(target), scopes.viewer(target)]
    if association in ("PARENT_TO_CHILD_COMPANY", "CHILD_TO_PARENT_COMPANY"):
        parent, child = (source, target) if association.startswith("PARENT") else (target, source)
        return [
            scopes.children(parent), scopes.parent(child), scopes.company(parent),
            scopes.company(child),
        ]  # fmt: skip
    return []


def of_zendesk(event: Event) -> list[str]:
    kind = str(event.get("type", "")).removeprefix("zen:event-type:").split(".")[0]
    record_id = str(event.get("subject", "")).rpartition(":")[2]
    detail = event.get("detail") or {}
    if kind == "ticket" and record_id:
        found = [scopes.ticket(record_id), scopes.comments(record_id)]
        organization = _id(detail.get("organization_id"))
        return found + ([scopes.tickets(organization)] if organization else [])
    if kind == "user" and record_id:
        return [scopes.zendesk_user(record_id)]
    return []


def _id(value: Any) -> str | None:
    """An id as events give it: a string, a number, or an expanded object."""
    if isinstance(value, Mapping):
        value = value.get("id")
    if value in (None, "", 0, "0"):
        return None
    return str(value)
