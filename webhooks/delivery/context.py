"""What every delivery job uses, built once per worker process."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from redis.asyncio import Redis
from saq import Queue

from auth.mail import Mailer
from auth.signing import Signer
from config import Settings
from connectors.http import JsonService
from connectors.twilio import TwilioClient

DONE_TTL_S = 30 * 24 * 3600  # longer than any vendor retries a webhook (Stripe: 3 days)


@dataclass(frozen=True)
class Deliveries:
    settings: Settings
    redis: Redis
    queue: Queue
    hubspot: JsonService
    mailer: Mailer
    twilio: TwilioClient | None
    client_hooks: aiohttp.ClientSession  # SSRF-guarded (delivery/targets.py)

    @property
    def prefix(self) -> str:
        return self.settings.redis_key_prefix

    def unsubscribe_signer(self) -> Signer:
        return unsubscribe_signer(self.settings.secret_key)

    async def done(self, key: str) -> bool:
        """Was this delivery made before (by any worker, in any earlier run)?"""
        return bool(await self.redis.exists(f"{self.prefix}done:{key}"))

    async def mark_done(self, key: str) -> None:
        await self.redis.set(f"{self.prefix}done:{key}", b"1", ex=DONE_TTL_S)


def unsubscribe_signer(secret_key: str) -> Signer:
    return Signer(secret_key, "unsubscribe")
