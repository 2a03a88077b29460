"""What every delivery job uses, built once per worker process."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

import aiohttp
from redis.asyncio import Redis
from saq import Queue

from auth.mail import Mailer
from auth.signing import Signer
from config import Settings
from connectors.http import JsonService
from connectors.twilio import TwilioClient

DONE_TTL_S = 30 * 24 * 3600  # longer than any vendor retries a webhook (Stripe: 3 days)


class Busy(Exception):
    """Another run of this delivery holds it now (the queue may run a job twice: its sweep
    can take a job just being started for a lost one). The queue tries again later, when
    the other run has finished it or, having died, let its claim expire."""


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

    async def claim(self, key: str, ttl_s: float) -> None:
        """Holds the delivery for `ttl_s` (as long as a run may take); `Busy` if held."""
        held = await self.redis.set(f"{self.prefix}claim:{key}", b"1", nx=True, ex=ceil(ttl_s))
        if not held:
            raise Busy(key)


def unsubscribe_signer(secret_key: str) -> Signer:
    return Signer(secret_key, "unsubscribe")
