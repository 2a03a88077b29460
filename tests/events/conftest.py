"""Events out, end to end: a served gateway and a worker process on one real Redis (a key
prefix per test), the sandbox's vendors sending their signed webhooks to the gateway."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import redis
from redis.asyncio import Redis
from saq import Queue
from saq.queue.redis import RedisQueue

from app import create_app
from auth.sessions import SessionManager
from cache.codec import Codec
from cache.redis_backend import RedisCache
from cache.redis_clients import connect
from config import SANDBOX_CREDENTIALS, Settings
from sandbox.accounts import Backbone, Person
from sandbox.control import SandboxControl, VendorControl
from sandbox.runner import SandboxThread
from tests.events.worker_process import WorkerProcess
from tests.gateway.conftest import GatewayClient
from tests.gateway.freshness import signing
from tests.gateway.freshness.served import Served, serving
from tests.gateway.upstream_state import _call
from webhooks.delivery.queue import queue_name

REDIS_URL = "redis://127.0.0.1:6379/0"
T = TypeVar("T")


@pytest.fixture
def twilio(sandbox_thread: SandboxThread) -> VendorControl:
    """The Twilio sandbox, its messages, knobs and request log reset."""
    control = VendorControl(sandbox_thread.messaging_urls["twilio"])
    control.reset()
    return control


def texts(twilio: VendorControl) -> list[dict[str, Any]]:
    """The messages Twilio holds, read over its API as an independent client would."""
    sid, token = SANDBOX_CREDENTIALS["TWILIO_ACCOUNT_SID"], SANDBOX_CREDENTIALS["TWILIO_AUTH_TOKEN"]
    login = base64.b64encode(f"{sid}:{token}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - the loopback sandbox
        f"{twilio.base_url}/2010-04-01/Accounts/{sid}/Messages.json",
        headers={"Authorization": f"Basic {login}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        found: list[dict[str, Any]] = json.loads(response.read())["messages"]
    return found


@pytest.fixture
def events_settings(
    urls: dict[str, str], sandbox_thread: SandboxThread, twilio: VendorControl, tmp_path: Path
) -> Iterator[Settings]:
    prefix = f"test:{secrets.token_hex(8)}:"
    yield replace(
        Settings().with_sandbox(urls | sandbox_thread.messaging_urls),
        secret_key="test-secret-key",
        outbox_dir=tmp_path / "outbox",
        redis_url=REDIS_URL,
        redis_key_prefix=prefix,
        stripe_webhook_secret=signing.STRIPE_SECRET,
        hubspot_client_secret=signing.HUBSPOT_SECRET,
        zendesk_webhook_secret=signing.ZENDESK_SECRET,
        drive_webhook_token=signing.DRIVE_TOKEN,
        webhook_retry_scale=0.001,  # 5 s, 300 s, 1800 s … become 5 ms, 0.3 s, 1.8 s …
        webhook_timeout_s=3.0,
        worker_sweep_s=1,
    )
    with redis.Redis.from_url(REDIS_URL) as client:
        keys = [*client.scan_iter(match=f"{prefix}*"), *client.scan_iter(match=f"saq:*{prefix}*")]
        if keys:
            client.delete(*keys)


@dataclass
class Events:
    """A served gateway, its worker process, and ways to watch what they deliver."""

    served: Served
    worker: WorkerProcess
    settings: Settings
    redis: Redis
    queue: Queue

    @property
    def url(self) -> str:
        return self.served.url

    async def token_for(self, person: Person) -> str:
        """A session as sign-in issues it. Its record goes to Redis from here: the served
        gateway's own Redis client belongs to its server thread's event loop."""
        cache = RedisCache(connect(self.settings.redis_url), Codec([]),
                           prefix=self.settings.redis_key_prefix)  # fmt: skip
        try:
            return await SessionManager(self.settings.secret_key, cache).issue(person.contact_id)
        finally:
            await cache.close()

    async def graphql(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: Person
    ) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as http:
            response = await http.post(
                "/graphql",
                json={"query": query, "variables": variables or {}},
                headers={"Authorization": f"Bearer {await self.token_for(as_)}"},
            )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def drained(self, timeout_s: float = 20.0) -> None:
        """Waits until the queue has nothing pending (scheduled retries included)."""
        await until(lambda: self._idle(), timeout_s)

    async def _idle(self) -> bool:
        return await self.queue.count("incomplete") == 0

    def mails(self, to: str | None = None) -> list[EmailMessage]:
        folder = self.settings.outbox_dir
        found = [_message(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]
        return [m for m in found if to is None or m["To"] == to]


def _message(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def set_preferences(urls: dict[str, str], person: Person, document: dict[str, Any]) -> None:
    """A member's preferences as HubSpot holds them, written over its API (a CRM user's edit)."""
    properties = {"portal_notification_preferences": json.dumps(document)}
    _call(urls, "hubspot", "PATCH", f"/crm/v3/objects/contacts/{person.contact_id}",
          {"properties": properties})  # fmt: skip


ONLY_EMAIL = {"email": True, "sms": False, "in_app": False}
EVERY_CHANNEL = {"email": True, "sms": True, "in_app": True}
EMAIL_AND_APP = {"email": True, "sms": False, "in_app": True}


def everything(channels: dict[str, bool]) -> dict[str, Any]:
    kinds = ("invoice_generated", "ticket_status_changed", "renewal_reminder", "usage_threshold",
             "document_added")  # fmt: skip
    return {"version": 1} | {kind: channels for kind in kinds}


async def until(check: Callable[[], Awaitable[bool]], timeout_s: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout_s} s")
        await asyncio.sleep(0.05)


@pytest.fixture
async def events(
    events_settings: Settings, sandbox: SandboxControl, tmp_path: Path
) -> AsyncIterator[Events]:
    with serving(lambda url: replace(events_settings, public_url=url)) as served:
        settings = served.gateway.settings
        for vendor, secret in {"stripe": signing.STRIPE_SECRET, "hubspot": signing.HUBSPOT_SECRET,
                               "zendesk": signing.ZENDESK_SECRET}.items():  # fmt: skip
            target = {"url": f"{served.url}/webhooks/{vendor}", "secret": secret}
            sandbox[vendor].call("PUT", "/_sandbox/webhooks", target)
        worker = WorkerProcess(settings, tmp_path / "worker.log").start()
        client = Redis.from_url(REDIS_URL)
        queue = Queue.from_url(REDIS_URL, name=queue_name(settings.redis_key_prefix))
        await queue.connect()
        running = Events(served, worker, settings, client, queue)
        try:
            yield running
        finally:
            running.worker.stop()  # a test may have replaced it
            for log in sorted(tmp_path.glob("worker*.log")):  # noqa: ASYNC240 - teardown
                print(log.read_text())  # shown when a test fails
            await queue.disconnect()
            await client.aclose()


@asynccontextmanager
async def zendesk_to_a_served_gateway(
    settings: Settings, sandbox: SandboxControl, tmp_path: Path, queue_redis: Redis
) -> AsyncIterator[Events]:
    """A served gateway on `settings` with Zendesk's webhooks pointed at it and a worker
    process beside it; the test watches the queue on `queue_redis` (closed after)."""
    with serving(lambda url: replace(settings, public_url=url)) as served:
        target = {"url": f"{served.url}/webhooks/zendesk", "secret": signing.ZENDESK_SECRET}
        sandbox["zendesk"].call("PUT", "/_sandbox/webhooks", target)
        worker = WorkerProcess(served.gateway.settings, tmp_path / "worker.log").start()
        queue = RedisQueue(queue_redis, name=queue_name(settings.redis_key_prefix))
        running = Events(served, worker, served.gateway.settings, queue_redis, queue)
        try:
            yield running
        finally:
            running.worker.stop()
            print((tmp_path / "worker.log").read_text())
            await queue_redis.aclose()


@asynccontextmanager
async def open_client(settings: Settings, backbone: Backbone) -> AsyncIterator[GatewayClient]:
    """A gateway on the test's Redis, in-process (no worker): for what needs no delivery."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            yield GatewayClient(http, app.state.gateway, backbone, settings.outbox_dir)


@pytest.fixture
async def client(
    events_settings: Settings, sandbox: SandboxControl, backbone: Backbone
) -> AsyncIterator[GatewayClient]:
    async with open_client(events_settings, backbone) as opened:
        yield opened
