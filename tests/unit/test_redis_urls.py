"""`REDIS_URL` forms: one server, Sentinel, Cluster (cache/redis_clients.py)."""

from __future__ import annotations

import pytest

from cache.redis_clients import BadRedisUrl, Topology, parse


def test_a_sentinel_url_names_the_sentinels_the_master_and_the_database() -> None:
    url = "rediss+sentinel://:s%40cret@10.0.0.1:26379,[::1]:26380/portal/2?sentinel_password=x"
    assert parse(url) == Topology(
        scheme="rediss+sentinel",
        nodes=(("10.0.0.1", 26379), ("::1", 26380)),
        password="s@cret",
        username=None,
        path=("portal", "2"),
        query={"sentinel_password": ["x"]},
    )
    assert parse(url).tls


def test_a_cluster_url_lists_startup_nodes() -> None:
    topology = parse("redis+cluster://app:pw@redis-0:7000,redis-1:7001")
    assert topology.nodes == (("redis-0", 7000), ("redis-1", 7001))
    assert (topology.username, topology.password, topology.tls) == ("app", "pw", False)


@pytest.mark.parametrize("url", ["redis+cluster://", "redis+sentinel://host/portal"])
def test_nodes_need_a_host_and_a_port(url: str) -> None:
    with pytest.raises(BadRedisUrl):
        parse(url)
