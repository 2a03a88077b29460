"""Events out beside a Redis Cluster cache (real `redis-server` processes: a 3-master Cluster
for `REDIS_URL`, one plain server for `PORTAL_EVENTS_REDIS_URL`): a vendor's webhook becomes
mail through a worker process, the queue and the delivery records on the events' server and
the cache on the Cluster; without the events URL the worker refuses to start, saying what
to set."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from redis.asyncio import Redis

from config import Settings
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.events.conftest import (
    ONLY_EMAIL,
    Events,
    everything,
    set_preferences,
    until,
    zendesk_to_a_served_gateway,
)  # fmt: skip
from tests.events.worker_process import REPO, worker_env
from tests.gateway.freshness.redis_servers import HOST, redis_cluster, redis_process
from tests.gateway.people import ACME, member
from webhooks.delivery.queue import queue_name

NOBODY = {"email": False, "sms": False, "in_app": False}
OPEN_TICKETS = """{ viewer { account { tickets(first: 1, status: [NEW, OPEN, PENDING]) {
  nodes { number } } } } }"""


@dataclass(frozen=True)
class SplitRedis:
    cluster_url: str
    events_port: int

    @property
    def events_url(self) -> str:
        return f"redis://{HOST}:{self.events_port}/0"

    def cluster_keys(self, pattern: str) -> list[bytes]:
        """Keys matching `pattern` on every node of the Cluster."""
        nodes = urlsplit(self.cluster_url).netloc.split(",")
        found: list[bytes] = []
        for node in nodes:
            host, port = node.split(":")
            with redis.Redis(host=host, port=int(port)) as client:
                found += client.scan_iter(match=pattern)
        return found

    def events_keys(self, pattern: str) -> list[bytes]:
        with redis.Redis(host=HOST, port=self.events_port) as client:
            return list(client.scan_iter(match=pattern))


@pytest.fixture(scope="module")
def split_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SplitRedis]:
    with (
        redis_cluster(tmp_path_factory.mktemp("cluster")) as cluster_url,
        redis_process(tmp_path_factory.mktemp("events")) as events_port,
    ):
        yield SplitRedis(cluster_url, events_port)


@pytest.fixture
async def on_cluster(
    events_settings: Settings, split_redis: SplitRedis, sandbox: SandboxControl, tmp_path: Path
) -> AsyncIterator[Events]:
    """A served gateway and a worker process with the cache on the Cluster and events out on
    the plain server; the test watches the queue there directly."""
    settings = replace(
        events_settings, redis_url=split_redis.cluster_url, events_redis_url=split_redis.events_url
    )
    client = Redis(host=HOST, port=split_redis.events_port)
    async with zendesk_to_a_served_gateway(settings, sandbox, tmp_path, client) as running:
        yield running


async def test_a_solved_ticket_reaches_mail_with_the_cache_on_a_cluster(
    on_cluster: Events,
    split_redis: SplitRedis,
    sandbox: SandboxControl,
    backbone: Backbone,
    urls: dict[str, str],
) -> None:
    events = on_cluster
    admin = member(backbone, ACME, "ADMIN")
    for person in backbone.people_of(ACME):
        set_preferences(urls, person, everything(ONLY_EMAIL if person == admin else NOBODY))
    found = await events.graphql(OPEN_TICKETS, as_=admin)
    [ticket] = found["data"]["viewer"]["account"]["tickets"]["nodes"]

    sandbox["zendesk"].call(
        "POST", f"/_sandbox/tickets/{ticket['number']}/status", {"status": "solved"}
    )
    sent = sandbox["zendesk"].call("GET", "/_sandbox/webhooks")["deliveries"]
    assert [d["status"] for d in sent] == [200]
    await until(lambda: _mailed(events), timeout_s=20)
    await events.drained()

    [mail] = events.mails()
    assert (mail["To"], mail["Subject"]) == (
        admin.email, f"Acme Holdings: Ticket #{ticket['number']} is now solved"
    )  # fmt: skip
    prefix = events.settings.redis_key_prefix
    # The queue and the done marks on the events' server; none of them on the Cluster, which
    # holds the cache (the admin's session among it) and nothing of the cache on the other.
    assert split_redis.events_keys(f"saq:*{queue_name(prefix)}*") != []
    assert split_redis.events_keys(f"{prefix}done:*") != []
    assert split_redis.cluster_keys(f"{prefix}session:*") != []
    assert split_redis.cluster_keys(f"saq:*{prefix}*") == []
    assert split_redis.cluster_keys(f"{prefix}done:*") == []
    assert split_redis.events_keys(f"{prefix}session:*") == []


async def _mailed(events: Events) -> bool:
    return len(events.mails()) >= 1


def test_the_worker_on_a_cluster_without_an_events_url_says_to_set_one(
    events_settings: Settings, split_redis: SplitRedis
) -> None:
    on_cluster = replace(events_settings, redis_url=split_redis.cluster_url, events_redis_url="")
    ran = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main(['worker', '--no-sandbox'])"],
        env=worker_env(on_cluster), cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert ran.returncode == 1
    assert ran.stderr.strip().splitlines()[-1] == (
        "the worker cannot start: events out (the job queue and its worker) do not run on a "
        "Redis Cluster: SAQ's keys span hash slots and its sweep publishes inside a "
        "transaction. Set PORTAL_EVENTS_REDIS_URL to a redis:// or redis+sentinel:// Redis "
        "for them; the cache stays on REDIS_URL (docs/operations.md, 'Redis beyond one node')"
    )
