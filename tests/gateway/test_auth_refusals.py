"""Every way a request can fail to authenticate has its own reason and message, and none
tells whether an email is known; role refusals read as English ("ask an ADMIN")."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member
from tests.gateway.upstream_state import hubspot_patch

ME = "{ viewer { member { name } } }"
CREATE = 'mutation { createApiToken(name: "BI") { secret apiToken { id } } }'
REVOKE = "mutation Revoke($id: ID!) { revokeApiToken(id: $id) { apiToken { id } } }"
SIGN_IN = "Sign in first: send the session cookie or an `Authorization: Bearer` token."
MALFORMED = (
    "The credentials sent are not a portal session or API token: send "
    "`Authorization: Bearer <token>` with the token exactly as it was given."
)
SESSION_OVER = "Your session has expired or has ended: sign in again."
ASK_FOR_A_TOKEN = ": ask an ADMIN of your account for a new one."


async def refusal(client: GatewayClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.http.post("/graphql", json={"query": ME}, headers=headers)
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    return {"message": error["message"], **error["extensions"]}


def refused(reason: str, message: str) -> dict[str, Any]:
    return {"code": "UNAUTHENTICATED", "reason": reason, "message": message}


@pytest.mark.parametrize(
    ("headers", "reason", "message"),
    [
        ({}, "MISSING_CREDENTIALS", SIGN_IN),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "MALFORMED_CREDENTIALS", MALFORMED),
        ({"Authorization": "Bearer"}, "MALFORMED_CREDENTIALS", MALFORMED),
        ({"Authorization": "Bearer not a token"}, "MALFORMED_CREDENTIALS", MALFORMED),
        ({"Authorization": "Bearer pgw_x_secret"}, "MALFORMED_CREDENTIALS", MALFORMED),
        ({"Authorization": "Bearer forged.token"}, "SESSION_EXPIRED", SESSION_OVER),
        (
            {"Authorization": "Bearer pgw_999999999_" + "A" * 43},
            "API_TOKEN_INVALID",
            "This API token is not valid: check that it was copied whole.",
        ),
    ],
    ids=["missing", "other-scheme", "empty-bearer", "garbage", "bad-api-token", "unknown",
         "unknown-api-token"],
)  # fmt: skip
async def test_each_bad_credential_has_its_own_reason(
    client: GatewayClient, headers: dict[str, str], reason: str, message: str
) -> None:
    assert await refusal(client, headers) == refused(reason, message)


async def test_a_logged_out_session_is_over(client: GatewayClient) -> None:
    headers = {
        "Authorization": f"Bearer {await client.token_for(member(client.backbone, ACME, 'USER'))}"
    }
    await client.http.post("/auth/logout", headers=headers)

    assert await refusal(client, headers) == refused("SESSION_EXPIRED", SESSION_OVER)


async def test_a_disabled_member_is_told_to_ask_an_admin(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    user = member(client.backbone, ACME, "USER")
    sandbox["hubspot"].call("POST", f"/_sandbox/contacts/{user.contact_id}/portal",
                            {"status": "DISABLED"})  # fmt: skip
    headers = {"Authorization": f"Bearer {await client.token_for(user)}"}

    assert await refusal(client, headers) == refused(
        "MEMBER_DISABLED", "Your access to the portal is not active: ask an ADMIN of your account."
    )


async def test_revoked_and_expired_api_tokens_say_so(
    client: GatewayClient, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    revoked, expired = [
        (await client.query(CREATE, as_=admin))["data"]["createApiToken"] for _ in range(2)
    ]
    await client.query(REVOKE, {"id": revoked["apiToken"]["id"]}, as_=admin)
    hubspot_patch(urls, "contacts", expired["secret"].split("_")[1],
                  {"portal_token_expires_at": "2020-01-01T00:00:00.000Z"})  # fmt: skip

    assert await refusal(client, {"Authorization": f"Bearer {revoked['secret']}"}) == refused(
        "API_TOKEN_REVOKED", "This API token has been revoked" + ASK_FOR_A_TOKEN
    )
    assert await refusal(client, {"Authorization": f"Bearer {expired['secret']}"}) == refused(
        "API_TOKEN_EXPIRED", "This API token has expired" + ASK_FOR_A_TOKEN
    )
    # a revoked token's id with another secret learns nothing about the record
    guessed = expired["secret"].rsplit("_", 1)[0] + "_" + "B" * 43
    assert (await refusal(client, {"Authorization": f"Bearer {guessed}"}))["reason"] == (
        "API_TOKEN_INVALID"
    )


async def test_exports_answer_401_with_the_reason(client: GatewayClient) -> None:
    response = await client.http.get(
        "/export/invoices.csv", headers={"Authorization": "Bearer forged.token"}
    )

    assert response.status_code == 401
    assert response.json() == {
        "error": "UNAUTHENTICATED", "reason": "SESSION_EXPIRED", "message": SESSION_OVER
    }  # fmt: skip


async def test_a_role_refusal_uses_the_right_article(client: GatewayClient) -> None:
    user = member(client.backbone, ACME, "USER")
    body = await client.query(
        'mutation { updateAccountDetails(input: {phone: "+1 555 0100"}) { account { id } } }',
        as_=user,
    )

    assert body["errors"][0]["message"].endswith("; ask an ADMIN.")
