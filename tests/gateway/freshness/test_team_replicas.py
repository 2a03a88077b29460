"""Team changes across replicas on one Redis: a member deactivated through one gateway is
refused by another gateway *process* on its very next request, and a change made in HubSpot
reaches the portal through its webhook."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from auth.sessions import SessionManager
from bench.gateway_process import CacheTtls, start_gateway
from cache.codec import Codec
from cache.redis_backend import RedisCache, connect
from config import Settings
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.gateway.freshness import signing
from tests.gateway.freshness.conftest import OpenClient
from tests.gateway.people import ACME, member
from tests.gateway.team_support import BY_ID, TEAM, account_id, data, member_id

ME = "{ viewer { member { email role status } } }"
# Long TTLs: only an eviction (or the sessions' cut-off) can make the second process see it.
LONG = CacheTtls(cache_s=300.0, viewer_s=300.0)


async def _me(http: httpx.AsyncClient, url: str, token: str) -> dict[str, Any]:
    response = await http.post(
        url + "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    body: dict[str, Any] = response.json()
    return body


async def test_a_deactivated_member_is_refused_at_once_by_another_gateway_process(
    redis_settings: Settings,
    open_client: OpenClient,
    sandbox: SandboxControl,
    urls: dict[str, str],
    tmp_path: Path,
) -> None:
    process = await start_gateway(
        "replica", urls, LONG, tmp_path,
        extra={"REDIS_URL": redis_settings.redis_url,
               "REDIS_KEY_PREFIX": redis_settings.redis_key_prefix,
               "PORTAL_SECRET_KEY": redis_settings.secret_key},
    )  # fmt: skip
    try:
        async with open_client(redis_settings) as one, httpx.AsyncClient(timeout=10) as http:
            admin = member(one.backbone, ACME, "ADMIN")
            bruno = one.backbone.person_by_email("bruno.tanaka@acme.example")
            session = one.token_for(bruno)
            # The other process knows Bruno as ACTIVE, in its near cache and in Redis.
            for _ in range(2):
                seen = await _me(http, process.base_url, session)
                assert seen["data"]["viewer"]["member"]["status"] == "ACTIVE", seen

            body = await one.query(BY_ID["deactivateMember"], {"id": member_id(bruno)}, as_=admin)
            assert data(body, "deactivateMember")["member"]["status"] == "DISABLED"

            refused = await _me(http, process.base_url, session)
            assert [e["extensions"]["code"] for e in refused["errors"]] == ["UNAUTHENTICATED"]
    finally:
        process.stop()


async def test_changes_made_in_hubspot_reach_the_portal_through_the_webhook(
    redis_settings: Settings,
    open_client: OpenClient,
    sandbox: SandboxControl,
    backbone: Backbone,
) -> None:
    """HubSpot's staff change a role and switch someone off in HubSpot: one signed webhook to
    one replica, and both replicas show the role and refuse the switched-off member."""
    hooked = replace(redis_settings, hubspot_client_secret=signing.HUBSPOT_SECRET)
    admin = member(backbone, ACME, "ADMIN")
    user = member(backbone, ACME, "USER")
    bruno = backbone.person_by_email("bruno.tanaka@acme.example")
    team = {"account": account_id(ACME), "search": "yara.ulrich"}
    async with open_client(hooked) as one, open_client(hooked) as two:
        session = one.token_for(bruno)
        for replica in (one, two):
            assert data(await replica.query(TEAM, team, as_=admin), "account")["team"]["nodes"]
            assert "errors" not in await replica.query(ME, as_=bruno)
        hubspot = sandbox["hubspot"]
        hubspot.call("POST", f"/_sandbox/contacts/{user.contact_id}/portal", {"role": "READ_ONLY"})
        hubspot.call(
            "POST", f"/_sandbox/contacts/{bruno.contact_id}/portal", {"status": "DISABLED"}
        )
        events = [
            {"subscriptionType": "contact.propertyChange", "objectId": int(user.contact_id),
             "propertyName": "portal_role", "propertyValue": "READ_ONLY"},
            {"subscriptionType": "contact.propertyChange", "objectId": int(bruno.contact_id),
             "propertyName": "portal_status", "propertyValue": "DISABLED"},
        ]  # fmt: skip
        body = json.dumps(events).encode()
        headers = signing.hubspot_headers("http://localhost/webhooks/hubspot", body)

        response = await one.http.post("/webhooks/hubspot", content=body, headers=headers)

        assert response.status_code == 200, response.text
        for replica in (two, one):
            found = data(await replica.query(TEAM, team, as_=admin), "account")["team"]["nodes"]
            assert [n["role"] for n in found] == ["READ_ONLY"]
            refused = await replica.http.post(
                "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {session}"}
            )
            assert [e["extensions"]["code"] for e in refused.json()["errors"]] == [
                "UNAUTHENTICATED"
            ]


async def test_the_sessions_cut_off_needs_no_eviction_message(redis_settings: Settings) -> None:
    """A replica that never hears the eviction (its subscription not even started) still
    refuses the member's sessions: the cut-off is read from Redis, never only near."""
    prefix = redis_settings.redis_key_prefix
    one = RedisCache(connect(redis_settings.redis_url), Codec([]), prefix=prefix)
    deaf = RedisCache(connect(redis_settings.redis_url), Codec([]), prefix=prefix)
    await one.start()
    try:
        here = SessionManager(redis_settings.secret_key, one)
        there = SessionManager(redis_settings.secret_key, deaf)
        before = here.issue("2006")
        assert await there.verify(before, sliding=False) is not None

        await here.revoke_all_of("2006")

        assert await there.verify(before, sliding=False) is None
        assert await there.verify(here.issue("2006"), sliding=False) is not None  # new sign-in
        assert await there.verify(here.issue("2002"), sliding=False) is not None  # others
    finally:
        await one.close()
        await deaf.close()
