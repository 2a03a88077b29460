"""Persisted queries: APQ registration, a miss, a hash mismatch; trusted documents only for
browser sessions when switched on (API tokens keep arbitrary queries), over GET/POST and
GraphQL over SSE (graphql-transport-ws: tests/events/test_subscriptions.py); GET with an
ETag that revalidates to 304."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from auth.sessions import SESSION_COOKIE
from config import Settings
from sandbox.accounts import Person
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member
from tests.gateway.test_api_tokens import create_token

TRUSTED = "query PortalAccountName { viewer { account { name } } }"
OTHER = "{ viewer { account { name phone } } }"


def _sha(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def _persisted(sha: str, query: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}}}
    if query is not None:
        body["query"] = query
    return body


@pytest.fixture
def manifest(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "trusted-documents.json"
    path.write_text(json.dumps({_sha(TRUSTED): TRUSTED}))
    yield path


@pytest.fixture
def settings(settings: Settings, manifest: Path) -> Settings:
    # As in production: browser sessions may send only the trusted documents.
    return replace(settings, trusted_documents_file=manifest, trusted_documents_only=True)


async def _post(client: GatewayClient, person: Person, body: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {await client.token_for(person)}"}
    response = await client.http.post("/graphql", json=body, headers=headers)
    result: dict[str, Any] = response.json()
    return result


def _code(body: dict[str, Any]) -> str:
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def test_a_hash_is_registered_once_then_enough(client: GatewayClient) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    sha = _sha(OTHER)

    unknown = await _post(client, admin, _persisted(sha))
    registered = await _post(client, admin, _persisted(sha, OTHER))
    by_hash = await _post(client, admin, _persisted(sha))

    assert unknown["errors"][0]["message"] == "PersistedQueryNotFound"
    assert _code(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    assert registered["data"]["viewer"]["account"]["name"] == "Acme Holdings"
    assert by_hash == registered


async def test_a_document_that_does_not_match_its_hash_is_refused_and_not_kept(
    client: GatewayClient,
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    sha = _sha(OTHER)
    mismatch = await _post(client, admin, _persisted(sha, "{ __typename }"))
    assert _code(mismatch) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert _code(await _post(client, admin, _persisted(sha))) == "PERSISTED_QUERY_NOT_FOUND"
    malformed = await _post(client, admin, _persisted("not-a-hash", OTHER))
    assert _code(malformed) == "PERSISTED_QUERY_INVALID"


async def test_browser_sessions_send_only_trusted_documents(client: GatewayClient) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    client.http.cookies.set(SESSION_COOKIE, await client.token_for(admin))

    async def as_browser(body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = (await client.http.post("/graphql", json=body)).json()
        return result

    refused = await as_browser({"query": OTHER})
    # Signed in by the cookie all the same: another scheme beside it changes nothing.
    beside = await client.http.post(
        "/graphql", json={"query": OTHER}, headers={"Authorization": "x"}
    )
    trusted_by_hash = await as_browser(_persisted(_sha(TRUSTED)))
    trusted_in_full = await as_browser({"query": TRUSTED})
    client.http.cookies.clear()
    token = await create_token(client, admin)  # a bearer session: any document
    bi_tool = await client.http.post(
        "/graphql", json={"query": OTHER}, headers={"Authorization": f"Bearer {token}"}
    )

    assert _code(refused) == _code(beside.json()) == "TRUSTED_DOCUMENT_REQUIRED"
    assert trusted_by_hash["data"]["viewer"]["account"]["name"] == "Acme Holdings"
    assert trusted_in_full == trusted_by_hash
    assert "errors" not in bi_tool.json()


async def test_browser_sessions_stream_only_trusted_documents_over_sse(
    client: GatewayClient,
) -> None:
    """Asking for `text/event-stream` is no way around the manifest."""
    admin = member(client.backbone, ACME, "ADMIN")
    client.http.cookies.set(SESSION_COOKIE, await client.token_for(admin))
    stream = {"Accept": "text/event-stream"}
    refused = await client.http.post("/graphql", json={"query": OTHER}, headers=stream)
    trusted = await client.http.post("/graphql", json={"query": TRUSTED}, headers=stream)
    client.http.cookies.clear()

    assert _code(refused.json()) == "TRUSTED_DOCUMENT_REQUIRED"
    assert trusted.headers["content-type"].startswith("text/event-stream")
    assert '"name":"Acme Holdings"' in trusted.text


async def test_a_get_revalidates_to_304_until_the_answer_changes(client: GatewayClient) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    await _post(client, admin, _persisted(_sha(OTHER), OTHER))
    params = {
        "extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": _sha(OTHER)}})
    }
    headers = {"Authorization": f"Bearer {await client.token_for(admin)}"}

    first = await client.http.get("/graphql", params=params, headers=headers)
    etag = first.headers["etag"]
    again = await client.http.get(
        "/graphql", params=params, headers={**headers, "If-None-Match": etag}
    )
    await client.query(
        'mutation { updateAccountDetails(input: {accountId: "%s", phone: "+44 20 7946 0000"})'
        " { userErrors { code } } }" % (await _account_id(client, admin)),
        as_=admin,
    )
    changed = await client.http.get(
        "/graphql", params=params, headers={**headers, "If-None-Match": etag}
    )

    assert first.status_code == 200
    assert first.headers["cache-control"] == "private, max-age=0, must-revalidate"
    assert (again.status_code, again.content) == (304, b"")
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["data"]["viewer"]["account"]["phone"] == "+442079460000"


async def _account_id(client: GatewayClient, admin: Person) -> str:
    body = await client.query("{ viewer { account { id } } }", as_=admin)
    account_id: str = body["data"]["viewer"]["account"]["id"]
    return account_id
