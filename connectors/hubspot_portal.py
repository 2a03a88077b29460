"""HubSpot reads and writes the events machinery needs: the company holding a vendor id
(CRM search on the portal's id properties), and the portal's own single-valued properties
(client webhook endpoints on the company, the notification read marker on the contact).
Kept apart from `hubspot.py` so that company reads do not carry endpoint secrets around."""

from __future__ import annotations

from typing import Any

from connectors.http import JsonService

WEBHOOK_ENDPOINTS_PROPERTY = "portal_webhook_endpoints"
NOTIFICATIONS_READ_PROPERTY = "portal_notifications_read_at"
_SEARCHABLE = ("stripe_customer_id", "zendesk_organization_id", "drive_folder_id")


async def company_ids_where(http: JsonService, property_name: str, value: str) -> list[str]:
    """The companies whose id property (e.g. `stripe_customer_id`) holds `value`."""
    if property_name not in _SEARCHABLE:
        raise ValueError(f"{property_name} is not an id property of the portal")
    body = {
        "filterGroups": [
            {"filters": [{"propertyName": property_name, "operator": "EQ", "value": value}]}
        ],
        "properties": [property_name],
        "limit": 10,
    }
    page = await http.request("POST", "/crm/v3/objects/companies/search", json_body=body)
    results: list[dict[str, Any]] = page.get("results") or []
    # Search matches case-insensitively; ids are exact.
    return [
        str(r["id"]) for r in results if (r.get("properties") or {}).get(property_name) == value
    ]


async def read_property(
    http: JsonService, object_type: str, object_id: str, name: str
) -> str | None:
    """One property of one object (None when empty); NotFound if there is no such object."""
    record = await http.request(
        "GET", f"/crm/v3/objects/{object_type}/{object_id}", params={"properties": name}
    )
    value = (record.get("properties") or {}).get(name)
    return str(value) if value not in (None, "") else None


async def write_property(
    http: JsonService, object_type: str, object_id: str, name: str, value: str
) -> None:
    await http.request(
        "PATCH",
        f"/crm/v3/objects/{object_type}/{object_id}",
        json_body={"properties": {name: value}},
    )
