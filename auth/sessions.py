"""Signed session tokens with idle and absolute timeouts, revocable through the cache.

The same token is the HttpOnly cookie of a browser and the bearer token of other clients.
A cookie is re-issued as it is used, which slides its idle timeout; a bearer token is not
re-issued, so it lives until the absolute timeout or logout.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass

from auth.signing import BadSignature, Signer
from cache.backend import CacheBackend

SESSION_COOKIE = "portal_session"
IDLE_TIMEOUT_S = 30 * 60
ABSOLUTE_TIMEOUT_S = 12 * 3600
_REFRESH_AFTER_S = 60


@dataclass(frozen=True)
class Session:
    contact_id: str
    session_id: str
    issued_at: float
    last_seen: float

    def needs_refresh(self, now: float) -> bool:
        return now - self.last_seen > _REFRESH_AFTER_S


class SessionManager:
    def __init__(self, secret_key: str, cache: CacheBackend) -> None:
        self._signer = Signer(secret_key, "session")
        self._cache = cache

    def issue(self, contact_id: str) -> str:
        now = time.time()
        return self._encode(Session(contact_id, secrets.token_urlsafe(16), now, now))

    def refreshed(self, session: Session) -> str:
        now = time.time()
        return self._encode(Session(session.contact_id, session.session_id, session.issued_at, now))

    async def verify(self, token: str, *, sliding: bool) -> Session | None:
        try:
            payload = self._signer.unsign(token)
            session = Session(
                str(payload["sub"]), str(payload["sid"]), float(payload["iat"]),
                float(payload["seen"]),
            )  # fmt: skip
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
        now = time.time()
        if now - session.issued_at > ABSOLUTE_TIMEOUT_S:
            return None
        if sliding and now - session.last_seen > IDLE_TIMEOUT_S:
            return None
        # Side by side: one round trip to a shared cache. A miss is never kept near, so a
        # marker another replica has just written is seen on the very next request.
        revoked, cut_off = await asyncio.gather(
            self._cache.get(_revoked_key(session.session_id)),
            self._cache.get(_member_revoked_key(session.contact_id)),
        )
        if revoked is not None:
            return None
        if cut_off is not None and session.issued_at <= float(cut_off.value):
            return None  # the member was deactivated (or removed) after this sign-in
        return session

    async def revoke(self, session: Session) -> None:
        remaining = ABSOLUTE_TIMEOUT_S - (time.time() - session.issued_at)
        await self._cache.set(_revoked_key(session.session_id), True, max(remaining, 1.0))

    async def revoke_all_of(self, contact_id: str) -> None:
        """Ends every session the contact holds now, on every replica (deactivation);
        sessions issued afterwards are not affected."""
        key = _member_revoked_key(contact_id)
        await self._cache.delete(key)  # publishes: replicas drop a near copy of an older cut-off
        await self._cache.set(key, time.time(), ABSOLUTE_TIMEOUT_S)

    def _encode(self, session: Session) -> str:
        return self._signer.sign(
            {
                "sub": session.contact_id,
                "sid": session.session_id,
                "iat": session.issued_at,
                "seen": session.last_seen,
                "exp": session.issued_at + ABSOLUTE_TIMEOUT_S,
            }
        )


def _revoked_key(session_id: str) -> str:
    return f"session-revoked:{session_id}"


def _member_revoked_key(contact_id: str) -> str:
    return f"sessions-revoked-before:{contact_id}"
