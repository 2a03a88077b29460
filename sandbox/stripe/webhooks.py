"""Stripe's webhook events for the sandbox's changes: an `event` object per change, POSTed
with `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body" under the endpoint
secret>`, as Stripe's webhook signature reference describes."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Sequence

from sandbox.stripe.api import API_VERSION
from sandbox.stripe.state import Change, StripeState
from sandbox.webhooks import Delivery, Target

# Changes Stripe has no webhook event for (meter events are reported through summaries).
_SILENT = ("billing.meter_event.created",)


def render(state: StripeState, changes: Sequence[Change], target: Target | None) -> list[Delivery]:
    if target is None:
        return []
    deliveries = []
    for change in changes:
        found = state.lookup(change.object_id)
        if change.kind in _SILENT or found is None:
            continue
        event = {
            "id": "evt_" + secrets.token_hex(12),
            "object": "event",
            "api_version": API_VERSION,
            "created": change.at,
            "data": {"object": found},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": change.kind,
        }
        body = json.dumps(event).encode()
        deliveries.append(
            Delivery(
                f"{change.kind} {change.object_id}",
                target.url,
                {"Content-Type": "application/json", "Stripe-Signature": sign(target.secret, body)},
                body,
            )
        )
    return deliveries


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"
