"""The `portal-gateway worker` process: runs the queue's jobs (an SAQ worker) with what
deliveries need. Run one beside the gateway; more for more throughput, on the gateway's
events Redis (`Settings.events_out_redis_url`: one server, or the master Sentinel names; not
a Cluster: webhooks/delivery/queue.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from saq import Worker
from saq.types import PartialTimersDict

from auth.mail import Mailer, OutboxMailer, SmtpMailer
from cache import redis_clients
from config import Settings
from connectors.http import JsonService, open_session
from connectors.twilio import TwilioClient
from webhooks.delivery import targets
from webhooks.delivery.client_hooks import deliver_webhook
from webhooks.delivery.context import Deliveries
from webhooks.delivery.email import send_email
from webhooks.delivery.fan_out import derive_events, fan_out
from webhooks.delivery.in_app import add_to_feed
from webhooks.delivery.queue import CLUSTER_REFUSED, open_queue, supports_queue
from webhooks.delivery.sms import send_sms

log = logging.getLogger("portal.worker")
FUNCTIONS: list[Any] = [derive_events, fan_out, send_email, add_to_feed, send_sms, deliver_webhook]
# A worker waits this long for a job in one blocking pop, then pops again: a pop held by a
# master that failed over ends within it. Redis commands may take up to `COMMAND_TIMEOUT_S`.
DEQUEUE_WAIT_S = 5
COMMAND_TIMEOUT_S = DEQUEUE_WAIT_S + 5


def mailer_for(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(
            settings.smtp_host, settings.smtp_port, settings.smtp_username, settings.smtp_password
        )
    return OutboxMailer(settings.outbox_dir)


@asynccontextmanager
async def open_deliveries(settings: Settings) -> AsyncIterator[Deliveries]:
    redis_url = settings.events_out_redis_url
    async with AsyncExitStack() as stack:
        queue = await stack.enter_async_context(
            open_queue(redis_url, settings.redis_key_prefix, timeout_s=COMMAND_TIMEOUT_S)
        )
        redis = redis_clients.connect_durable(redis_url, COMMAND_TIMEOUT_S)
        stack.push_async_callback(redis_clients.close, redis)
        hubspot_session = await stack.enter_async_context(open_session())
        hooks = await stack.enter_async_context(
            targets.open_session(
                allow_loopback=settings.webhook_allow_loopback,
                timeout_s=settings.webhook_timeout_s,
            )
        )
        twilio: TwilioClient | None = None
        if settings.twilio_account_sid:
            twilio_session = await stack.enter_async_context(open_session())
            twilio = TwilioClient(
                JsonService("twilio", settings.twilio_base_url, twilio_session),
                settings.twilio_account_sid,
                settings.twilio_auth_token,
                settings.twilio_from_number,
            )
        yield Deliveries(
            settings=settings,
            redis=redis,
            queue=queue,
            hubspot=JsonService(
                "hubspot",
                settings.hubspot_base_url,
                hubspot_session,
                {"Authorization": f"Bearer {settings.hubspot_access_token}"},
            ),
            mailer=mailer_for(settings),
            twilio=twilio,
            client_hooks=hooks,
        )


async def run(settings: Settings) -> None:
    if not settings.events_out_redis_url:
        raise SystemExit(
            "the worker needs PORTAL_EVENTS_REDIS_URL or REDIS_URL (its queue lives in Redis)"
        )
    if not supports_queue(settings.events_out_redis_url):
        raise SystemExit(f"the worker cannot start: {CLUSTER_REFUSED}")
    async with open_deliveries(settings) as deliveries:
        worker: Worker[Any] = Worker(
            deliveries.queue,
            FUNCTIONS,
            concurrency=settings.worker_concurrency,
            dequeue_timeout=DEQUEUE_WAIT_S,
            # SAQ's defaults, but the sweep (how soon a dead worker's job runs again).
            timers=PartialTimersDict(
                schedule=1, worker_info=10, abort=1, sweep=settings.worker_sweep_s
            ),
        )
        worker.context["deliveries"] = deliveries
        log.info("worker started on queue %s", deliveries.queue.name)
        await worker.start()


def main(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(run(settings))
