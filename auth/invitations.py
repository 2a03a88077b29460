"""Invitation links: 256 random bits, bound to one contact and one account, valid 7 days,
single use (consumed atomically in the cache, like sign-in links) and revocable at once.

Only a hash of the token is a cache key. Each contact and account pair has at most one
outstanding link: an index names its hash, so a resend or a revocation kills the old link.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from cache.backend import CacheBackend

INVITATION_TTL_S = 7 * 24 * 3600


@dataclass(frozen=True)
class Invitation:
    contact_id: str
    account_id: str
    expires_at: float = 0.0  # epoch seconds; set when issued


class Invitations:
    def __init__(self, cache: CacheBackend, ttl_s: float = INVITATION_TTL_S) -> None:
        self._cache = cache
        self.ttl_s = ttl_s

    async def issue(self, invitation: Invitation) -> str:
        """A new link for the pair; any earlier one stops working."""
        await self.revoke(invitation)
        token = secrets.token_urlsafe(32)
        await self._store(token, invitation, time.time() + self.ttl_s)
        return token

    async def restore(self, token: str, invitation: Invitation) -> None:
        """Puts a consumed link back until its own expiry (acceptance failed upstream)."""
        if invitation.expires_at > time.time():
            await self._store(token, invitation, invitation.expires_at)

    async def _store(self, token: str, invitation: Invitation, expires_at: float) -> None:
        digest = _digest(token)
        value = f"{invitation.contact_id}:{invitation.account_id}:{expires_at}"
        ttl_s = max(expires_at - time.time(), 1.0)
        await self._cache.set(_link_key(digest), value, ttl_s)
        await self._cache.set(_index_key(invitation), digest, ttl_s)

    async def peek(self, token: str) -> Invitation | None:
        """What the link is for, without using it up (the page shown before accepting)."""
        entry = await self._cache.get(_link_key(_digest(token)))
        return None if entry is None else _parsed(entry.value)

    async def consume(self, token: str) -> Invitation | None:
        """What the link was for; None if unknown, expired, revoked or already used."""
        value = await self._cache.pop(_link_key(_digest(token)))
        if value is None:
            return None
        invitation = _parsed(value)
        if invitation is not None:
            await self._cache.delete(_index_key(invitation))
        return invitation

    async def revoke(self, invitation: Invitation) -> bool:
        """Kills the pair's outstanding link; whether there was one."""
        digest = await self._cache.pop(_index_key(invitation))
        if digest is None:
            return False
        return await self._cache.pop(_link_key(str(digest))) is not None


def _parsed(value: object) -> Invitation | None:
    """The stored invitation, if it has not expired (the cache's own TTL aside)."""
    contact_id, account_id, expires = [*str(value).split(":"), "", ""][:3]
    try:
        expires_at = float(expires)
    except ValueError:
        return None
    if not (contact_id and account_id) or expires_at <= time.time():
        return None
    return Invitation(contact_id, account_id, expires_at)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _link_key(digest: str) -> str:
    return f"invitation:{digest}"


def _index_key(invitation: Invitation) -> str:
    return f"invitation-of:{invitation.account_id}:{invitation.contact_id}"
