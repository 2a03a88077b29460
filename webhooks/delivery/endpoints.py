"""Clients' webhook endpoints: a JSON list on the HubSpot company (no local store), each
signing secret encrypted with a key derived from the gateway's secret (Fernet).

After a rotation the secret it replaced keeps signing beside the new one for a while
(Standard Webhooks allows several signatures in `webhook-signature`), so that a client
can switch its receiver to the new secret without a delivery failing in between."""

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
    previous_secret: str | None = None  # sealed; signs too until `previous_secret_until`
    previous_secret_until: float | None = None  # Unix time

    def wants(self, event_type: str) -> bool:
        return self.enabled and event_type in self.events

    def previous_secret_signs_until(self, now: float) -> float | None:
        """Until when the secret before the last rotation signs too; None: it no longer does."""
        until = self.previous_secret_until
        return until if self.previous_secret and until is not None and now < until else None

    def signing_secrets(self, now: float) -> tuple[str, ...]:
        """The sealed secrets that sign a delivery made at `now`, the current one first."""
        if self.previous_secret and self.previous_secret_signs_until(now) is not None:
            return (self.encrypted_secret, self.previous_secret)
        return (self.encrypted_secret,)


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
    return json.dumps([_stored(e) for e in endpoints], sort_keys=True)


def _stored(endpoint: Endpoint) -> dict[str, object]:
    # The previous secret's keys only while there is one: a portal from before rotation
    # kept the old secret skips a record with keys it does not know (see `parse`).
    fields = asdict(endpoint)
    if endpoint.previous_secret is None:
        del fields["previous_secret"], fields["previous_secret_until"]
    return fields


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


def rotated(endpoint: Endpoint, sealed_secret: str, *, now: float, overlap_s: float) -> Endpoint:
    """A new secret; the one it replaces signs too for `overlap_s`. Only two ever sign: a
    secret older than the replaced one (a second rotation within the overlap) stops now."""
    kept = endpoint.encrypted_secret if overlap_s > 0 else None
    return replace(
        endpoint,
        encrypted_secret=sealed_secret,
        previous_secret=kept,
        previous_secret_until=now + overlap_s if kept else None,
    )


def without_expired_secret(endpoint: Endpoint, now: float) -> Endpoint:
    """The endpoint without a previous secret that no longer signs (none kept past its use)."""
    if endpoint.previous_secret is None or endpoint.previous_secret_signs_until(now) is not None:
        return endpoint
    return replace(endpoint, previous_secret=None, previous_secret_until=None)
