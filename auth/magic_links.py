"""Single-use sign-in links: 256 random bits, valid 15 minutes, consumed atomically.

Only a hash of the token is a cache key, so a cache dump does not hold usable links.
"""

from __future__ import annotations

import hashlib
import secrets

from cache.backend import CacheBackend

LINK_TTL_S = 15 * 60


class MagicLinks:
    def __init__(self, cache: CacheBackend, ttl_s: float = LINK_TTL_S) -> None:
        self._cache = cache
        self.ttl_s = ttl_s

    async def issue(self, contact_id: str) -> str:
        token = secrets.token_urlsafe(32)
        await self._cache.set(_key(token), contact_id, self.ttl_s)
        return token

    async def remember_mailed(self, email: str, token: str, for_s: float) -> None:
        """Notes (by its key, not the token) the link just mailed to `email`."""
        await self._cache.set(_mailed_key(email), _key(token), for_s)

    async def mailed_link_used(self, email: str) -> bool:
        """Whether the link last mailed to `email` (noted within `for_s`) is used up or
        expired: its owner then has no working link in their inbox."""
        mailed = await self._cache.get(_mailed_key(email))
        return mailed is not None and await self._cache.get(str(mailed.value)) is None

    async def consume(self, token: str) -> str | None:
        """The contact the link was issued to; None if unknown, expired or already used."""
        contact_id = await self._cache.pop(_key(token))
        return None if contact_id is None else str(contact_id)


def _mailed_key(email: str) -> str:
    return "magic-link-mailed:" + hashlib.sha256(email.encode()).hexdigest()


def _key(token: str) -> str:
    return "magic-link:" + hashlib.sha256(token.encode()).hexdigest()
