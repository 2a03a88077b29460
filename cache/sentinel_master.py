"""The master Redis Sentinel names, for what a failover must not lose: the job queue and the
deliveries' records (done marks, claims, feeds, delivery logs).

redis-py's Sentinel client asks the sentinels for the master only when it opens a
connection. After a failover the connections it holds go on talking to the old master, which
still takes writes until Sentinel turns it into a replica of the new one, about ten seconds
later, and drops all it took meanwhile (measured: ~110 acknowledged writes in 11 s, one every
0.1 s). Queue jobs enqueued there vanish; deliveries marked done there are made again.

So `ConfirmedMaster` confirms every command (and pipeline) before returning it, on the
connection that ran it: `WAIT` lets a replica take it (up to `WAIT_MS`, so that a master
that dies next loses nothing a replica had), and the sentinels, asked afresh, must all name
that server as their master with no failover under way. If they do not, the command counts
as a lost connection and redis-py's own retry sends it again to the master the sentinels
name by then (`retry` on the client: seconds, for a failover's switch). A command may thus
run twice, once on the old master (lost with it) and once on the new; the queue's scripts
and the deliveries' records are written to allow that.

What remains is Redis' asynchronous replication: a write that no replica took within
`WAIT_MS` is lost if its master dies before passing it on, and a master cut off from the
sentinels takes writes until they fail over (`min-replicas-to-write` on the servers bounds
that; docs/operations.md).

`following` is for a subscription, which runs no command to confirm: it drops the client's
connections as soon as the sentinels name another master, and the subscriber reconnects.

Both need `MasterConnection`: redis-py 8.1, retrying a command, reopens its connection to
the address it had without asking the sentinels; that would be the old master again.

The shared cache uses `MasterConnection` and `following` for all it does, and
`ConfirmedMaster` only for a session's write (cache/redis_backend.py): confirming every cache
command would cost its hot path a `WAIT` and the sentinels' answers each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.connection import Connection, SSLConnection
from redis.asyncio.sentinel import SentinelConnectionPool, SentinelManagedConnection
from redis.exceptions import ConnectionError, RedisError, ResponseError

log = logging.getLogger("portal.redis")

WAIT_MS = 50  # a replica in step takes a write in a round trip; one that lags is not waited for
FOLLOW_EVERY_S = 0.5


class StaleMaster(ConnectionError):
    """The command ran on a server the sentinels no longer agree is their master."""


async def confirm(pool: object, connection: Connection) -> None:
    """Returns once what `connection` last ran is safe by the module's rule; else raises
    `StaleMaster`, for redis-py's retry to send it again. Clients of one server pass."""
    if not isinstance(pool, SentinelConnectionPool):
        return
    here = (connection.host, connection.port)
    # Both start after the command ran; the replicas' count is for durability alone.
    (views, asked), _ = await asyncio.gather(_sentinel_views(pool), _replicated(connection))
    if not settled_on(here, views, asked):
        log.info("Redis command on %s:%s sent again: a failover is under way", *here)
        raise StaleMaster(f"{here[0]}:{here[1]} is not the master the sentinels agree on")


def settled_on(here: tuple[str, int], views: list[dict[str, Any]], asked: int) -> bool:
    """More than half the sentinels answered, and every answer names `here` with no failover
    under way (only the sentinel leading a failover knows of it until it ends)."""
    return 2 * len(views) > asked and all(
        (view["ip"], view["port"]) == here and "failover_in_progress" not in _flags(view)
        for view in views
    )


async def _sentinel_views(pool: SentinelConnectionPool) -> tuple[list[dict[str, Any]], int]:
    sentinels: list[Redis] = pool.sentinel_manager.sentinels
    answers = await asyncio.gather(
        *(sentinel.sentinel_master(pool.service_name) for sentinel in sentinels),
        return_exceptions=True,
    )
    return [a for a in answers if isinstance(a, dict)], len(sentinels)


async def _replicated(connection: Connection) -> int:
    await connection.send_command("WAIT", 1, WAIT_MS)
    try:
        replicas: int = await connection.read_response()
    except ResponseError:
        return 0  # a replica refuses WAIT: the old master, turned replica (not settled)
    return replicas


def _flags(view: dict[str, Any]) -> set[str]:
    flags = view.get("flags", "")
    return flags if isinstance(flags, set) else set(str(flags).split(","))


class MasterConnection(SentinelManagedConnection):
    """Asks the sentinels for the master whenever it connects, however it is asked to."""

    async def connect_check_health(
        self, check_health: bool = True, retry_socket_connect: bool = True
    ) -> None:
        if not self.is_connected and self.connection_pool.is_master:
            self.host, self.port = await self.connection_pool.get_master_address()
        await super().connect_check_health(check_health, retry_socket_connect)


class MasterSSLConnection(MasterConnection, SSLConnection):
    pass


def connection_class(tls: bool) -> type[Connection]:
    return MasterSSLConnection if tls else MasterConnection


class ConfirmedMaster(Redis):
    """A Sentinel-managed master (`Sentinel.master_for(..., redis_class=ConfirmedMaster)`)
    whose every command and pipeline is confirmed before it returns."""

    async def parse_response(
        self, connection: Connection, command_name: str | bytes, **options: Any
    ) -> Any:
        # Called inside redis-py's retry, on the connection the command ran on.
        response = await super().parse_response(connection, command_name, **options)
        await confirm(self.connection_pool, connection)
        return response

    def pipeline(self, transaction: bool = True, shard_hint: str | None = None) -> Pipeline:
        return ConfirmedPipeline(
            self.connection_pool, self.response_callbacks, transaction, shard_hint
        )


class ConfirmedPipeline(Pipeline):
    # redis-py runs these two inside its retry, on the pipeline's connection: the hooks
    # where a whole MULTI/EXEC (or batch) can be confirmed and, if need be, sent again.
    async def _execute_transaction(
        self, connection: Connection, commands: Any, raise_on_error: bool
    ) -> Any:
        response = await super()._execute_transaction(connection, commands, raise_on_error)
        await confirm(self.connection_pool, connection)
        return response

    async def _execute_pipeline(
        self, connection: Connection, commands: Any, raise_on_error: bool
    ) -> Any:
        response = await super()._execute_pipeline(connection, commands, raise_on_error)
        await confirm(self.connection_pool, connection)
        return response


@asynccontextmanager
async def following(client: Redis, every_s: float = FOLLOW_EVERY_S) -> AsyncIterator[None]:
    """While open, a Sentinel-managed client's connections (a subscription's included) are
    dropped within `every_s` of the sentinels naming another master. Others: nothing."""
    pool = client.connection_pool
    if not isinstance(pool, SentinelConnectionPool):
        yield
        return
    task = asyncio.create_task(_follow(pool, every_s))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _follow(pool: SentinelConnectionPool, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        known = pool.master_address
        try:
            named = await pool.get_master_address()  # type: ignore[no-untyped-call]
        except (RedisError, OSError):
            continue  # no sentinel answers: there is nowhere better to go
        if known is not None and named != known:
            log.warning("Redis master moved from %s to %s: reconnecting", known, named)
            with contextlib.suppress(RedisError, OSError):
                await pool.disconnect(inuse_connections=True)
