"""Events out on Redis behind Sentinel (a master + replica under three Sentinels, real
`redis-server` processes): a vendor's webhook becomes mail and a client webhook through the
worker process; a failover between a webhook and its delivery loses nothing and delivers
once; the live hub follows a failover; and on a Redis Cluster alone the gateway serves
without events out (test_on_cluster.py runs them beside a Cluster)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis
from redis.asyncio import Redis
from saq.queue.redis import RedisQueue

from config import Settings
from sandbox.accounts import Backbone, Person
from sandbox.control import SandboxControl
from tests.events.conftest import (
    ONLY_EMAIL,
    Events,
    everything,
    set_preferences,
    until,
    zendesk_to_a_served_gateway,
)  # fmt: skip
from tests.events.receiver import Receiver, receiving
from tests.events.test_client_webhooks import CREATE
from tests.gateway.freshness.redis_servers import HOST, SentinelSetup, redis_sentinel
from tests.gateway.people import ACME, member
from webhooks.delivery.queue import CLUSTER_REFUSED
from webhooks.events.live import LiveMessage, publish
from webhooks.events.types import PortalEvent
from webhooks.outbound import open_outbound

NOBODY = {"email": False, "sms": False, "in_app": False}
OPEN_TICKETS = """{ viewer { account { tickets(first: 2, status: [NEW, OPEN, PENDING]) {
  nodes { number } } } } }"""


@pytest.fixture(scope="module")
def sentinel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SentinelSetup]:
    with redis_sentinel(tmp_path_factory.mktemp("sentinel")) as setup:
        yield setup


@pytest.fixture
def worker_concurrency() -> int:
    return Settings.worker_concurrency


@pytest.fixture
async def on_sentinel(
    events_settings: Settings,
    sentinel: SentinelSetup,
    sandbox: SandboxControl,
    tmp_path: Path,
    worker_concurrency: int,
) -> AsyncIterator[Events]:
    """A served gateway and a worker process with `REDIS_URL=redis+sentinel://…`; the test
    watches the queue on the master directly."""
    settings = replace(
        events_settings, redis_url=sentinel.url, worker_concurrency=worker_concurrency,
        webhook_timeout_s=20.0,  # a delivery held over a failover is answered, not timed out
    )  # fmt: skip
    client = Redis(host=HOST, port=sentinel.master())
    async with zendesk_to_a_served_gateway(settings, sandbox, tmp_path, client) as running:
        yield running


async def _register(events: Events, receiver: Receiver, admin: Person) -> None:
    endpoint = {"url": receiver.url, "events": ["ticket.status_changed"]}
    body = await events.graphql(CREATE, endpoint, as_=admin)
    created = body["data"]["createWebhookEndpoint"]
    assert created["userErrors"] == [], created
    receiver.secret = created["secret"]


def _only_admin_by_mail(backbone: Backbone, urls: dict[str, str]) -> Person:
    admin = member(backbone, ACME, "ADMIN")
    for person in backbone.people_of(ACME):
        set_preferences(urls, person, everything(ONLY_EMAIL if person == admin else NOBODY))
    return admin


async def _open_tickets(events: Events, admin: Person) -> list[int]:
    found = await events.graphql(OPEN_TICKETS, as_=admin)
    return [n["number"] for n in found["data"]["viewer"]["account"]["tickets"]["nodes"]]


def _solve(sandbox: SandboxControl, number: int) -> None:
    """Zendesk solves the ticket; returns once its webhook has been answered."""
    sandbox["zendesk"].call("POST", f"/_sandbox/tickets/{number}/status", {"status": "solved"})
    sent = sandbox["zendesk"].call("GET", "/_sandbox/webhooks")["deliveries"]
    assert [d["status"] for d in sent] == [200] * len(sent)


def _ticket(received: Any) -> int:
    return int(received.payload["data"]["ticket"]["id"])  # Zendesk's id is the number


async def test_a_solved_ticket_reaches_mail_and_the_client_endpoint_on_sentinel(
    on_sentinel: Events, sandbox: SandboxControl, backbone: Backbone, urls: dict[str, str]
) -> None:
    events = on_sentinel
    admin = _only_admin_by_mail(backbone, urls)
    async with receiving() as receiver:
        await _register(events, receiver, admin)
        [number, _] = await _open_tickets(events, admin)
        _solve(sandbox, number)
        await until(lambda: _delivered(receiver, 1), timeout_s=30)
        await events.drained()

    assert "worker started on queue" in events.worker.log.read_text()
    [mail] = events.mails()
    assert (mail["To"], mail["Subject"]) == (
        admin.email, f"Acme Holdings: Ticket #{number} is now solved"
    )  # fmt: skip
    [delivery] = receiver.received
    assert (delivery.verified, delivery.answered) == (True, 200)
    assert delivery.payload["type"] == "ticket.status_changed"
    assert (delivery.payload["data"]["account_id"], _ticket(delivery)) == (ACME, number)


# One job at a time: while the first delivery is held, the second event waits in the queue
# (a worker free to take it from the old master at once would hide a job lost there).
@pytest.mark.parametrize("worker_concurrency", [1])
async def test_a_failover_between_webhook_and_delivery_loses_nothing_and_delivers_once(
    on_sentinel: Events,
    sentinel: SentinelSetup,
    sandbox: SandboxControl,
    backbone: Backbone,
    urls: dict[str, str],
) -> None:
    events = on_sentinel
    admin = _only_admin_by_mail(backbone, urls)
    async with receiving() as receiver:
        receiver.hold = asyncio.Event()
        await _register(events, receiver, admin)
        first, second = await _open_tickets(events, admin)
        _solve(sandbox, first)
        await asyncio.wait_for(receiver.arrived.wait(), timeout=20)  # held, unanswered

        old, new = await asyncio.to_thread(_fail_over, sentinel)
        # The gateway and the worker still hold connections to the old master, which takes
        # writes until Sentinel makes it a replica of the new one (~10 s later) and drops them.
        _solve(sandbox, second)
        await asyncio.to_thread(_demote, old, new)  # what Sentinel would do, done now
        receiver.hold.set()
        await until(lambda: _delivered(receiver, 2), timeout_s=30)
        await _drained_on(events, new)

    # Each event sent once, and taken (the first one's answer came after the failover).
    assert sorted(_ticket(r) for r in receiver.received) == sorted([first, second])
    assert [(r.verified, r.answered) for r in receiver.received] == [(True, 200)] * 2
    subjects = sorted(m["Subject"] for m in events.mails(admin.email))
    assert subjects == sorted(f"Acme Holdings: Ticket #{n} is now solved" for n in (first, second))


async def test_the_live_hub_resubscribes_on_the_new_master_after_a_failover(
    sentinel: SentinelSetup,
) -> None:
    prefix = f"test:{secrets.token_hex(8)}:"
    opened = open_outbound(sentinel.url, prefix, "test-secret-key", allow_loopback=True,
                           hook_timeout_s=1.0, secret_overlap_s=86_400)  # fmt: skip
    async with opened as outbound:
        assert outbound is not None
        async with outbound.hub.messages() as inbox:
            before = await _published_until_heard(sentinel.master(), prefix, inbox, "before")
            _, new = await asyncio.to_thread(_fail_over, sentinel)
            # A worker publishes on the new master; the hub subscribed on the old one.
            after = await _published_until_heard(new, prefix, inbox, "after")
    assert (before, after) == ("before", "after")


async def _published_until_heard(
    port: int, prefix: str, inbox: asyncio.Queue[LiveMessage], tag: str
) -> str:
    """Publishes on the server at `port` until the hub hands a message out (pub/sub keeps
    nothing for a subscriber that is resubscribing); gives up after 5 s."""
    async with Redis(host=HOST, port=port) as publisher:
        for attempt in range(50):
            event = PortalEvent(f"evt_{tag}_{attempt}", "test", ACME, 0.0, tag, "/")
            await publish(publisher, prefix, LiveMessage(event))
            with contextlib.suppress(TimeoutError):
                heard = await asyncio.wait_for(inbox.get(), timeout=0.1)
                return heard.event.title
    raise AssertionError(f"the hub heard nothing published {tag} the failover")


async def test_the_gateway_serves_without_events_out_on_a_redis_cluster(
    caplog: pytest.LogCaptureFixture,
) -> None:
    opened = open_outbound("redis+cluster://127.0.0.1:7000", "test:", "test-secret-key",
                           allow_loopback=True, hook_timeout_s=1.0,
                           secret_overlap_s=86_400)  # fmt: skip
    async with opened as outbound:
        assert outbound is None
    assert [r.getMessage() for r in caplog.records if r.name == "portal.events"] == [
        f"events out are off: {CLUSTER_REFUSED}"
    ]


async def _delivered(receiver: Receiver, count: int) -> bool:
    return len(receiver.delivered()) >= count


async def _drained_on(events: Events, port: int) -> None:
    async with Redis(host=HOST, port=port) as client:
        queue = RedisQueue(client, name=events.queue.name)
        await until(lambda: _idle(queue))


async def _idle(queue: RedisQueue) -> bool:
    return await queue.count("incomplete") == 0


def _fail_over(sentinel: SentinelSetup) -> tuple[int, int]:
    old = sentinel.master()
    deadline = time.monotonic() + 15
    while True:
        try:
            return old, sentinel.fail_over()
        except redis.ResponseError as exc:  # a Sentinel just started knows no good replica yet
            assert "NOGOODSLAVE" in str(exc) and time.monotonic() < deadline, exc
            time.sleep(0.5)


def _demote(old: int, new: int) -> None:
    """Makes the old master a replica of the new one, as Sentinel does some ten seconds after
    a failover: it drops what it took since, as then."""
    client = redis.Redis(host=HOST, port=old)
    client.replicaof(HOST, str(new))
    deadline = time.monotonic() + 15
    while client.info("replication").get("master_link_status") != "up":
        assert time.monotonic() < deadline, "the old master did not become a replica"
        time.sleep(0.05)
