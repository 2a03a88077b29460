"""API-token records in HubSpot: one contact per token, associated with the client's company.

Why a contact and not a custom object: custom objects need a HubSpot Enterprise tier and a
schema the company's admin must create first, while contacts with custom properties exist
in every portal and are what team members already are; a token contact carries no
`portal_role` and no email, so it never appears in the team and can never sign in. Its
record is visible to the company's staff on the company timeline in HubSpot, where they
can revoke it too (by setting `portal_token_revoked_at`). The secret itself is never stored:
only its SHA-256, a lookup key for a high-entropy secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connectors.http import JsonService, Unavailable, gather_aligned, parse_errors
from connectors.hubspot import BATCH_READ_LIMIT, timestamp
from connectors.paging import chunks, every

TOKEN_PROPERTIES: Mapping[str, str] = {
    "name": "portal_token_name",
    "secret_hash": "portal_token_hash",
    "expires_at": "portal_token_expires_at",
    "revoked_at": "portal_token_revoked_at",
    "created_by": "portal_token_created_by",
    "company_id": "portal_token_company_id",
}
SEARCH_PAGE_LIMIT = 100


@dataclass(frozen=True)
class TokenRecord:
    id: str  # the contact's id
    name: str
    secret_hash: str
    expires_at: datetime | None
    revoked_at: datetime | None
    created_by: str | None
    created_at: datetime
    company_id: str | None


async def create_token_record(
    http: JsonService,
    company_id: str,
    *,
    name: str,
    secret_hash: str,
    expires_at: datetime | None,
    created_by: str,
) -> TokenRecord:
    properties = {
        TOKEN_PROPERTIES["name"]: name,
        TOKEN_PROPERTIES["secret_hash"]: secret_hash,
        TOKEN_PROPERTIES["created_by"]: created_by,
        TOKEN_PROPERTIES["company_id"]: company_id,
        "lastname": f"API token: {name}",  # what HubSpot users see in lists
    }
    if expires_at is not None:
        properties[TOKEN_PROPERTIES["expires_at"]] = timestamp(expires_at)
    created = await http.request(
        "POST",
        "/crm/v3/objects/contacts",
        json_body={"properties": properties},
    )
    [record] = await token_records_by_id(http, [str(_field(http, created, "id"))])
    if record is None:
        raise Unavailable(http.name, "a created contact could not be read back")
    return record


async def token_records_by_id(http: JsonService, ids: Sequence[str]) -> list[TokenRecord | None]:
    """Aligned with `ids`; a contact that is no token record (no hash) is None."""
    numeric = list(dict.fromkeys(i for i in ids if i.isdigit()))
    path = "/crm/v3/objects/contacts/batch/read"
    body = {"properties": list(TOKEN_PROPERTIES.values()), "propertiesWithHistory": []}
    pages = await gather_aligned(
        *(
            http.request("POST", path, json_body={**body, "inputs": [{"id": i} for i in chunk]})
            for chunk in chunks(numeric, BATCH_READ_LIMIT)
        )
    )
    found: dict[str, TokenRecord] = {}
    for page in pages:
        for raw in _field(http, page, "results"):
            record = _parsed(http, raw)
            if record is not None:
                found[record.id] = record
    return [found.get(i) for i in ids]


async def token_records_of_company(http: JsonService, company_id: str) -> list[TokenRecord]:
    """Every token record naming the company, through CRM search (paged to the end)."""

    async def read(after: str | None) -> tuple[list[TokenRecord], str | None]:
        body: dict[str, Any] = {
            "filterGroups": [
                {"filters": [{"propertyName": TOKEN_PROPERTIES["company_id"],
                              "operator": "EQ", "value": company_id}]}
            ],
            "properties": list(TOKEN_PROPERTIES.values()),
            "limit": SEARCH_PAGE_LIMIT,
        }  # fmt: skip
        if after is not None:
            body["after"] = after
        page = await http.request("POST", "/crm/v3/objects/contacts/search", json_body=body)
        found = [r for r in map(lambda raw: _parsed(http, raw), _field(http, page, "results"))
                 if r is not None and r.company_id == company_id]  # fmt: skip
        with parse_errors(http.name):
            return found, ((page.get("paging") or {}).get("next") or {}).get("after")

    return await every(read)


async def revoke_token_record(http: JsonService, record_id: str, at: datetime) -> None:
    await http.request(
        "PATCH",
        f"/crm/v3/objects/contacts/{record_id}",
        json_body={"properties": {TOKEN_PROPERTIES["revoked_at"]: timestamp(at)}},
    )


def _parsed(http: JsonService, raw: Any) -> TokenRecord | None:
    with parse_errors(http.name):
        properties = raw["properties"]
        secret_hash = properties.get(TOKEN_PROPERTIES["secret_hash"])
        if not secret_hash:
            return None
        return TokenRecord(
            id=str(raw["id"]),
            name=properties.get(TOKEN_PROPERTIES["name"]) or "",
            secret_hash=secret_hash,
            expires_at=_moment(properties.get(TOKEN_PROPERTIES["expires_at"])),
            revoked_at=_moment(properties.get(TOKEN_PROPERTIES["revoked_at"])),
            created_by=properties.get(TOKEN_PROPERTIES["created_by"]),
            created_at=datetime.fromisoformat(raw["createdAt"]),
            company_id=properties.get(TOKEN_PROPERTIES["company_id"]),
        )


def _field(http: JsonService, body: Any, name: str) -> Any:
    with parse_errors(http.name):
        return body[name]


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    if value.isdigit():  # HubSpot also answers epoch milliseconds for datetime properties
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    return datetime.fromisoformat(value)
