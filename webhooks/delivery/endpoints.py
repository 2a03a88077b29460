"""Clients' webhook endpoints: a JSON list on the HubSpot company (no local store), each
signing secret encrypted with a key derived from the gateway's secret (Fernet)."""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import asdict, dataclass, replace

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from connectors import hubspot_portal
from connectors.http import JsonService

MAX_ENDPOINTS = 10


@dataclass(frozen=True)
class Endpoint:
    id: str
    url: str
    events: tuple[str, ...]
    enabled: bool
    encrypted_secret: str
    created_at: float
    disabled_reason: str | None = None

    def wants(self, event_type: str) -> bool:
        return self.enabled and event_type in self.events


class SecretBox:
    """Encrypts endpoint secrets for storage in HubSpot (Fernet: AES-CBC + HMAC)."""

    def __init__(self, gateway_secret: str) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal webhook secrets"
        ).derive(gateway_secret.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("the secret was sealed with another gateway key") from exc


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def new_endpoint(url: str, events: list[str], sealed_secret: str) -> Endpoint:
    return Endpoint(
        id="we_" + secrets.token_hex(8),
        url=url,
        events=tuple(dict.fromkeys(events)),
        enabled=True,
        encrypted_secret=sealed_secret,
        created_at=time.time(),
    )


def parse(raw: str | None) -> list[Endpoint]:
    try:
        found = json.loads(raw) if raw else []
    except ValueError:
        return []
    endpoints = []
    for item in found if isinstance(found, list) else []:
        try:
            endpoints.append(Endpoint(**(item | {"events": tuple(item["events"])})))
        except (TypeError, KeyError):
            continue  # written by a newer portal, or by hand: skip rather than fail all
    return endpoints


def serialize(endpoints: list[Endpoint]) -> str:
    return json.dumps([asdict(e) for e in endpoints], sort_keys=True)


async def endpoints_of(http: JsonService, company_id: str) -> list[Endpoint]:
    raw = await hubspot_portal.read_property(
        http, "companies", company_id, hubspot_portal.WEBHOOK_ENDPOINTS_PROPERTY
    )
    return parse(raw)


async def save(http: JsonService, company_id: str, endpoints: list[Endpoint]) -> None:
    await hubspot_portal.write_property(
        http, "companies", company_id, hubspot_portal.WEBHOOK_ENDPOINTS_PROPERTY,
        serialize(endpoints),
    )  # fmt: skip


def disabled(endpoint: Endpoint, reason: str) -> Endpoint:
    return replace(endpoint, enabled=False, disabled_reason=reason)
