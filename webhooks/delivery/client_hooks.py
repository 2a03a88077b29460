"""Client webhook deliveries, signed per Standard Webhooks (`webhook-id`,
`webhook-timestamp`, `webhook-signature`, by the `standardwebhooks` library). For a while
after a rotation `webhook-signature` carries two signatures, by the new secret and the old.

An attempt is a queue job; a failed one schedules the next on the queue after the delay in
`SCHEDULE` (times `Settings.webhook_retry_scale`), ~27.6 hours in all, as Svix does. The
id stays the same across attempts, so a receiver drops a duplicate. A run of failures, or
an event that fails to the end, disables the endpoint and mails the account's ADMINs."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
from saq import Queue
from standardwebhooks.webhooks import Webhook

from auth.mail import compose
from webhooks.delivery import attempts, endpoints, queue, targets
from webhooks.delivery.context import Deliveries
from webhooks.delivery.recipients import admins, members_of
from webhooks.events.types import PortalEvent

# Seconds to wait after failed attempt n (1-based) before attempt n + 1.
SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)
USER_AGENT = "ClientPortal-Webhooks/1"


@dataclass(frozen=True)
class Sent:
    status: int | None
    latency_ms: float
    response: str

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def body_of(event: PortalEvent) -> str:
    """The payload: Standard Webhooks' type, timestamp (ISO 8601) and data."""
    stamp = datetime.fromtimestamp(event.occurred_at or time.time(), UTC)
    payload = {
        "type": event.type,
        "timestamp": stamp.isoformat().replace("+00:00", "Z"),
        "data": {"event_id": event.id, "account_id": event.account_id, **event.data},
    }
    return json.dumps(payload, separators=(",", ":"))


def signed_headers(event_id: str, secrets: Sequence[str], body: str) -> dict[str, str]:
    """Signed by each secret; a receiver accepts the delivery if any signature is its own."""
    now = datetime.now(UTC)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(Webhook(s).sign(event_id, now, body) for s in secrets),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


async def post(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str], body: str, *,
    allow_loopback: bool,
) -> Sent:  # fmt: skip
    started = time.perf_counter()
    try:
        targets.check_url(url, allow_loopback=allow_loopback)
        async with session.post(url, data=body, headers=headers, allow_redirects=False) as answer:
            snippet = await answer.content.read(targets.RESPONSE_CAP_BYTES)
            text = snippet[: attempts.SNIPPET_CHARS].decode("utf-8", "replace")
            return Sent(answer.status, _since(started), text)
    except targets.TargetRefused as exc:
        return Sent(None, _since(started), str(exc))
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        return Sent(None, _since(started), f"no answer: {type(exc).__name__}")


async def deliver_webhook(
    ctx: dict[str, Any], *, event: str, endpoint_id: str, attempt: int
) -> str:
    """The queue task: one attempt of one event to one endpoint."""
    deliveries: Deliveries = ctx["deliveries"]
    found = PortalEvent.from_json(event)
    done_key = f"hook:{found.id}:{endpoint_id}"
    attempt_key = f"{done_key}:{attempt}"
    if await deliveries.done(done_key) or await deliveries.done(attempt_key):
        return "already delivered, or this attempt made"
    await deliveries.claim(attempt_key, _attempt_s(deliveries.settings.webhook_timeout_s))
    endpoint = next(
        (e for e in await endpoints.endpoints_of(deliveries.hubspot, found.account_id)
         if e.id == endpoint_id), None,
    )  # fmt: skip
    if endpoint is None or not endpoint.enabled:
        return "endpoint gone or disabled"
    box = endpoints.SecretBox(deliveries.settings.secret_key)
    signing = [box.open(sealed) for sealed in endpoint.signing_secrets(time.time())]
    body = body_of(found)
    sent = await post(
        deliveries.client_hooks, endpoint.url, signed_headers(found.id, signing, body), body,
        allow_loopback=deliveries.settings.webhook_allow_loopback,
    )  # fmt: skip
    logged = attempts.Attempt(found.id, found.type, attempt, time.time(), sent.status,
                              sent.latency_ms, sent.response, sent.delivered)  # fmt: skip
    failures = await attempts.record(deliveries.redis, deliveries.prefix, endpoint.id, logged)
    if sent.delivered:
        await deliveries.mark_done(done_key)
        return "delivered"
    last = attempt > len(SCHEDULE)
    if failures >= deliveries.settings.webhook_disable_after or last:
        await _disable(deliveries, found.account_id, endpoint, failures)
        outcome = "endpoint disabled"
    else:
        await _retry_later(deliveries, found, endpoint.id, attempt)
        outcome = f"attempt {attempt} failed"
    await deliveries.mark_done(attempt_key)
    return outcome


async def enqueue_delivery(
    q: Queue, event: PortalEvent, endpoint_id: str, *, timeout_s: float, attempt: int = 1,
    delay_s: float = 0.0,
) -> None:  # fmt: skip
    scheduled = math.ceil(time.time() + delay_s) if delay_s > 0 else 0
    await queue.enqueue(
        q, "deliver_webhook", f"hook:{event.id}:{endpoint_id}:{attempt}",
        event=event.to_json(), endpoint_id=endpoint_id, attempt=attempt, scheduled=scheduled,
        # An attempt takes at most the request's timeout: one still running after that was
        # on a worker that died, and the sweep runs it again. A run finding the attempt
        # claimed by another (`Busy`) tries again a second later, until the other has made
        # it or its claim has expired.
        timeout=_attempt_s(timeout_s), retries=2 * _attempt_s(timeout_s), retry_delay=1.0,
        retry_backoff=False,
    )  # fmt: skip


def _attempt_s(timeout_s: float) -> int:
    """How long one attempt may take: the request's timeout, and time to log it."""
    return math.ceil(timeout_s) + 2


async def _retry_later(
    deliveries: Deliveries, event: PortalEvent, endpoint_id: str, attempt: int
) -> None:
    settings = deliveries.settings
    await enqueue_delivery(
        deliveries.queue, event, endpoint_id, timeout_s=settings.webhook_timeout_s,
        attempt=attempt + 1, delay_s=SCHEDULE[attempt - 1] * settings.webhook_retry_scale,
    )  # fmt: skip


async def _disable(
    deliveries: Deliveries, account_id: str, endpoint: endpoints.Endpoint, failures: int
) -> None:
    reason = f"disabled after {failures} failed deliveries in a row"
    current = await endpoints.endpoints_of(deliveries.hubspot, account_id)
    await endpoints.save(
        deliveries.hubspot, account_id,
        [endpoints.disabled(e, reason) if e.id == endpoint.id else e for e in current],
    )  # fmt: skip
    for admin in admins(await members_of(deliveries.hubspot, account_id)):
        if admin.email:
            await deliveries.mailer.send(compose(
                deliveries.settings.mail_from, admin.email,
                "A webhook endpoint of your portal was disabled",
                f"Hello {admin.name},\n\nThe webhook endpoint {endpoint.url} was {reason}.\n"
                f"See its delivery log and turn it back on in the portal: "
                f"{deliveries.settings.public_url}/settings/webhooks\n",
            ))  # fmt: skip


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
