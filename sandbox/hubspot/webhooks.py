"""HubSpot's webhook requests for the sandbox's changes: a JSON array of events (at most 100
a request), signed as v3: `X-HubSpot-Signature-v3` = base64 HMAC-SHA256, under the app's
client secret, of method + URL + body + `X-HubSpot-Request-Timestamp` (milliseconds), as HubSpot's
"Validating requests" reference describes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Sequence
from typing import Any

from sandbox.hubspot.state import Change, State
from sandbox.webhooks import Delivery, Target

PORTAL_ID = 62515
APP_ID = 54321
BATCH = 100
# The association types HubSpot names in associationChange events, by (from, to) object.
_ASSOCIATION_TYPES = {
    ("company", "contacts"): "COMPANY_TO_CONTACT",
    ("contact", "companies"): "CONTACT_TO_COMPANY",
    ("company", "companies"): "PARENT_TO_CHILD_COMPANY",
}


def render(state: State, changes: Sequence[Change], target: Target | None) -> list[Delivery]:
    if target is None:
        return []
    events = [_event(change) for change in changes]
    return [_delivery(target, events[i : i + BATCH]) for i in range(0, len(events), BATCH)]


def _event(change: Change) -> dict[str, Any]:
    event: dict[str, Any] = {
        "eventId": secrets.randbelow(10**9),
        "subscriptionId": 1,
        "portalId": PORTAL_ID,
        "appId": APP_ID,
        "occurredAt": int(change.occurred_at.timestamp() * 1000),
        "subscriptionType": change.subscription_type,
        "attemptNumber": 0,
        "changeSource": "CRM_UI",
    }
    kind = change.subscription_type.split(".")[0]
    if change.subscription_type.endswith(".associationChange"):
        association = _ASSOCIATION_TYPES.get((kind, change.property_name or ""), "")
        event |= {
            "fromObjectId": int(change.object_id),
            "toObjectId": int(change.property_value or 0),
            "associationType": association,
            "associationRemoved": False,
        }
    else:
        event["objectId"] = int(change.object_id)
        if change.property_name is not None:
            event |= {"propertyName": change.property_name, "propertyValue": change.property_value}
    return event


def _delivery(target: Target, events: list[dict[str, Any]]) -> Delivery:
    body = json.dumps(events).encode()
    timestamp = str(int(time.time() * 1000))
    headers = {
        "Content-Type": "application/json",
        "X-HubSpot-Signature-v3": sign(target.secret, "POST", target.url, body, timestamp),
        "X-HubSpot-Request-Timestamp": timestamp,
    }
    names = ", ".join(
        f"{e['subscriptionType']} {e.get('objectId', e.get('fromObjectId'))}" for e in events
    )
    return Delivery(names, target.url, headers, body)


def sign(secret: str, method: str, url: str, body: bytes, timestamp: str) -> str:
    source = method.encode() + url.encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest()).decode()
