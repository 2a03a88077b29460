"""Is a webhook request from the vendor, and fresh? Each check raises `Refused` or returns.

401: the request does not prove it comes from the vendor (no or wrong signature).
400: it is signed but unacceptable: missing headers, a timestamp outside the window (past
or future), or a replay. Nothing is done for a refused request.

Each check returns the request's nonce: a digest of exactly what the signature covers
(timestamp and body, and for HubSpot method and URL), never the signature header itself,
which a sender can vary (Stripe's lists several schemes) without changing what it signs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import unquote

import stripe


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def stripe_signature(body: bytes, headers: Mapping[str, str], secret: str, window_s: float) -> str:
    """Checks `Stripe-Signature` with the SDK's verifier (which refuses old timestamps;
    future ones are refused here)."""
    header = _required(headers, "Stripe-Signature")
    try:
        stripe.WebhookSignature.verify_header(body, header, secret, tolerance=window_s)
    except stripe.SignatureVerificationError as exc:
        if "tolerance" in str(exc):
            raise Refused(400, "timestamp outside the tolerance zone") from exc
        raise Refused(401, "signature does not match") from exc
    # Verified, so `t=` is there and a number (the SDK refuses the header otherwise).
    timestamp = next(p[2:] for p in header.split(",") if p.startswith("t="))
    _within(int(timestamp), window_s)
    return _nonce(timestamp.encode() + b"." + body)


def hubspot_signature(
    method: str, url: str, body: bytes, headers: Mapping[str, str], secret: str, window_s: float
) -> str:
    """Checks `X-HubSpot-Signature-v3`: base64 HMAC-SHA256 of method, URL, body, timestamp."""
    signature = _required(headers, "X-HubSpot-Signature-v3")
    timestamp = _required(headers, "X-HubSpot-Request-Timestamp")
    source = method.encode() + unquote(url).encode() + body + timestamp.encode()
    expected = base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature.encode()):
        raise Refused(401, "signature does not match")
    if not timestamp.isdigit():
        raise Refused(400, "X-HubSpot-Request-Timestamp is not a number")
    _within(int(timestamp) / 1000, window_s)
    return _nonce(source)


def zendesk_signature(body: bytes, headers: Mapping[str, str], secret: str, window_s: float) -> str:
    """Checks `X-Zendesk-Webhook-Signature`: base64 HMAC-SHA256 of timestamp + body."""
    signature = _required(headers, "X-Zendesk-Webhook-Signature")
    timestamp = _required(headers, "X-Zendesk-Webhook-Signature-Timestamp")
    mac = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    if not hmac.compare_digest(base64.b64encode(mac), signature.encode()):
        raise Refused(401, "signature does not match")
    try:
        sent_at = datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise Refused(400, "X-Zendesk-Webhook-Signature-Timestamp is not ISO 8601") from exc
    _within(sent_at, window_s)
    return _nonce(timestamp.encode() + body)


def _required(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if not value:
        raise Refused(400, f"{name} is missing")
    return value


def _nonce(signed: bytes) -> str:
    return hashlib.sha256(signed).hexdigest()


def _within(sent_at: float, window_s: float) -> None:
    if abs(time.time() - sent_at) > window_s:
        raise Refused(400, "timestamp outside the tolerance zone")
