"""Hostile input, table-driven: each request gets a clear 4xx or a GraphQL error, never a
500, a hang or a stack trace, and nothing an attacker types reaches an upstream as code."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, GLOBEX, company, member

TRACE_MARKERS = ("Traceback", 'File "', "site-packages", '.py"', "stacktrace")
HOSTILE_TEXT = "'; DROP TABLE companies; -- <script>alert(1)</script> \u0000 ${jndi:ldap://x}"
INVOICE_FIELDS = "nodes { id number status issuedAt amountDue { amount currency decimal } }"


@dataclass(frozen=True)
class Case:
    body: bytes
    content_type: str = "application/json"
    status: int = 200  # 200: a GraphQL error is expected instead
    code: str | None = None  # the first error's extensions.code (status 200 only)


def graphql(query: str, variables: dict[str, Any] | None = None, **more: Any) -> bytes:
    return json.dumps({"query": query, "variables": variables or {}, **more}).encode()


def global_id(type_name: str, account_id: str, upstream_id: str) -> str:
    raw = f"{type_name}:{account_id}:{upstream_id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


DEPTH_BOMB = "{ viewer { account { " + "subAccounts { " * 12 + "name" + " }" * 12 + " } } }"
ALIAS_BOMB = "{ " + " ".join(f"a{i}: __typename" for i in range(200)) + " }"
FRAGMENT_CYCLE = (
    "query { viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }"
)
TOKEN_BOMB = "{ " + "__typename " * 3000 + "}"
# Six pages of 100 invoices: each cheap alone (~900), over 5,000 together.
COSTLY = (
    "{ viewer { account { "
    + " ".join(f"i{i}: invoices(first: 100) {{ {INVOICE_FIELDS} }}" for i in range(6))
    + " } } }"
)

CASES: dict[str, Case] = {
    "depth bomb": Case(graphql(DEPTH_BOMB), code="BAD_USER_INPUT"),
    "alias bomb": Case(graphql(ALIAS_BOMB), code="BAD_USER_INPUT"),
    "fragment cycle": Case(graphql(FRAGMENT_CYCLE), code="BAD_USER_INPUT"),
    "token bomb": Case(graphql(TOKEN_BOMB), code="GRAPHQL_PARSE_FAILED"),
    "huge first": Case(
        graphql("{ viewer { account { team(first: 1000000000) { totalCount } } } }"),
        code="BAD_USER_INPUT",
    ),
    "first beyond Int": Case(
        graphql(
            "query($n: Int) { viewer { account { team(first: $n) { totalCount } } } }", {"n": 2**40}
        ),
        code="BAD_USER_INPUT",
    ),
    "cost over the limit": Case(graphql(COSTLY), code="BAD_USER_INPUT"),
    "deeply nested list literal": Case(
        graphql(
            "{ viewer { account { team(first: "
            + "[" * 900
            + "1"
            + "]" * 900
            + ") { totalCount } } } }"
        ),
        code="GRAPHQL_PARSE_FAILED",
    ),
    "deeply nested list variable": Case(
        b'{"query": "query($n: Int) { __typename }", "variables": {"n": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}}",
        status=400,
    ),
    "10 MB body": Case(graphql("{ __typename }", {"pad": "x" * 10_000_000}), status=413),
    "malformed JSON": Case(b'{"query": "{ __typename }"', status=400),
    "JSON that is not an object": Case(b'"{ __typename }"', status=400),
    "text/plain": Case(graphql("{ __typename }"), "text/plain", status=400),
    "form-encoded": Case(
        b"query=%7B__typename%7D", "application/x-www-form-urlencoded", status=400
    ),
    "multipart without uploads": Case(b"--x--\r\n", "multipart/form-data; boundary=x", status=400),
    "invalid UTF-8": Case(b'{"query": "{ __typename \xff\xfe }"}', status=400),
    "unknown operation name": Case(
        graphql("query A { __typename }", operationName="B"), status=400
    ),
    "batched operations": Case(json.dumps([{"query": "{ __typename }"}] * 50).encode(), status=400),
    "query not a string": Case(b'{"query": 5}', status=400),
    "variables not an object": Case(b'{"query": "{ __typename }", "variables": [1]}', status=400),
    "forged id (not base64 of ours)": Case(
        graphql('{ node(id: "Zm9vOmJhcg") { id } }'), code="BAD_USER_INPUT"
    ),
    "SQL and script text as an id": Case(
        graphql("query($id: ID!) { node(id: $id) { id } }", {"id": HOSTILE_TEXT}),
        code="BAD_USER_INPUT",
    ),
    "SQL and script text as a cursor": Case(
        graphql(
            "query($c: String) { viewer { account { invoices(after: $c) { totalCount } } } }",
            {"c": HOSTILE_TEXT},
        ),
        code="BAD_USER_INPUT",
    ),
    "SQL and script text as an account id": Case(
        graphql("query($id: ID!) { account(id: $id) { name } }", {"id": HOSTILE_TEXT}),
        code="BAD_USER_INPUT",
    ),
}


async def post(client: GatewayClient, case: Case, token: str) -> Any:
    headers = {"Content-Type": case.content_type, "Authorization": f"Bearer {token}"}
    # "Never a hang": far above any answer's time, so only a hang trips it.
    async with asyncio.timeout(30):
        return await client.http.post("/graphql", content=case.body, headers=headers)


@pytest.mark.parametrize("name", CASES)
async def test_hostile_input_gets_a_clear_refusal(name: str, client: GatewayClient) -> None:
    case = CASES[name]
    token = await client.token_for(member(client.backbone, ACME, "ADMIN"))

    response = await post(client, case, token)

    assert response.status_code == case.status, response.text[:500]
    assert not [m for m in TRACE_MARKERS if m in response.text], response.text[:500]
    if case.status == 200:
        body = response.json()
        assert body["errors"][0]["extensions"]["code"] == case.code, body


async def test_a_forged_id_of_another_account_is_not_found(client: GatewayClient) -> None:
    globex = company(client.backbone, GLOBEX)
    forged = global_id("Account", globex.hubspot_id, globex.hubspot_id)

    body = await client.query(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": forged},
        as_=member(client.backbone, ACME, "ADMIN"),
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]


async def test_hostile_text_in_a_search_reaches_no_upstream_as_code(client: GatewayClient) -> None:
    body = await client.query(
        "query($q: String) { viewer { account { documents(filter: {nameContains: $q})"
        " { nodes { name } } } } }",
        # Without its NUL, which is refused before any upstream call (tests/security).
        {"q": HOSTILE_TEXT.replace("\u0000", "")},
        as_=member(client.backbone, ACME, "ADMIN"),
    )

    assert body == {"data": {"viewer": {"account": {"documents": {"nodes": []}}}}}
