"""Signed, expiring tokens: HMAC-SHA256 over a JSON payload, bound to a purpose.

A token signed for one purpose ("session", "cursor", "download") never verifies for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any


class BadSignature(Exception):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self, secret_key: str, purpose: str) -> None:
        self._key = hashlib.sha256(f"{purpose}\0{secret_key}".encode()).digest()

    def sign(self, payload: dict[str, Any]) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self._mac(body)}"

    def unsign(self, token: str) -> dict[str, Any]:
        body, _, mac = token.partition(".")
        if not body or not hmac.compare_digest(mac, self._mac(body)):
            raise BadSignature("signature does not match")
        try:
            payload = json.loads(_unb64(body))
        except ValueError as exc:
            raise BadSignature("payload is not valid") from exc
        if not isinstance(payload, dict):
            raise BadSignature("payload is not an object")
        expires = payload.get("exp")
        if isinstance(expires, int | float) and expires < time.time():
            raise BadSignature("token has expired")
        return payload

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
