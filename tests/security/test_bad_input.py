"""Defects 9 and 10 (GraphQL input): a 4,401-digit integer answered 500 with a traceback in
the log; a lone surrogate in a profile field reached HubSpot, after which that contact read
as 500 and its account's team export as 503. Both are now refused as the client's mistake,
before any upstream call."""

from __future__ import annotations

import json

import pytest

from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member

HUGE = "9" * 4401
VIEWER_READS = {"POST /crm/v3/objects/contacts/batch/read",
                "POST /crm/v4/associations/contacts/companies/batch/read"}  # fmt: skip
TEAM = "query($n: Int) { viewer { account { team(first: $n) { totalCount } } } }"
PROFILE = """mutation($title: String) { updateMyProfile(input: {jobTitle: $title}) {
  userErrors { field message code } } }"""


async def test_a_huge_integer_variable_is_a_400(client: GatewayClient) -> None:
    body = '{"query": "%s", "variables": {"n": %s}}' % (TEAM, HUGE)  # noqa: UP031

    response = await client.http.post(
        "/graphql", content=body.encode(), headers={"Content-Type": "application/json"}
    )

    assert (response.status_code, response.text) == (
        400,
        "Request body has a number too long to read.",
    )


async def test_a_huge_integer_literal_is_bad_user_input(client: GatewayClient) -> None:
    query = "{ viewer { account { team(first: %s) { totalCount } } } }" % HUGE  # noqa: UP031
    user = member(client.backbone, ACME, "USER")

    body = await client.query(query, as_=user)

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    "title", ["\udc00 lone low surrogate", "high \ud83d alone", "nul\u0000inside"],
    ids=["low surrogate", "high surrogate", "NUL"],
)  # fmt: skip
async def test_malformed_text_is_refused_before_any_upstream_call(
    client: GatewayClient, sandbox: SandboxControl, title: str
) -> None:
    user = member(client.backbone, ACME, "USER")
    token = await client.token_for(user)
    sandbox.clear_requests()
    # json.dumps writes a lone surrogate as the escape `\\udc00`, as a hostile client would.
    payload = json.dumps({"query": PROFILE, "variables": {"title": title}})

    response = await client.http.post(
        "/graphql",
        content=payload.encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )

    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "Variable `title` is not well-formed text (a NUL or a lone surrogate).",
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ],
    }
    # Only the viewer was read (to authenticate); nothing was sent to be written.
    assert set(sandbox.calls_by_path("hubspot")) <= VIEWER_READS
    assert sum(sandbox.call_counts().values()) == len(sandbox.calls_by_path("hubspot"))


async def test_a_lone_surrogate_in_an_email_is_refused_before_hubspot_is_asked(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    sandbox.clear_requests()
    payload = json.dumps({"email": "x\udc00@acme.example"}).encode()

    response = await client.http.post(
        "/auth/magic-link", content=payload, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert sandbox.call_counts()["hubspot"] == 0
