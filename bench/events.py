"""`python -m bench.events`: event-to-delivery latency of events out, and the fan-out of a
subscription across two replicas.

Two gateway replicas (A, B: uvicorn in threads) and one worker process share one Redis;
the sandbox runs in a thread. Each round POSTs a vendor-signed webhook to replica B, as the
vendor would, and times until: the mail is in the outbox (email), the item is in the
member's feed (in-app, seen on the feed's pub/sub announcement), a local client endpoint
has the Standard Webhooks delivery (client webhook), and a `ticketUpdated` subscription
receives the ticket on replica A and on replica B (fan-out across replicas). Needs Redis on
127.0.0.1:6379 (a key prefix of its own, removed after).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from email import message_from_bytes
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import aiohttp
import redis
import uvicorn
from aiohttp import web
from redis.asyncio import Redis

from app import create_app
from auth.sessions import SessionManager
from bench.command import REPO, child_env
from bench.stats import Summary
from cache.codec import Codec
from cache.redis_backend import RedisCache
from cache.redis_clients import connect
from config import Settings
from resolvers.request.ids import encode_id
from sandbox.runner import SandboxConfig, SandboxThread
from sandbox.stripe.webhooks import sign as stripe_sign
from sandbox.zendesk.webhooks import sign as zendesk_sign
from webhooks.events.types import event_id

REDIS_URL = "redis://127.0.0.1:6379/0"
ACME = "1001"
CREATE_ENDPOINT = """mutation($u: String!) {
  createWebhookEndpoint(url: $u, events: ["invoice.created"]) { secret } }"""
TICKET = 145  # one of ACME's tickets in the seed
STRIPE_SECRET, ZENDESK_SECRET = "whsec_bench", "zendesk-bench"
PREFERENCES = {"version": 1} | {
    kind: {"email": True, "sms": False, "in_app": True}
    for kind in ("invoice_generated", "ticket_status_changed", "renewal_reminder",
                 "usage_threshold", "document_added")
}  # fmt: skip


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(create_app(replace(settings, public_url=url)),
                                           log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join()


@contextmanager
def worker(settings: Settings, log: Path) -> Iterator[None]:
    env = child_env({
        "REDIS_URL": settings.redis_url, "REDIS_KEY_PREFIX": settings.redis_key_prefix,
        "HUBSPOT_BASE_URL": settings.hubspot_base_url,
        "HUBSPOT_ACCESS_TOKEN": settings.hubspot_access_token,
        "PORTAL_SECRET_KEY": settings.secret_key, "PORTAL_PUBLIC_URL": settings.public_url,
        "PORTAL_OUTBOX_DIR": str(settings.outbox_dir),
    })  # fmt: skip
    with log.open("wb") as out:
        child = subprocess.Popen(
            [sys.executable, "-c", "import cli; cli.main(['worker', '--no-sandbox'])"],
            env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        while b"worker started" not in log.read_bytes():
            time.sleep(0.05)
        yield
    finally:
        child.terminate()
        child.wait(timeout=20)


class Clock:
    """When each awaited thing was first seen, by key."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self.changed = asyncio.Event()

    def mark(self, key: str) -> None:
        self.seen.setdefault(key, time.perf_counter())
        self.changed.set()

    async def wait(self, keys: list[str], timeout_s: float = 20.0) -> None:
        deadline = time.perf_counter() + timeout_s
        while not all(k in self.seen for k in keys):
            if time.perf_counter() > deadline:
                missing = [k for k in keys if k not in self.seen]
                raise TimeoutError(f"not seen: {missing}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), timeout=0.002)


def watch_outbox(folder: Path, admin: str, clock: Clock, stop: threading.Event) -> None:
    """In a thread of its own, so that reading files never delays the event loop's clocks."""
    known: set[str] = set()
    while not stop.is_set():
        names = os.listdir(folder) if folder.is_dir() else []
        for name in names:
            if name.endswith(".eml") and name not in known:
                raw = (folder / name).read_bytes()
                if b"\n\n" not in raw:
                    continue  # still being written: read it again next time
                known.add(name)
                message = message_from_bytes(raw)
                if message["To"] == admin and message["X-Portal-Event-Id"]:
                    # From a thread: `Clock.wait` polls, so no event is needed.
                    clock.seen.setdefault(
                        f"email:{message['X-Portal-Event-Id']}", time.perf_counter()
                    )
        time.sleep(0.002)


async def watch_feed(client: Redis, prefix: str, admin_id: str, clock: Clock) -> None:
    async with client.pubsub() as pubsub:
        await pubsub.subscribe(f"{prefix}live")
        async for raw in pubsub.listen():
            if raw.get("type") == "message":
                found = json.loads(raw["data"])
                if found.get("contact_id") == admin_id:
                    clock.mark(f"in_app:{found['event']['id']}")


async def receiver(clock: Clock) -> tuple[web.AppRunner, str]:
    async def handle(request: web.Request) -> web.Response:
        clock.mark(f"hook:{request.headers['webhook-id']}")
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hooks", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/hooks"


async def subscribe(http: aiohttp.ClientSession, url: str, token: str, account: str,
                    clock: Clock, name: str) -> asyncio.Task[None]:  # fmt: skip
    ws = await http.ws_connect(url.replace("http", "ws") + "/graphql",
                               protocols=["graphql-transport-ws"])  # fmt: skip
    await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    await ws.receive_json()
    query = "subscription($a: ID!) { ticketUpdated(accountId: $a) { number status } }"
    await ws.send_json({"id": "1", "type": "subscribe",
                        "payload": {"query": query, "variables": {"a": account}}})  # fmt: skip

    async def listen() -> None:
        round_no = 0
        async for message in ws:
            if json.loads(message.data).get("type") == "next":
                clock.mark(f"{name}:{round_no}")
                round_no += 1

    return asyncio.create_task(listen())


async def post(http: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]) -> None:
    async with http.post(url, data=body, headers=headers) as response:
        assert response.status == 200, await response.text()


async def measure(
    rounds: int, settings: Settings, ids: tuple[str, str, int], replicas: tuple[str, str],
    admin_email: str, admin_id: str, token: str,
) -> dict[str, list[float]]:  # fmt: skip
    a, b = replicas
    clock = Clock()
    stop = threading.Event()
    client = Redis.from_url(REDIS_URL)
    runner, hook_url = await receiver(clock)
    samples: dict[str, list[float]] = {k: [] for k in
                                       ("email", "in_app", "client_webhook", "subscription_same",
                                        "subscription_other")}  # fmt: skip
    async with aiohttp.ClientSession() as http:
        created = await graphql(http, b, token, CREATE_ENDPOINT, {"u": hook_url})
        assert created["data"]["createWebhookEndpoint"]["secret"], created
        outbox = threading.Thread(target=watch_outbox, daemon=True,
                                  args=(settings.outbox_dir, admin_email, clock, stop))  # fmt: skip
        outbox.start()
        prefix = settings.redis_key_prefix
        tasks = [asyncio.create_task(watch_feed(client, prefix, admin_id, clock))]
        account = encode_id("Account", ACME, ACME)
        tasks.append(await subscribe(http, a, token, account, clock, "subscription_other"))
        tasks.append(await subscribe(http, b, token, account, clock, "subscription_same"))
        await asyncio.sleep(0.5)
        customer, organization, ticket = ids
        for i in range(rounds):
            vendor_id = f"evt_bench_{secrets.token_hex(6)}"
            body = stripe_event(vendor_id, customer, i)
            started = time.perf_counter()
            await post(http, f"{b}/webhooks/stripe", body,
                       {"Content-Type": "application/json",
                        "Stripe-Signature": stripe_sign(STRIPE_SECRET, body)})  # fmt: skip
            portal_id = portal_event_id(vendor_id)
            keys = {"email": f"email:{portal_id}", "in_app": f"in_app:{portal_id}",
                    "client_webhook": f"hook:{portal_id}"}  # fmt: skip
            await clock.wait(list(keys.values()))
            for name, key in keys.items():
                samples[name].append(clock.seen[key] - started)
            body = zendesk_event(organization, ticket, i)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            started = time.perf_counter()
            await post(http, f"{b}/webhooks/zendesk", body,
                       {"Content-Type": "application/json",
                        "X-Zendesk-Webhook-Signature": zendesk_sign(ZENDESK_SECRET, stamp, body),
                        "X-Zendesk-Webhook-Signature-Timestamp": stamp})  # fmt: skip
            names = ["subscription_same", "subscription_other"]
            await clock.wait([f"{n}:{i}" for n in names])
            for name in names:
                samples[name].append(clock.seen[f"{name}:{i}"] - started)
        stop.set()
        for task in tasks:
            task.cancel()
    await runner.cleanup()
    await client.aclose()
    return samples


def portal_event_id(vendor_event_id: str) -> str:
    """The id the portal derives from the vendor's (webhooks/events/derived.py)."""
    return event_id("stripe", f"{vendor_event_id}:{ACME}", "invoice.created")


async def graphql(http: aiohttp.ClientSession, base: str, token: str, query: str,
                  variables: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    async with http.post(f"{base}/graphql", json={"query": query, "variables": variables},
                         headers={"Authorization": f"Bearer {token}"}) as response:  # fmt: skip
        found: dict[str, Any] = await response.json()
        return found


def bench_ids(sandbox: SandboxThread) -> tuple[str, str, int]:
    """ACME's Stripe customer, Zendesk organization, and one of its tickets."""
    acme = sandbox.backbone.company(ACME)
    return acme.stripe_customer_id, str(acme.zendesk_organization_id), TICKET


def stripe_event(vendor_id: str, customer: str, i: int) -> bytes:
    invoice = {"id": f"in_bench_{i}", "object": "invoice", "customer": customer,
               "number": f"BENCH-{i}", "amount_due": 1000 + i, "currency": "usd"}  # fmt: skip
    event = {"id": vendor_id, "object": "event", "type": "invoice.created",
             "created": int(time.time()), "data": {"object": invoice}}  # fmt: skip
    return json.dumps(event).encode()


def zendesk_event(organization: str, ticket: int, i: int) -> bytes:
    status = ("open", "pending")[i % 2]
    return json.dumps({
        "id": secrets.token_hex(8), "type": "zen:event-type:ticket.status_changed",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "subject": f"zen:ticket:{ticket}",
        "detail": {"id": str(ticket), "organization_id": organization, "status": status.upper()},
        "event": {"current": status, "previous": "new"},
    }).encode()  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.events")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    prefix = f"bench:{secrets.token_hex(4)}:"
    with TemporaryDirectory() as tmp, SandboxThread(SandboxConfig(port_base=0)) as sandbox:
        people = sandbox.backbone.people_of(ACME)
        admin = next(p for p in people if p.role == "ADMIN" and p.status == "ACTIVE")
        for person in people:
            _set_preferences(sandbox.urls["hubspot"], person.contact_id)
        settings = replace(
            Settings().with_sandbox(sandbox.urls), secret_key=secrets.token_urlsafe(32),
            outbox_dir=Path(tmp) / "outbox", redis_url=REDIS_URL, redis_key_prefix=prefix,
            stripe_webhook_secret=STRIPE_SECRET, zendesk_webhook_secret=ZENDESK_SECRET,
            cache_ttl_s=0.5,
        )  # fmt: skip
        try:
            with (
                serving(settings) as a,
                serving(settings) as b,
                worker(settings, Path(os.environ.get("BENCH_WORKER_LOG", Path(tmp) / "w.log"))),
            ):
                token = asyncio.run(_session(settings, admin.contact_id))
                samples = asyncio.run(measure(args.rounds, settings, bench_ids(sandbox), (a, b),
                                              admin.email, admin.contact_id, token))  # fmt: skip
        finally:
            with redis.Redis.from_url(REDIS_URL) as client:
                keys = [
                    *client.scan_iter(match=f"{prefix}*"),
                    *client.scan_iter(match=f"saq:*{prefix}*"),
                ]
                if keys:
                    client.delete(*keys)
    print(f"Events out: vendor webhook to replica B -> delivery ({args.rounds} rounds, ms)")
    print(f"{'channel':<34}{'p50':>8}{'p95':>8}{'max':>8}")
    labels = {
        "email": "email (in the outbox)",
        "in_app": "in-app (in the feed)",
        "client_webhook": "client webhook (endpoint has it)",
        "subscription_same": "subscription on replica B",
        "subscription_other": "subscription on replica A (fan-out)",
    }
    for name, found in samples.items():
        s = Summary.of(found)
        print(f"{labels[name]:<34}{s.p50_ms:>8.1f}{s.p95_ms:>8.1f}{s.max_ms:>8.1f}")


def _set_preferences(hubspot_url: str, contact_id: str) -> None:
    import urllib.request

    properties = {"portal_notification_preferences": json.dumps(PREFERENCES)}
    request = urllib.request.Request(  # noqa: S310 - the loopback sandbox
        f"{hubspot_url}/crm/v3/objects/contacts/{contact_id}", method="PATCH",
        data=json.dumps({"properties": properties}).encode(),
        headers={"Authorization": "Bearer pat-sandbox", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


async def _session(settings: Settings, contact_id: str) -> str:
    """A session as sign-in issues it: signed with the replicas' key, its record written to
    the Redis they share (a session is valid only while its record is there)."""
    cache = RedisCache(connect(settings.redis_url), Codec([]), prefix=settings.redis_key_prefix)
    try:
        return await SessionManager(settings.secret_key, cache).issue(contact_id)
    finally:
        await cache.close()


if __name__ == "__main__":
    main()
