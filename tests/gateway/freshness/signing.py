"""Signs webhook requests the way each vendor documents it, written apart from both the
gateway's verifiers and the sandbox's senders, so that a test checks them against the docs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta

STRIPE_SECRET = "whsec_test_portal"
HUBSPOT_SECRET = "hubspot-client-secret"
ZENDESK_SECRET = "zendesk-signing-secret"
DRIVE_TOKEN = "drive-channel-token"


def stripe_headers(body: bytes, *, age_s: float = 0, secret: str = STRIPE_SECRET) -> dict[str, str]:
    t = int(time.time() - age_s)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={t},v1={mac}", "Content-Type": "application/json"}


def hubspot_headers(
    url: str, body: bytes, *, age_s: float = 0, secret: str = HUBSPOT_SECRET
) -> dict[str, str]:
    timestamp = str(int((time.time() - age_s) * 1000))
    source = b"POST" + url.encode() + body + timestamp.encode()
    signature = base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest())
    return {
        "X-HubSpot-Signature-v3": signature.decode(),
        "X-HubSpot-Request-Timestamp": timestamp,
        "Content-Type": "application/json",
    }


def zendesk_headers(
    body: bytes, *, age_s: float = 0, secret: str = ZENDESK_SECRET
) -> dict[str, str]:
    sent = datetime.now(UTC) - timedelta(seconds=age_s)
    timestamp = sent.strftime("%Y-%m-%dT%H:%M:%SZ")
    mac = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return {
        "X-Zendesk-Webhook-Signature": base64.b64encode(mac).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
        "Content-Type": "application/json",
    }
