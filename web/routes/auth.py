"""HTTP routes of sign-in: request a magic link, open it, consume it, log out."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from auth.magic_links import MagicLinks
from auth.mail import Mailer, compose
from auth.rate_limit import RateLimit, RateLimiter
from auth.sessions import ABSOLUTE_TIMEOUT_S, SESSION_COOKIE, SessionManager
from auth.viewer import MemberStatus, Role
from auth.viewer_lookup import read_viewer
from connectors import hubspot
from connectors.http import JsonService, UpstreamError

log = logging.getLogger("portal.auth")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")
_ACCEPTED = {
    "status": "accepted",
    "message": "If that address belongs to a portal member, a sign-in link is on its way.",
}
PER_EMAIL = RateLimit(limit=5, window_s=15 * 60)
PER_IP = RateLimit(limit=30, window_s=15 * 60)


@dataclass(frozen=True)
class AuthServices:
    hubspot: JsonService
    sessions: SessionManager
    links: MagicLinks
    mailer: Mailer
    limiter: RateLimiter
    public_url: str
    mail_from: str
    secure_cookies: bool


def auth_routes(services: Callable[[], AuthServices]) -> list[Route]:
    """The routes; `services` gives the running app's services (made in its lifespan)."""
    flow = _SignIn(services)
    return [
        Route("/auth/magic-link", flow.request_link, methods=["POST"]),
        Route("/auth/magic-link/{token}", flow.show_link, methods=["GET"]),
        Route("/auth/magic-link/{token}", flow.consume_link, methods=["POST"]),
        Route("/auth/logout", flow.logout, methods=["POST"]),
    ]


class _SignIn:
    def __init__(self, services: Callable[[], AuthServices]) -> None:
        self._services = services

    @property
    def s(self) -> AuthServices:
        return self._services()

    async def request_link(self, request: Request) -> Response:
        email = await _email_from(request)
        if email is None:
            return JSONResponse(
                {"error": "BAD_USER_INPUT", "message": 'Send {"email": "you@example.com"}.'},
                status_code=400,
            )
        ip = request.client.host if request.client else "unknown"
        allowed_ip = await self.s.limiter.allow(f"magic-ip:{ip}", PER_IP)
        allowed_email = await self.s.limiter.allow(f"magic-email:{email}", PER_EMAIL)
        if not (allowed_ip and allowed_email):
            return JSONResponse(
                {"error": "RATE_LIMITED", "message": "Too many sign-in requests. Try later."},
                status_code=429,
                headers={"Retry-After": str(int(PER_EMAIL.window_s))},
            )
        # The look-up and the mail happen after the response is sent, so neither the answer
        # nor its timing tells whether the address belongs to a member.
        return JSONResponse(
            _ACCEPTED, status_code=202, background=BackgroundTask(self._send_link, email)
        )

    async def _send_link(self, email: str) -> None:
        try:
            [contact] = await hubspot.contacts_by_email(self.s.hubspot, [email])
        except UpstreamError:
            return
        if contact is None or contact.portal_status != MemberStatus.ACTIVE:
            return
        if contact.portal_role not in tuple(Role):
            return
        token = await self.s.links.issue(contact.id)
        link = f"{self.s.public_url}/auth/magic-link/{token}"
        text = (
            f"Hello {contact.first_name or ''},\n\nSign in to your client portal:\n\n{link}\n\n"
            f"The link works once and expires in {round(self.s.links.ttl_s / 60)} minutes. "
            "If you did not "
            "ask for it, ignore this message.\n"
        )
        await self.s.mailer.send(
            compose(self.s.mail_from, contact.email or email, "Your sign-in link", text)
        )

    async def show_link(self, request: Request) -> Response:
        # Opening the link only shows a button: mail scanners that prefetch links do not
        # use them up.
        token = html.escape(request.path_params["token"], quote=True)
        page = (
            "<!doctype html><html><head><meta charset='utf-8'><title>Sign in</title></head>"
            "<body><h1>Sign in to your client portal</h1>"
            f"<form method='post' action='/auth/magic-link/{token}'>"
            "<button type='submit'>Sign in</button></form></body></html>"
        )
        return HTMLResponse(page, headers={"Cache-Control": "no-store", "Referrer-Policy":
                                           "no-referrer"})  # fmt: skip

    async def consume_link(self, request: Request) -> Response:
        contact_id = await self.s.links.consume(request.path_params["token"])
        viewer = None
        if contact_id is not None:
            try:
                viewer = await read_viewer(self.s.hubspot, contact_id)
            except UpstreamError:
                return JSONResponse(
                    {"error": "UPSTREAM_UNAVAILABLE", "message": "Try the link again."},
                    status_code=503,
                )
        if viewer is None:
            return JSONResponse(
                {"error": "UNAUTHENTICATED",
                 "message": "This sign-in link is invalid, expired or already used. "
                 "Ask for a new one."},
                status_code=401,
            )  # fmt: skip
        token = self.s.sessions.issue(viewer.contact_id)
        response: Response
        if "application/json" in request.headers.get("accept", ""):
            response = JSONResponse({"token": token, "tokenType": "Bearer",
                                     "expiresIn": ABSOLUTE_TIMEOUT_S})  # fmt: skip
        else:
            response = RedirectResponse("/graphql", status_code=303)
        set_session_cookie(response, token, secure=self.s.secure_cookies)
        # After the answer: the member's `lastSignInAt` never delays their sign-in.
        response.background = BackgroundTask(self._note_sign_in, viewer.contact_id)
        return response

    async def _note_sign_in(self, contact_id: str) -> None:
        moment = hubspot.timestamp(datetime.now(UTC))
        try:
            await hubspot.set_contact_fields(
                self.s.hubspot, contact_id, {"last_sign_in_at": moment}
            )
        except UpstreamError:
            log.warning("could not note the sign-in of contact %s", contact_id, exc_info=True)

    async def logout(self, request: Request) -> Response:
        token = session_token_of(request)
        if token is not None:
            session = await self.s.sessions.verify(token, sliding=False)
            if session is not None:
                await self.s.sessions.revoke(session)
        response = Response(status_code=204)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


def set_session_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=ABSOLUTE_TIMEOUT_S, path="/", httponly=True,
        secure=secure, samesite="lax",
    )  # fmt: skip


def session_token_of(request: HTTPConnection) -> str | None:
    """The bearer token if one is sent, else the session cookie."""
    return bearer_token(request.headers.get("authorization", "")) or request.cookies.get(
        SESSION_COOKIE
    )


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` value."""
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _email_from(request: Request) -> str | None:
    body: Any
    try:
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.json()
        else:
            body = dict(await request.form())
    except ValueError:
        return None
    email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str) or not _EMAIL.match(email.strip()):
        return None
    return email.strip().lower()
