"""Vendor-side changes, as a CSM would make them in HubSpot's UI (see the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from sandbox.hubspot.catalog import COMPANIES, CONTACTS
from sandbox.hubspot.errors import HubSpotError, json_response
from sandbox.hubspot.inputs import json_object
from sandbox.hubspot.objects_api import state_of
from sandbox.hubspot.properties import clean_properties
from sandbox.hubspot.records import object_json, timestamp


def add_routes(app: web.Application) -> None:
    app.router.add_post("/_sandbox/contacts/{objectId}/portal", change_portal_access)
    app.router.add_post("/_sandbox/companies/{objectId}", change_company)
    app.router.add_get("/_sandbox/changes", list_changes)


async def change_portal_access(request: web.Request) -> web.Response:
    body = await json_object(request)
    wanted = {"role": "portal_role", "status": "portal_status"}
    unknown = set(body) - set(wanted)
    if unknown or not body:
        raise HubSpotError(400, 'Send {"role": ..., "status": ...} (either or both)')
    properties = clean_properties(CONTACTS, {wanted[k]: v for k, v in body.items()}, nulls=True)
    state = state_of(request)
    record = state.update(CONTACTS, request.match_info["objectId"], properties)
    names = ["email", "portal_role", "portal_status"]
    return json_response(object_json(record, CONTACTS, names))


async def change_company(request: web.Request) -> web.Response:
    body = await json_object(request)
    raw = body["properties"] if isinstance(body.get("properties"), Mapping) else body
    properties = clean_properties(COMPANIES, raw, nulls=True)
    record = state_of(request).update(COMPANIES, request.match_info["objectId"], properties)
    return json_response(object_json(record, COMPANIES, list(COMPANIES.properties)))


async def list_changes(request: web.Request) -> web.Response:
    changes: list[dict[str, Any]] = [
        {
            "subscriptionType": c.subscription_type,
            "objectId": c.object_id,
            "occurredAt": timestamp(c.occurred_at),
            "propertyName": c.property_name,
            "propertyValue": c.property_value,
        }
        for c in state_of(request).changes
    ]
    return json_response(changes)
