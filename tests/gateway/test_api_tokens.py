"""API tokens for BI tools: lifecycle, who may manage them, what they may read and do."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest

from app import create_app
from config import SANDBOX_CREDENTIALS, Settings
from sandbox.accounts import Person
from sandbox.control import SandboxControl
from schema.extensions.read_only import READ_ONLY_MESSAGE
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, GLOBEX, member

TOKEN_TTL_S = 0.4
CREATE = """
mutation Create($name: String!, $expiresAt: DateTime) {
  createApiToken(name: $name, expiresAt: $expiresAt) {
    secret apiToken { id name expiresAt revokedAt active }
  }
}
"""
REVOKE = "mutation Revoke($id: ID!) { revokeApiToken(id: $id) { apiToken { id active } } }"
TOKENS = "{ viewer { account { apiTokens { id name active revokedAt } } } }"
INVOICES = """
query Invoices($after: String) {
  viewer { account { name invoices(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } nodes { id number }
  } } }
}
"""
FORBIDDEN_TO_MANAGE = "Only an ADMIN of the account, signed in, manages its API tokens."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, api_token_ttl_s=TOKEN_TTL_S)


async def create_token(client: GatewayClient, admin: Person, name: str = "Power BI") -> str:
    body = await client.query(CREATE, {"name": name}, as_=admin)
    assert "errors" not in body, body
    secret: str = body["data"]["createApiToken"]["secret"]
    return secret


async def graphql(http: httpx.AsyncClient, token: str, query: str, **variables: Any) -> Any:
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return response.json()


@asynccontextmanager
async def replica(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Another gateway process in all but name: its own caches, the same upstreams."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            yield http


async def test_an_admin_creates_a_token_that_reads_and_is_listed(
    client: GatewayClient, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")

    body = await client.query(
        CREATE, {"name": "Power BI", "expiresAt": "2099-01-01T00:00:00Z"}, as_=admin
    )

    created = body["data"]["createApiToken"]
    secret = created["secret"]
    assert created["apiToken"] == {
        "id": created["apiToken"]["id"],
        "name": "Power BI",
        "expiresAt": "2099-01-01T00:00:00+00:00",
        "revokedAt": None,
        "active": True,
    }
    prefix, record_id, key = secret.split("_", 2)
    assert (prefix, record_id) == ("pgw", created["apiToken"]["id"])
    assert len(key) >= 43  # 32 random bytes, base64url: 256 bits
    # HubSpot holds the hash, never the secret.
    async with httpx.AsyncClient() as hubspot:
        response = await hubspot.get(
            f"{urls['hubspot']}/crm/v3/objects/contacts/{record_id}",
            params={"properties": "portal_token_hash,email"},
            headers={"Authorization": f"Bearer {SANDBOX_CREDENTIALS['HUBSPOT_ACCESS_TOKEN']}"},
        )
    stored = response.json()
    assert stored["properties"]["portal_token_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert secret not in str(stored)
    assert stored["properties"]["email"] is None

    read = await graphql(client.http, secret, "{ viewer { account { name } } }")
    assert read == {"data": {"viewer": {"account": {"name": "Acme Holdings"}}}}
    listed = await client.query(TOKENS, as_=admin)
    assert listed["data"]["viewer"]["account"]["apiTokens"] == [
        {"id": record_id, "name": "Power BI", "active": True, "revokedAt": None}
    ]


async def test_a_token_contact_is_no_team_member(client: GatewayClient) -> None:
    admin = member(client.backbone, GLOBEX, "ADMIN")
    await create_token(client, admin)

    body = await client.query(
        "{ viewer { account { team(first: 100) { totalCount nodes { email } } } } }", as_=admin
    )

    team = body["data"]["viewer"]["account"]["team"]
    assert None not in [n["email"] for n in team["nodes"]]
    assert (len(team["nodes"]), team["totalCount"]) == (5, 5)


async def test_revocation_takes_effect_here_at_once_and_on_other_replicas_within_the_ttl(
    client: GatewayClient, settings: Settings
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    secret = await create_token(client, admin)
    me = "{ viewer { account { name } } }"
    async with replica(settings) as other:
        assert "errors" not in await graphql(other, secret, me)  # now cached over there
        record_id = secret.split("_")[1]

        revoked = await client.query(REVOKE, {"id": record_id}, as_=admin)

        assert revoked["data"]["revokeApiToken"]["apiToken"] == {"id": record_id, "active": False}
        here = await client.http.get(
            "/export/invoices.csv", headers={"Authorization": f"Bearer {secret}"}
        )
        assert here.status_code == 401
        assert (await graphql(client.http, secret, me))["errors"][0]["extensions"] == {
            "code": "UNAUTHENTICATED"
        }
        await asyncio.sleep(TOKEN_TTL_S + 0.1)
        there = await other.get(
            "/export/invoices.csv", headers={"Authorization": f"Bearer {secret}"}
        )
        assert there.status_code == 401
        assert there.json()["error"] == "UNAUTHENTICATED"
    listed = await client.query(TOKENS, as_=admin)
    [token] = listed["data"]["viewer"]["account"]["apiTokens"]
    assert token["active"] is False and token["revokedAt"] is not None


async def test_only_a_signed_in_admin_manages_tokens(client: GatewayClient) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    secret = await create_token(client, admin)
    for role in ("USER", "READ_ONLY"):
        person = member(client.backbone, ACME, role)
        body = await client.query(CREATE, {"name": "mine"}, as_=person)
        assert body["errors"][0]["message"] == FORBIDDEN_TO_MANAGE
        assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
        listed = await client.query(TOKENS, as_=person)
        assert listed["data"]["viewer"]["account"]["apiTokens"] is None
        assert listed["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    # A token cannot list tokens either (a read, so not refused as a mutation).
    listed = await graphql(client.http, secret, TOKENS)
    assert listed["data"]["viewer"]["account"]["apiTokens"] is None
    assert listed["errors"][0]["message"] == FORBIDDEN_TO_MANAGE


async def test_mutations_with_a_token_are_forbidden(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    secret = await create_token(client, admin)
    record_id = secret.split("_")[1]
    sandbox.clear_requests()

    body = await graphql(client.http, secret, REVOKE, id=record_id)

    assert body == {
        "data": None,
        "errors": [{"message": READ_ONLY_MESSAGE, "extensions": {"code": "FORBIDDEN"}}],
    }
    # Refused before anything was read or written, beyond verifying the token.
    assert sandbox.calls_by_path("hubspot") == {"POST /crm/v3/objects/contacts/batch/read": 1}
    assert sandbox.call_counts()["stripe"] == 0


async def test_a_token_of_one_account_reads_nothing_of_another(client: GatewayClient) -> None:
    acme_secret = await create_token(client, member(client.backbone, ACME, "ADMIN"))
    globex_admin = member(client.backbone, GLOBEX, "ADMIN")
    globex = await client.query(INVOICES, as_=globex_admin)
    globex_account = await client.query("{ viewer { account { id } } }", as_=globex_admin)
    globex_invoice = globex["data"]["viewer"]["account"]["invoices"]["nodes"][0]["id"]
    globex_id = globex_account["data"]["viewer"]["account"]["id"]

    by_node = await graphql(client.http, acme_secret, "query($id: ID!) { node(id: $id) { id } }",
                            id=globex_invoice)  # fmt: skip
    by_account = await graphql(
        client.http, acme_secret, "query($id: ID!) { account(id: $id) { name } }", id=globex_id
    )
    export = await client.http.get(
        "/export/invoices.ndjson",
        params={"account": globex_id},
        headers={"Authorization": f"Bearer {acme_secret}"},
    )

    assert by_node["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert by_account["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert export.status_code == 404
    own = await client.http.get(
        "/export/invoices.ndjson", headers={"Authorization": f"Bearer {acme_secret}"}
    )
    assert own.status_code == 200
    assert all('"account_id":"1001"' in line for line in own.text.splitlines())


async def test_a_token_pages_through_all_invoices_with_cursors(client: GatewayClient) -> None:
    secret = await create_token(client, member(client.backbone, GLOBEX, "ADMIN"))
    ids: list[str] = []
    after = None
    while True:
        body = await graphql(client.http, secret, INVOICES, after=after)
        page = body["data"]["viewer"]["account"]["invoices"]
        ids += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert len(ids) == len(set(ids)) == client.backbone.company(GLOBEX).invoice_count


@pytest.mark.parametrize(
    "token",
    ["pgw_", "pgw_123", "pgw_abc_secret", "pgw_999999_secret", "not-a-token"],
)
async def test_malformed_or_unknown_tokens_are_refused(client: GatewayClient, token: str) -> None:
    response = await client.http.get(
        "/export/team.csv", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401


async def test_a_token_with_a_wrong_secret_or_expired_is_refused(client: GatewayClient) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    secret = await create_token(client, admin)
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    response = await client.http.get(
        "/export/team.csv", headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401

    past = await client.query(CREATE, {"name": "x", "expiresAt": "2001-01-01T00:00:00Z"}, as_=admin)
    assert past["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "expiresAt"}
