"""A client's webhook endpoint, as a client would write it: a small HTTP server that
verifies each delivery with the `standardwebhooks` library and answers as told."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    webhook_id: str
    verified: bool
    payload: Any
    answered: int | None = None  # None: the connection went before an answer
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def verifies_with(self, secret: str) -> bool:
        """Would a receiver holding only `secret` accept this delivery?"""
        try:
            Webhook(secret).verify(self.body, self.headers)
        except WebhookVerificationError:
            return False
        return True


@dataclass
class Receiver:
    url: str = ""
    secret: str = ""
    answers: list[int] = field(default_factory=list)  # given in order, then 200
    hold: asyncio.Event | None = None  # when set, requests wait for it before answering
    received: list[Received] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.text()
        try:
            payload = Webhook(self.secret).verify(body, dict(request.headers))
            verified = True
        except WebhookVerificationError:
            payload, verified = None, False
        entry = Received(request.headers.get("webhook-id", ""), verified, payload,
                         body=body, headers=dict(request.headers))  # fmt: skip
        self.received.append(entry)
        self.arrived.set()
        if self.hold is not None:
            await self.hold.wait()
            if request.transport is None or request.transport.is_closing():
                return web.Response(status=499)  # the sender is gone: nobody hears this
        status = self.answers.pop(0) if self.answers else 200
        entry.answered = status
        return web.Response(status=status, text="ok" if status == 200 else "try again")

    def delivered(self) -> list[Received]:
        return [r for r in self.received if r.answered == 200]


@asynccontextmanager
async def receiving() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hooks", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hooks"
    try:
        yield receiver
    finally:
        if receiver.hold is not None:
            receiver.hold.set()
        await runner.cleanup()
