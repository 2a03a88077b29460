"""Real Redis topologies for tests, from `redis-server` processes on free loopback ports:
a 3-master Redis Cluster, and a master + replica watched by three Sentinels."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

HOST = "127.0.0.1"
SERVICE = "portal"
SLOTS = 16384
START_TIMEOUT_S = 15.0


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    assert found, "redis-server is not installed (.ci/run installs it)"
    return found


def free_port() -> int:
    """A free port whose cluster bus port (+10000) is free too, so any node may use it."""
    while True:
        port = random.randint(20_000, 45_000)
        if _free(port) and _free(port + 10_000):
            return port


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
        return True


@contextmanager
def redis_process(workdir: Path, *args: str, config: str = "") -> Iterator[int]:
    """One `redis-server` on a free port (a Sentinel when `--sentinel` is among `args`)."""
    port = free_port()
    conf = workdir / f"{port}.conf"
    conf.write_text(f'port {port}\nbind {HOST}\ndir {workdir}\nsave ""\n{config}')
    log = (workdir / f"{port}.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own fixed command line
        [redis_server_binary(), str(conf), *args], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait(lambda: redis.Redis(host=HOST, port=port, socket_timeout=0.5).ping())
        yield port
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def _wait(ready: object, timeout_s: float = START_TIMEOUT_S) -> None:
    assert callable(ready)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if ready():
                return
        except redis.RedisError:
            pass
        assert time.monotonic() < deadline, "Redis did not get ready in time"
        time.sleep(0.05)


@contextmanager
def redis_cluster(workdir: Path, masters: int = 3) -> Iterator[str]:
    """A Redis Cluster of `masters` nodes sharing the slots; yields its REDIS_URL."""
    config = "cluster-enabled yes\ncluster-node-timeout 2000\nappendonly no\n"
    with ExitStack() as stack:
        ports = [
            stack.enter_context(redis_process(workdir, config=f"{config}cluster-config-file "
                                              f"nodes-{i}.conf\n"))
            for i in range(masters)
        ]  # fmt: skip
        nodes = [redis.Redis(host=HOST, port=p) for p in ports]
        share = SLOTS // masters
        for i, node in enumerate(nodes):
            last = SLOTS - 1 if i == masters - 1 else (i + 1) * share - 1
            node.execute_command("CLUSTER", "ADDSLOTSRANGE", i * share, last)
        for port in ports[1:]:
            nodes[0].execute_command("CLUSTER", "MEET", HOST, port)
        _wait(lambda: all(n.cluster("INFO")["cluster_state"] == "ok" for n in nodes))
        _wait(lambda: all(len(n.cluster("NODES")) == masters for n in nodes))
        yield "redis+cluster://" + ",".join(f"{HOST}:{p}" for p in ports)


@dataclass(frozen=True)
class SentinelSetup:
    url: str
    master_port: int
    replica_port: int
    sentinel_ports: tuple[int, ...]

    def master(self) -> int:
        sentinel = redis.Redis(host=HOST, port=self.sentinel_ports[0])
        _, port = sentinel.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", SERVICE)
        return int(port)

    def fail_over(self) -> int:
        """Has Sentinel promote the replica; returns the new master's port once every
        sentinel names it and it takes writes."""
        old = self.master()
        redis.Redis(host=HOST, port=self.sentinel_ports[0]).execute_command(
            "SENTINEL", "FAILOVER", SERVICE
        )
        new = self.replica_port if old == self.master_port else self.master_port
        _wait(lambda: all(_master_of(p) == new for p in self.sentinel_ports), timeout_s=30)
        _wait(lambda: redis.Redis(host=HOST, port=new).role()[0] == b"master")
        return new


def demote(old: int, new: int) -> None:
    """Does to the old master what Sentinel does some ten seconds after a failover, at once:
    makes it a replica of the new one (dropping what it took since) and cuts its clients."""
    client = redis.Redis(host=HOST, port=old)
    with client.pipeline(transaction=True) as pipe:  # Sentinel's own MULTI … EXEC
        pipe.replicaof(HOST, str(new))
        pipe.execute_command("CLIENT", "KILL", "TYPE", "normal")
        pipe.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
        pipe.execute()
    _wait(lambda: client.info("replication").get("master_link_status") == "up")


def _master_of(sentinel_port: int) -> int:
    sentinel = redis.Redis(host=HOST, port=sentinel_port, socket_timeout=0.5)
    _, port = sentinel.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", SERVICE)
    return int(port)


@contextmanager
def redis_sentinel(workdir: Path, sentinels: int = 3) -> Iterator[SentinelSetup]:
    with ExitStack() as stack:
        master = stack.enter_context(redis_process(workdir))
        replica = stack.enter_context(redis_process(workdir, config=f"replicaof {HOST} {master}\n"))
        replica_client = redis.Redis(host=HOST, port=replica)
        _wait(lambda: replica_client.info("replication")["master_link_status"] == "up")
        watch = (
            f"sentinel monitor {SERVICE} {HOST} {master} 2\n"
            f"sentinel down-after-milliseconds {SERVICE} 1000\n"
            f"sentinel failover-timeout {SERVICE} 5000\n"
        )
        ports = tuple(
            stack.enter_context(redis_process(workdir, "--sentinel", config=watch))
            for _ in range(sentinels)
        )
        _wait(lambda: all(_knows_replica(p) for p in ports))
        hosts = ",".join(f"{HOST}:{p}" for p in ports)
        yield SentinelSetup(f"redis+sentinel://{hosts}/{SERVICE}/0", master, replica, ports)


def _knows_replica(sentinel_port: int) -> bool:
    sentinel = redis.Redis(host=HOST, port=sentinel_port, socket_timeout=0.5)
    return len(sentinel.execute_command("SENTINEL", "REPLICAS", SERVICE)) == 1
