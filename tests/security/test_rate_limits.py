"""Defect 12: the per-address limit was shared by every tenant behind one office address;
another tenant's traffic got the victim 28 of 28 RATE_LIMITED. Requests are now counted
against their credential first; only anonymous traffic against its address."""

from __future__ import annotations

import secrets
from dataclasses import replace

import pytest

from config import Settings
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, GLOBEX, member

PER_VIEWER = 5
ANONYMOUS_PER_IP = 3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(
        settings, rate_limit_per_viewer=PER_VIEWER, rate_limit_anonymous_per_ip=ANONYMOUS_PER_IP
    )


async def statuses(client: GatewayClient, token: str | None, times: int) -> list[int]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return [
        (
            await client.http.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
        ).status_code
        for _ in range(times)
    ]


async def test_tenants_behind_one_address_do_not_share_a_limit(client: GatewayClient) -> None:
    # Everyone here connects from the same address (the test client's).
    neighbour = await client.token_for(member(client.backbone, GLOBEX, "ADMIN"))
    victim = await client.token_for(member(client.backbone, ACME, "USER"))

    assert await statuses(client, neighbour, PER_VIEWER + 1) == [200] * PER_VIEWER + [429]
    assert await statuses(client, victim, PER_VIEWER) == [200] * PER_VIEWER


async def test_anonymous_traffic_is_limited_per_address_and_forged_tokens_are_anonymous(
    client: GatewayClient,
) -> None:
    forged_session = "eyJzaWQiOiJ4In0.forged"
    random_api_tokens = [f"pgw_{1000 + i}_{secrets.token_urlsafe(8)}" for i in range(2)]

    answers = [
        *await statuses(client, None, 1),
        *await statuses(client, forged_session, 1),
        *[s for token in random_api_tokens for s in await statuses(client, token, 1)],
    ]

    assert answers == [200] * ANONYMOUS_PER_IP + [429]
    # Signed-in members behind the same address are not held up by it.
    user = await client.token_for(member(client.backbone, ACME, "USER"))
    assert await statuses(client, user, 1) == [200]
