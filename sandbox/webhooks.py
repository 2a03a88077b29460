"""Webhooks from a sandboxed vendor: its data changes, sent signed to a registered URL.

Every vendor state keeps a change log (each state's `changed()` appends to it). A middleware
looks at the log after each request, API write or admin change alike, and hands what is new
to the vendor's renderer, which builds the vendor's signed HTTP requests. One worker per
vendor sends them in order, as the vendors do, in the background.

Admin API (JSON), on the vendors that use a registered target (Stripe, HubSpot, Zendesk):
    PUT    /_sandbox/webhooks   {"url": ..., "secret": ...}: where to send, and the signing
                                secret (Stripe's endpoint secret, HubSpot's app client
                                secret, Zendesk's webhook signing secret)
    DELETE /_sandbox/webhooks   stop sending
and on every vendor (Drive sends to the channels made with `changes.watch`):
    GET    /_sandbox/webhooks   waits until everything due is sent, then lists the deliveries
                                ({"event", "url", "status"}; status null if unreachable)
`POST /_sandbox/reset` forgets the target and the deliveries.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Generic, TypeVar

import aiohttp
from aiohttp import web

from sandbox.upstream import Handler, StateHolder

S = TypeVar("S")
C = TypeVar("C")


@dataclass(frozen=True)
class Target:
    url: str
    secret: str


@dataclass(frozen=True)
class Delivery:
    event: str  # what it reports, for the log: e.g. "invoice.paid in_123"
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Delivered:
    event: str
    url: str
    status: int | None


Render = Callable[[S, Sequence[C], Target | None], list[Delivery]]
"""Builds the vendor's requests for new changes (the target is None if none is registered)."""


@dataclass
class Outbox(Generic[S, C]):
    holder: StateHolder[S]
    changes_of: Callable[[S], Sequence[C]]
    render: Render[S, C]
    on_new_state: Callable[[S], None] | None = None  # e.g. to note what the seed holds
    target: Target | None = None
    delivered: list[Delivered] = field(default_factory=list)
    _state: Any = None
    _sent_upto: int = 0
    _queue: asyncio.Queue[Delivery] | None = None
    _worker: asyncio.Task[None] | None = None

    def collect(self) -> None:
        """Renders the changes made since the last call."""
        state = self.holder.state
        changes = self.changes_of(state)
        if state is not self._state:  # reset: the seed's changes are no news
            self._state, self._sent_upto = state, len(changes)
            if self.on_new_state is not None:
                self.on_new_state(state)
            return
        new = changes[self._sent_upto :]
        self._sent_upto = len(changes)
        if new:
            for delivery in self.render(state, new, self.target):
                self._enqueue(delivery)

    def forget(self) -> None:
        self.target = None
        self.delivered.clear()
        self._state = None

    async def drained(self) -> None:
        if self._queue is not None:
            await self._queue.join()

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker

    def _enqueue(self, delivery: Delivery) -> None:
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._worker = asyncio.create_task(self._send_all(self._queue))
        self._queue.put_nowait(delivery)

    async def _send_all(self, queue: asyncio.Queue[Delivery]) -> None:
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                delivery = await queue.get()
                try:
                    status = await _send(session, delivery)
                    self.delivered.append(Delivered(delivery.event, delivery.url, status))
                finally:
                    queue.task_done()


async def _send(session: aiohttp.ClientSession, delivery: Delivery) -> int | None:
    try:
        async with session.post(delivery.url, data=delivery.body, headers=delivery.headers) as r:
            await r.read()
            return r.status
    except (aiohttp.ClientError, TimeoutError):
        return None


def attach(
    app: web.Application,
    holder: StateHolder[S],
    changes_of: Callable[[S], Sequence[C]],
    render: Render[S, C],
    *,
    with_target: bool = True,
    on_new_state: Callable[[S], None] | None = None,
) -> Outbox[S, C]:
    """Makes the vendor app send webhooks for its changes; returns the outbox."""
    outbox: Outbox[S, C] = Outbox(holder, changes_of, render, on_new_state)
    outbox.collect()

    @web.middleware
    async def emit(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        finally:
            if request.path == "/_sandbox/reset":
                outbox.forget()
            outbox.collect()

    async def register(request: web.Request) -> web.Response:
        body = await request.json()
        if not isinstance(body, dict) or not body.get("url") or not body.get("secret"):
            return web.json_response({"error": 'Send {"url": ..., "secret": ...}'}, status=400)
        outbox.target = Target(str(body["url"]), str(body["secret"]))
        return web.json_response({"url": outbox.target.url})

    async def unregister(request: web.Request) -> web.Response:
        outbox.target = None
        return web.Response(status=204)

    async def deliveries(request: web.Request) -> web.Response:
        await outbox.drained()
        return web.json_response(
            {
                "url": outbox.target.url if outbox.target else None,
                "deliveries": [asdict(d) for d in outbox.delivered],
            }
        )

    async def close(app: web.Application) -> None:
        await outbox.close()

    app.middlewares.append(emit)
    app.on_cleanup.append(close)
    app.router.add_get("/_sandbox/webhooks", deliveries)
    if with_target:
        app.router.add_put("/_sandbox/webhooks", register)
        app.router.add_delete("/_sandbox/webhooks", unregister)
    return outbox
