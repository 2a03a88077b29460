"""The two-replica cache tests again, on a real 3-master Redis Cluster and on Redis behind
Sentinel (`REDIS_URL` as `redis+cluster://…` / `redis+sentinel://…`); and a Sentinel failover
in the middle of writes and reads: no request fails and no write is lost."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from config import Settings
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.freshness.conftest import OpenClient
from tests.gateway.freshness.redis_servers import SentinelSetup, redis_cluster, redis_sentinel
from tests.gateway.freshness.test_shared_cache import (
    test_a_webhook_to_one_replica_evicts_in_both,
    test_replicas_share_entries_and_an_invalidation_by_one_reaches_the_other,
)
from tests.gateway.people import ACME, member

__all__ = [
    "test_a_webhook_to_one_replica_evicts_in_both",
    "test_replicas_share_entries_and_an_invalidation_by_one_reaches_the_other",
]


@pytest.fixture(scope="module")
def cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_cluster(tmp_path_factory.mktemp("cluster")) as url:
        yield url


@pytest.fixture(scope="module")
def sentinel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SentinelSetup]:
    with redis_sentinel(tmp_path_factory.mktemp("sentinel")) as setup:
        yield setup


@pytest.fixture(params=["cluster", "sentinel"])
def redis_settings(
    request: pytest.FixtureRequest, settings: Settings
) -> Settings:  # overrides conftest's single server
    url = (
        request.getfixturevalue("cluster_url")
        if request.param == "cluster"
        else request.getfixturevalue("sentinel").url
    )
    return replace(settings, redis_url=url, redis_key_prefix=f"test:{secrets.token_hex(8)}:")


PROFILE = """mutation($title: String!) { updateMyProfile(input: {jobTitle: $title}) {
  member { jobTitle } userErrors { code } } }"""
ME = "{ viewer { member { jobTitle } account { name team(first: 5) { totalCount } } } }"


async def test_a_sentinel_failover_under_load_fails_no_request_and_loses_no_write(
    sentinel: SentinelSetup,
    settings: Settings,
    open_client: OpenClient,
    sandbox: SandboxControl,
    backbone: Backbone,
) -> None:
    on_sentinel = replace(settings, redis_url=sentinel.url, redis_key_prefix="failover:")
    admin = member(backbone, ACME, "ADMIN")
    answers: list[dict[str, Any]] = []
    async with open_client(on_sentinel) as one, open_client(on_sentinel) as two:
        # Signed in before: a sign-in during the switch waits it out (test_cache_failover.py).
        token = await one.token_for(admin)
        old_master = sentinel.master()
        failover = asyncio.create_task(asyncio.to_thread(sentinel.fail_over))
        writes = 0
        while not failover.done() or writes < 3:
            title = f"Title {writes}"
            wrote = await _signed_in(one, token, PROFILE, {"title": title})
            answers.append(wrote)
            assert wrote["data"]["updateMyProfile"]["member"]["jobTitle"] == title
            writes += 1
            answers += await asyncio.gather(*(_signed_in(r, token, ME) for r in (one, two)))
            if failover.done():
                new_master = failover.result()
        last = f"Title {writes - 1}"
        read_back = [await _signed_in(r, token, ME) for r in (one, two)]

    assert new_master != old_master
    assert writes > 3  # the failover took several writes' time
    assert [a for a in answers + read_back if "errors" in a] == []
    # The last write is what both replicas show: no eviction was lost in the failover.
    assert [r["data"]["viewer"]["member"]["jobTitle"] for r in read_back] == [last, last]


async def _signed_in(
    client: GatewayClient, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.http.post(
        "/graphql", json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
