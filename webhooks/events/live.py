"""Live updates across replicas: whoever learns of an event (the worker) publishes it on
one Redis channel; every replica's hub hands it to the subscriptions open there, which
keep what their viewer may see."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio import Redis

from webhooks.events.types import PortalEvent

log = logging.getLogger("portal.live")
QUEUE_SIZE = 100  # per subscription: a client that reads no more loses the oldest


@dataclass(frozen=True)
class LiveMessage:
    event: PortalEvent
    contact_id: str | None = None  # set for a member's own notification (notificationAdded)

    def to_json(self) -> str:
        return json.dumps({"event": asdict(self.event), "contact_id": self.contact_id})

    @classmethod
    def from_json(cls, raw: str | bytes) -> LiveMessage:
        data: dict[str, Any] = json.loads(raw)
        return cls(PortalEvent(**data["event"]), data.get("contact_id"))


def channel(prefix: str) -> str:
    return f"{prefix}live"


async def publish(redis: Redis, prefix: str, message: LiveMessage) -> None:
    await redis.publish(channel(prefix), message.to_json())


class LiveHub:
    """One Redis subscription per replica, fanned out in-process."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis, self._prefix = redis, prefix
        self._queues: set[asyncio.Queue[LiveMessage]] = set()
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self, wait_s: float = 2.0) -> None:
        """Subscribes; a replica starts even while Redis is away (the listener keeps trying)."""
        self._task = asyncio.create_task(self._listen())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout=wait_s)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @asynccontextmanager
    async def messages(self) -> AsyncIterator[asyncio.Queue[LiveMessage]]:
        queue: asyncio.Queue[LiveMessage] = asyncio.Queue(QUEUE_SIZE)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(channel(self._prefix))
                    self._ready.set()
                    async for raw in pubsub.listen():
                        if raw.get("type") == "message":
                            self._hand_out(LiveMessage.from_json(raw["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis went away: subscriptions go quiet, then resume
                log.warning("live updates interrupted; resubscribing", exc_info=True)
                await asyncio.sleep(1)

    def _hand_out(self, message: LiveMessage) -> None:
        for queue in list(self._queues):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)
