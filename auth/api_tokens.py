"""API tokens for BI tools: created by a client ADMIN, read-only, revocable.

A token reads `pgw_<record id>_<secret>`: the prefix makes it recognisable (to people, to
secret scanners, and to `_authenticate`, which tells it from a session); the record id
names the HubSpot contact that holds the token's record (see
`connectors.hubspot_api_tokens`), so verifying costs one read by id, no search; the secret
is 256 bits from the CSPRNG and only its SHA-256 is stored. A verified record is cached for
at most `ttl_s`, so a revocation reaches every replica within that time, and the replica
that revokes evicts it at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from auth.viewer import Credential, Role, Viewer
from cache import scopes
from cache.read_through import CacheKey, ReadThroughCache
from connectors.http import JsonService
from connectors.hubspot_api_tokens import (
    TokenRecord,
    create_token_record,
    revoke_token_record,
    token_records_by_id,
    token_records_of_company,
)

PREFIX = "pgw_"
SECRET_BYTES = 32


def looks_like_api_token(token: str) -> bool:
    return token.startswith(PREFIX)


def secret_hash(secret: str) -> str:
    # A plain hash suffices: the secret has 256 bits of entropy, nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def is_usable(record: TokenRecord, now: datetime) -> bool:
    return record.revoked_at is None and (record.expires_at is None or now < record.expires_at)


async def create_api_token(
    http: JsonService, company_id: str, name: str, expires_at: datetime | None, created_by: str
) -> tuple[str, TokenRecord]:
    """The token (to show once) and its record."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    record = await create_token_record(
        http,
        company_id,
        name=name,
        secret_hash=secret_hash(secret),
        expires_at=expires_at,
        created_by=created_by,
    )
    return f"{PREFIX}{record.id}_{secret}", record


async def api_tokens_of(http: JsonService, company_id: str) -> list[TokenRecord]:
    """The company's token records, newest first, revoked and expired ones included."""
    found = await token_records_of_company(http, company_id)
    return sorted(found, key=lambda r: (r.created_at, int(r.id)), reverse=True)


async def revoke_api_token(
    http: JsonService, cache: ReadThroughCache, company_id: str, record_id: str
) -> TokenRecord | None:
    """Revokes the company's token; None when the company has no such token."""
    owned = {r.id: r for r in await api_tokens_of(http, company_id)}
    record = owned.get(record_id)
    if record is None:
        return None
    now = datetime.now(UTC)
    if record.revoked_at is None:
        await revoke_token_record(http, record_id, now)
    await cache.invalidate(scopes.api_token(record_id))
    return TokenRecord(
        record.id, record.name, record.secret_hash, record.expires_at,
        record.revoked_at or now, record.created_by, record.created_at, record.company_id,
    )  # fmt: skip


async def verify_api_token(
    http: JsonService, cache: ReadThroughCache, token: str, ttl_s: float
) -> Viewer | None:
    """The read-only viewer a valid token stands for; None for any other token."""
    record_id, _, secret = token.removeprefix(PREFIX).partition("_")
    if not record_id.isdigit() or not secret:
        return None

    async def read() -> TokenRecord | None:
        [record] = await token_records_by_id(http, [record_id])
        return record

    record = await cache.get_or_load(CacheKey(scopes.api_token(record_id)), read, ttl_s)
    if record is None or not record.company_id or not is_usable(record, datetime.now(UTC)):
        return None
    if not hmac.compare_digest(record.secret_hash, secret_hash(secret)):
        return None
    # The token reads its own company only (no sub-accounts): READ_ONLY members see as much.
    return Viewer(record.id, "", Role.READ_ONLY, (record.company_id,), Credential.API_TOKEN)
