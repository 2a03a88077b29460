"""Signed session tokens with idle and absolute timeouts, valid only while their live
record is in the cache: an allow-list, so losing the cache signs people out rather than
bringing a logged-out session back.

The same token is the HttpOnly cookie of a browser and the bearer token of other clients.
A cookie is re-issued as it is used, which slides its idle timeout; a bearer token is not
re-issued, so it lives until the absolute timeout or logout.

While a shared cache (Redis) is unreachable, a session this replica found alive within
`grace_s` stays valid here (a logout on another replica then reaches this one only when
Redis is back, or after `grace_s`); any other session is refused until Redis answers.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass

from cachetools import TTLCache

from auth.signing import BadSignature, Signer
from cache.backend import CacheBackend, Entry

SESSION_COOKIE = "portal_session"
IDLE_TIMEOUT_S = 30 * 60
ABSOLUTE_TIMEOUT_S = 12 * 3600
_REFRESH_AFTER_S = 60
_GRACE_MAX_SESSIONS = 100_000


@dataclass(frozen=True)
class Session:
    contact_id: str
    session_id: str
    issued_at: float
    last_seen: float

    def needs_refresh(self, now: float) -> bool:
        return now - self.last_seen > _REFRESH_AFTER_S


class SessionManager:
    def __init__(self, secret_key: str, cache: CacheBackend, *, grace_s: float = 300.0) -> None:
        self._signer = Signer(secret_key, "session")
        self._cache = cache
        # Session ids this replica found alive lately: the grace during a Redis outage.
        self._seen_alive: TTLCache[str, bool] = TTLCache(
            _GRACE_MAX_SESSIONS, ttl=grace_s, timer=time.monotonic
        )

    async def issue(self, contact_id: str) -> str:
        now = time.time()
        session = Session(contact_id, secrets.token_urlsafe(16), now, now)
        # Confirmed: a sign-in lost to a Redis failover signs the person out again at once.
        live = _live_key(session.session_id)
        await self._cache.set_confirmed(live, contact_id, ABSOLUTE_TIMEOUT_S)
        return self._encode(session)

    def refreshed(self, session: Session) -> str:
        now = time.time()
        return self._encode(Session(session.contact_id, session.session_id, session.issued_at, now))

    def signed_session_id(self, token: str) -> str | None:
        """The session id of a token we signed and that has not expired; no cache look-up,
        so it says only that the token is ours, not that the session is still live."""
        try:
            payload = self._signer.unsign(token)
        except BadSignature:
            return None
        session_id = payload.get("sid")
        return session_id if isinstance(session_id, str) else None

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
        record, cut_off = await asyncio.gather(
            self._cache.get(_live_key(session.session_id)),
            self._cache.get(_member_revoked_key(session.contact_id)),
        )
        if not self._is_alive(session, record):
            return None
        if cut_off is not None and session.issued_at <= float(cut_off.value):
            return None  # the member was deactivated (or removed) after this sign-in
        return session

    async def revoke(self, session: Session) -> None:
        self._seen_alive.pop(session.session_id, None)
        await self._cache.delete(_live_key(session.session_id))

    def _is_alive(self, session: Session, record: Entry | None) -> bool:
        if record is not None and record.value == session.contact_id:
            self._seen_alive[session.session_id] = True
            return True
        return self._cache.is_degraded and session.session_id in self._seen_alive

    async def revoke_all_of(self, contact_id: str) -> None:
        """Ends every session the contact holds now, on every replica (deactivation);
        sessions issued afterwards are not affected."""
        key = _member_revoked_key(contact_id)
        await self._cache.delete(key)  # publishes: replicas drop a near copy of an older cut-off
        await self._cache.set_confirmed(key, time.time(), ABSOLUTE_TIMEOUT_S)

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


def _live_key(session_id: str) -> str:
    return f"session:{session_id}"


def _member_revoked_key(contact_id: str) -> str:
    return f"sessions-revoked-before:{contact_id}"
