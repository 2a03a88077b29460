"""The response cache: who shares an answer, what is never kept, and that a write or a
vendor change on one replica makes the next identical query on another fresh."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import redis

from config import Settings
from sandbox.accounts import Backbone, Person
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.freshness.conftest import OpenClient
from tests.gateway.freshness.redis_servers import redis_process
from tests.gateway.people import ACME, ACME_EUROPE, member
from tests.gateway.queries import DASHBOARD

NO_CALLS = {"hubspot": 0, "stripe": 0, "zendesk": 0, "drive": 0}
ACCOUNT = "{ viewer { account { name invoices(first: 3) { nodes { number } } } } }"
MINE = "{ viewer { member { email } } }"


async def _ask(
    client: GatewayClient, query: str, person: Person, headers: dict[str, str] | None = None
) -> tuple[dict[str, Any], str]:
    response = await client.http.post(
        "/graphql",
        json={"query": query},
        headers={"Authorization": f"Bearer {await client.token_for(person)}", **(headers or {})},
    )
    assert response.status_code == 200, response.text
    return response.json(), response.headers["x-response-cache"]


def _two(backbone: Backbone, company_id: str, role: str) -> tuple[Person, Person]:
    people = [
        p for p in backbone.people_of(company_id)
        if p.role == role and p.status == "ACTIVE" and p.company_ids == (company_id,)
    ]  # fmt: skip
    return people[0], people[1]


async def test_members_who_see_the_same_share_one_answer(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    one, two = _two(client.backbone, ACME, "USER")
    first, cached = await _ask(client, ACCOUNT, one)
    await _ask(client, "{ __typename }", two)  # who they are is read once per minute
    sandbox.clear_requests()

    again, hit = await _ask(client, ACCOUNT, two)

    assert (cached, hit) == ("miss", "hit")
    assert again == first
    assert sandbox.call_counts() == NO_CALLS


async def test_another_role_or_another_set_of_accounts_does_not_share(
    client: GatewayClient,
) -> None:
    backbone = client.backbone
    asked = [
        await _ask(client, ACCOUNT, member(backbone, ACME, "ADMIN")),
        await _ask(client, ACCOUNT, member(backbone, ACME, "READ_ONLY")),
        await _ask(client, ACCOUNT, member(backbone, ACME_EUROPE, "ADMIN")),
    ]
    assert [hit for _, hit in asked] == ["miss", "miss", "miss"]
    names = [body["data"]["viewer"]["account"]["name"] for body, _ in asked]
    assert names[0] == names[1] != names[2]


async def test_an_answer_about_the_person_is_theirs_alone(client: GatewayClient) -> None:
    one, two = _two(client.backbone, ACME, "USER")
    mine, first = await _ask(client, MINE, one)
    theirs, second = await _ask(client, MINE, two)
    mine_again, third = await _ask(client, MINE, one)

    assert mine["data"]["viewer"]["member"]["email"] == one.email
    assert theirs["data"]["viewer"]["member"]["email"] == two.email
    assert (first, second, third) == ("miss", "miss", "hit")
    assert mine_again == mine


async def test_errors_mutations_and_no_cache_requests_are_answered_afresh(
    client: GatewayClient,
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    await _ask(client, ACCOUNT, admin)
    _, forced = await _ask(client, ACCOUNT, admin, {"Cache-Control": "no-cache"})
    assert forced == "miss"

    missing = '{ account(id: "QWNjb3VudDo5OTk6OTk5") { name } }'
    answers = [await _ask(client, missing, admin) for _ in range(2)]
    assert [hit for _, hit in answers] == ["miss", "miss"]
    assert answers[1][0]["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    mutation = 'mutation { updateMyProfile(input: {jobTitle: "CFO"}) { userErrors { code } } }'
    assert [(await _ask(client, mutation, admin))[1] for _ in range(2)] == ["miss", "miss"]


async def test_a_write_on_one_replica_refreshes_the_answer_on_the_other(
    redis_settings: Settings, open_client: OpenClient, backbone: Backbone
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    rename = """mutation { updateAccountDetails(input: {accountId: "%s", name: "Acme Cached"}) {
        userErrors { code } } }"""
    async with open_client(redis_settings) as one, open_client(redis_settings) as two:
        await _ask(two, ACCOUNT, admin)
        assert (await _ask(two, ACCOUNT, admin))[1] == "hit"
        account_id = (await one.query("{ viewer { account { id } } }", as_=admin))["data"]
        await one.query(rename % account_id["viewer"]["account"]["id"], as_=admin)

        after, hit = await _ask(two, ACCOUNT, admin)

    assert hit == "miss"
    assert after["data"]["viewer"]["account"]["name"] == "Acme Cached"


async def test_an_answer_read_around_the_cache_is_not_kept(client: GatewayClient) -> None:
    """A team search asks HubSpot's search API each time (no cache scope tells when its
    answer changes), so an answer that includes one is answered afresh every time."""
    admin = member(client.backbone, ACME, "ADMIN")
    searched = '{ viewer { account { team(search: "a") { totalCount } } } }'
    assert [(await _ask(client, searched, admin))[1] for _ in range(2)] == ["miss", "miss"]


def _reads(port: int) -> int:
    """Read commands a Redis server has run (GET and MGET): one each is one round trip."""
    with redis.Redis(port=port) as server:
        stats = server.info("commandstats")
    return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("get", "mget"))


async def test_cache_look_ups_on_redis_are_one_round_trip_per_batch(
    settings: Settings, open_client: OpenClient, backbone: Backbone, tmp_path: Path
) -> None:
    """A kept answer is served only while every scope it read is unchanged: those checks are
    one MGET, not a GET per scope; a loader's batch looks its keys up in one MGET too."""
    admin = member(backbone, ACME, "ADMIN")
    with redis_process(tmp_path) as port:
        on_redis = replace(settings, redis_url=f"redis://127.0.0.1:{port}/0")
        async with open_client(on_redis) as client:
            await _ask(client, "{ __typename }", admin)  # the viewer, read and kept
            before = _reads(port)
            assert (await _ask(client, DASHBOARD, admin))[1] == "miss"
            cold = _reads(port) - before
            assert (await _ask(client, DASHBOARD, admin))[1] == "hit"
            before = _reads(port)
            assert (await _ask(client, DASHBOARD, admin))[1] == "hit"
            warm = _reads(port) - before
    # Warm: the session's live record and the member's cut-off (one gather, two GETs: a miss
    # is never kept near) and the generations' MGET (35 reads when each scope was a GET).
    assert warm == 3
    # Cold: per loader batch, one MGET for the generations and one for the entries (77 reads
    # when each key was a GET and a generation look-up of its own).
    assert cold <= 40
