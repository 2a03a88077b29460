"""Turns `REDIS_URL` into one of redis-py's own clients: a single server, a Sentinel-managed
master, or a Redis Cluster. Every client fails fast (a cache that waits is worse than none).

    redis://[:password@]host:6379/0                  one server (rediss:// for TLS)
    redis+sentinel://[:password@]h1:26379,h2:26379/mymaster[/0][?sentinel_password=…]
                                                     the master Sentinel names `mymaster`
    redis+cluster://[:password@]h1:7000,h2:7001      a Redis Cluster, from any of its nodes

`rediss+sentinel://` and `rediss+cluster://` speak TLS to the data nodes. With Sentinel, a
command that meets a failover (the old master refuses writes, or is gone) asks the sentinels
for the new master and is sent again, a few times, briefly (`MasterConnection`: redis-py's own
retry would reopen the old master's address); a cluster client follows its own MOVED/ASK
redirections. The cache moves its connections as soon as the sentinels name another master
(cache/redis_backend.py), and `connect_confirmed` gives it a client for the one write it must
not lose to a failover (a session).

Events out (the job queue, deliveries) use `connect_durable`, whose Sentinel client confirms
every command on the master the sentinels agree on (cache/sentinel_master.py), and
`connect_subscriber` for a long-lived subscription; neither takes a Cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from redis.asyncio import Redis, RedisCluster
from redis.asyncio.cluster import ClusterNode
from redis.asyncio.connection import Connection
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import ExponentialBackoff, NoBackoff

from cache import sentinel_master

RedisClient = Redis | RedisCluster

SENTINEL_SCHEMES = ("redis+sentinel", "rediss+sentinel")
CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster")
# A Sentinel failover takes about a second: retries spread over ~0.5 s ride most of it out,
# and the rest is the cache's own fallback (cache/redis_backend.py).
FAILOVER_RETRIES = 4
# Events out would rather wait than lose a job: ~5 s of retries (0.1 s, 0.2 s, 0.4 s, then
# every 0.5 s) cover a failover's switch, which the sentinels agree on within about a second.
DURABLE_RETRIES = 12
DURABLE_BACKOFF = ExponentialBackoff(cap=0.5, base=0.05)
# A sign-in waits out a failover's switch (~2.7 s of retries) but not much more while Redis
# is down: the cache then carries on without it.
CONFIRMED_RETRIES = 7
# Whatever a command may wait for (a worker's blocking pop), these stay short.
CONNECT_TIMEOUT_S = 2.0
SENTINEL_TIMEOUT_S = 0.5


class BadRedisUrl(ValueError):
    pass


@dataclass(frozen=True)
class Topology:
    scheme: str
    nodes: tuple[tuple[str, int], ...]
    password: str | None
    username: str | None
    path: tuple[str, ...]  # Sentinel: service name, then db
    query: dict[str, list[str]]

    @property
    def tls(self) -> bool:
        return self.scheme.startswith("rediss")


def connect(url: str, timeout_s: float = 0.25) -> RedisClient:
    scheme = urlsplit(url).scheme
    if scheme in SENTINEL_SCHEMES:
        topology = parse(url)
        return _sentinel_master(
            topology, timeout_s, connection_class=sentinel_master.connection_class(topology.tls)
        )
    if scheme in CLUSTER_SCHEMES:
        return _cluster(parse(url), timeout_s)
    return Redis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), 0),
    )


def parse(url: str) -> Topology:
    parts = urlsplit(url)
    credentials, _, hosts = parts.netloc.rpartition("@")
    username, _, password = credentials.partition(":")
    nodes = tuple(_node(host) for host in hosts.split(",") if host)
    if not nodes:
        raise BadRedisUrl(f"{parts.scheme}:// needs at least one host:port")
    return Topology(
        scheme=parts.scheme,
        nodes=nodes,
        password=unquote(password) or None,
        username=unquote(username) or None,
        path=tuple(p for p in parts.path.split("/") if p),
        query=parse_qs(parts.query),
    )


def _node(host: str) -> tuple[str, int]:
    name, _, port = host.rpartition(":")
    if not name or not port.isdigit():
        raise BadRedisUrl(f"not host:port: {host!r}")
    return name.strip("[]"), int(port)


def connect_durable(url: str, timeout_s: float) -> Redis:
    """A client for what a failover must not lose: one server, or the master Sentinel names
    with every command confirmed. `timeout_s` bounds a command's wait (a blocking pop's too)."""
    scheme = urlsplit(url).scheme
    if scheme in CLUSTER_SCHEMES:
        raise BadRedisUrl("a Redis Cluster does not take events out (docs/operations.md)")
    if scheme in SENTINEL_SCHEMES:
        return _confirmed_master(parse(url), timeout_s, DURABLE_RETRIES)
    return Redis.from_url(
        url, socket_timeout=timeout_s, socket_connect_timeout=min(timeout_s, CONNECT_TIMEOUT_S)
    )


def connect_confirmed(url: str, timeout_s: float = 0.25) -> Redis | None:
    """For the cache's few writes that a failover must not lose: on Sentinel, a client whose
    every command returns once the master the sentinels agree on holds it. None elsewhere:
    `connect`'s client is as good (one server has no failover; a cluster's is its own)."""
    if urlsplit(url).scheme not in SENTINEL_SCHEMES:
        return None
    return _confirmed_master(parse(url), timeout_s, CONFIRMED_RETRIES)


def _confirmed_master(topology: Topology, timeout_s: float, retries: int) -> Redis:
    return _sentinel_master(
        topology, timeout_s, redis_class=sentinel_master.ConfirmedMaster,
        connection_class=sentinel_master.connection_class(topology.tls),
        retry=Retry(DURABLE_BACKOFF, retries),
    )  # fmt: skip


def connect_subscriber(url: str, timeout_s: float = 1.0) -> Redis:
    """A client for one long-lived subscription (its reads wait as long as they must). On
    Sentinel, open `sentinel_master.following(client)` beside it to follow a failover."""
    scheme = urlsplit(url).scheme
    if scheme in CLUSTER_SCHEMES:
        raise BadRedisUrl("a Redis Cluster does not take events out (docs/operations.md)")
    if scheme in SENTINEL_SCHEMES:
        topology = parse(url)
        return _sentinel_master(
            topology, timeout_s, connection_class=sentinel_master.connection_class(topology.tls),
            retry=Retry(DURABLE_BACKOFF, FAILOVER_RETRIES),
        )  # fmt: skip
    return Redis.from_url(url, socket_connect_timeout=timeout_s)


def _sentinel_master(
    topology: Topology,
    timeout_s: float,
    *,
    redis_class: type[Redis] = Redis,
    connection_class: type[Connection] | None = None,
    retry: Retry | None = None,
) -> Redis:
    if not topology.path:
        raise BadRedisUrl("redis+sentinel:// needs the master's name as its path")
    service, *rest = topology.path
    sentinel_password = topology.query.get("sentinel_password", [None])[0]
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        list(topology.nodes),
        sentinel_kwargs={
            "socket_timeout": min(timeout_s, SENTINEL_TIMEOUT_S),
            "socket_connect_timeout": min(timeout_s, SENTINEL_TIMEOUT_S),
            "password": sentinel_password,
        },
    )
    options: dict[str, Any] = {
        "db": int(rest[0]) if rest else 0,
        "username": topology.username,
        "password": topology.password,
        "ssl": topology.tls,
        "socket_timeout": timeout_s,
        "socket_connect_timeout": min(timeout_s, CONNECT_TIMEOUT_S),
        "retry": retry or Retry(ExponentialBackoff(cap=0.2, base=0.02), FAILOVER_RETRIES),
    }
    if connection_class is not None:
        options["connection_class"] = connection_class
    master: Redis = sentinel.master_for(service, redis_class=redis_class, **options)
    return master


def _cluster(topology: Topology, timeout_s: float) -> RedisCluster:
    return RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in topology.nodes],
        username=topology.username,
        password=topology.password,
        ssl=topology.tls,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
    )


async def close(client: RedisClient) -> None:
    """Closes the client, and for a Sentinel-managed master the sentinels' connections too."""
    await client.aclose()
    pool = getattr(client, "connection_pool", None)
    manager = getattr(pool, "sentinel_manager", None)
    for sentinel in getattr(manager, "sentinels", ()):
        await sentinel.aclose()
