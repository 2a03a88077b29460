"""HTTP routes of sign-in: request a magic link, open it, consume it, log out. Browsers get
the pages of `web.signin_pages`; API clients (JSON) get JSON.

Asking for a link always answers 202 (whoever asks, for whatever address); each source
address may ask `PER_SOURCE` times per window, and each address gets at most one mail per
`MAIL_EVERY_S` while its link is unused: asking again meanwhile sends nothing, the link
already mailed staying valid, so nobody can lock a member out by asking for their links
(and a member whose link is used up gets a new one at once). Consuming a link and
logging out are refused to cross-site requests (web/same_origin.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

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
from resolvers.request.well_formed_text import is_well_formed
from web import same_origin, signin_pages
from web.signin_pages import next_query, safe_next

log = logging.getLogger("portal.auth")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")
_ACCEPTED = {
    "status": "accepted",
    "message": "If that address belongs to a portal member, a sign-in link is on its way.",
}
PER_SOURCE = RateLimit(limit=30, window_s=15 * 60)
MAIL_EVERY_S = 60.0
HOME = "/"
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


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
    allowed_origins: Collection[str]  # whose pages may POST sign-in and logout forms


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
        body = await _body_of(request)
        email = _email_in(body)
        next_path = safe_next(_text(body, "next"))
        browser = not _is_json(request)
        if email is None:
            if browser:
                page = signin_pages.sign_in(
                    next_path, email=_text(body, "email") or "",
                    error="Enter your work email, e.g. name@company.com.",
                )  # fmt: skip
                return HTMLResponse(page, status_code=400, headers=_NO_STORE)
            return JSONResponse(
                {"error": "BAD_USER_INPUT", "message": 'Send {"email": "you@example.com"}.'},
                status_code=400,
            )
        source = request.client.host if request.client else "unknown"
        if not await self.s.limiter.allow(f"magic-source:{source}", PER_SOURCE):
            if browser:
                return HTMLResponse(
                    signin_pages.too_many(next_path), status_code=429,
                    headers={**_NO_STORE, "Retry-After": str(int(PER_SOURCE.window_s))},
                )  # fmt: skip
            return JSONResponse(
                {"error": "RATE_LIMITED", "message": "Too many sign-in requests. Try later."},
                status_code=429,
                headers={"Retry-After": str(int(PER_SOURCE.window_s))},
            )
        mail_due = await self.s.limiter.allow(
            f"magic-mail:{email}", RateLimit(1, MAIL_EVERY_S)
        ) or await self.s.links.mailed_link_used(email)
        # The look-up and the mail happen after the response is sent, so neither the answer
        # nor its timing tells whether the address belongs to a member.
        send = BackgroundTask(self._send_link, email, next_path) if mail_due else None
        if browser:
            page = signin_pages.check_inbox(next_path)
            return HTMLResponse(page, status_code=202, headers=_NO_STORE, background=send)
        return JSONResponse(_ACCEPTED, status_code=202, background=send)

    async def _send_link(self, email: str, next_path: str) -> None:
        try:
            [contact] = await hubspot.contacts_by_email(self.s.hubspot, [email])
        except UpstreamError:
            return
        if contact is None or contact.portal_status != MemberStatus.ACTIVE:
            return
        if contact.portal_role not in tuple(Role):
            return
        token = await self.s.links.issue(contact.id)
        await self.s.links.remember_mailed(email, token, MAIL_EVERY_S)
        link = f"{self.s.public_url}/auth/magic-link/{token}{next_query(next_path)}"
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
        next_path = safe_next(request.query_params.get("next"))
        csrf = same_origin.new_csrf_token()
        page = signin_pages.open_link(request.path_params["token"], next_path, csrf)
        response = HTMLResponse(page, headers=_NO_STORE)
        same_origin.set_csrf_cookie(response, csrf, secure=self.s.secure_cookies)
        return response

    async def consume_link(self, request: Request) -> Response:
        wants_json = "application/json" in request.headers.get("accept", "")
        body = await _body_of(request)
        refused = same_origin.refusal(
            request, self.s.allowed_origins, _text(body, same_origin.CSRF_FIELD)
        )
        if refused is not None:
            return refused  # and the link stays unused
        next_path = HOME if wants_json else safe_next(_text(body, "next"))
        contact_id = await self.s.links.consume(request.path_params["token"])
        viewer = None
        if contact_id is not None:
            try:
                viewer = await read_viewer(self.s.hubspot, contact_id)
            except UpstreamError:
                if not wants_json:
                    page = signin_pages.unavailable(next_path)
                    return HTMLResponse(page, status_code=503, headers=_NO_STORE)
                return JSONResponse(
                    {"error": "UPSTREAM_UNAVAILABLE", "message": "Try the link again."},
                    status_code=503,
                )
        if viewer is None:
            if not wants_json:
                page = signin_pages.link_not_valid(next_path)
                return HTMLResponse(page, status_code=401, headers=_NO_STORE)
            return JSONResponse(
                {"error": "UNAUTHENTICATED",
                 "message": "This sign-in link is invalid, expired or already used. "
                 "Ask for a new one."},
                status_code=401,
            )  # fmt: skip
        token = await self.s.sessions.issue(viewer.contact_id)
        response: Response
        if wants_json:
            response = JSONResponse({"token": token, "tokenType": "Bearer",
                                     "expiresIn": ABSOLUTE_TIMEOUT_S})  # fmt: skip
        else:
            response = RedirectResponse(next_path, status_code=303)
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
        refused = same_origin.refusal(request, self.s.allowed_origins, None)
        if refused is not None:
            return refused
        if request.cookies.get(SESSION_COOKIE) and not _is_json(request):
            # CSRF: a cross-site form could sign the member out; a JSON body it cannot send.
            return JSONResponse(
                {"error": "BAD_REQUEST", "message": "POST with Content-Type: application/json."},
                status_code=415,
            )
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


def _is_json(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith("application/json")


async def _body_of(request: Request) -> dict[str, Any]:
    """The JSON object or the url-encoded form the request carries; {} for anything else.
    (Our forms are url-encoded: the standard library reads them, no multipart parser.)"""
    try:
        if _is_json(request):
            body: Any = await request.json()
            return body if isinstance(body, dict) else {}
        fields = parse_qs((await request.body()).decode(), max_num_fields=10)
    except ValueError:
        return {}
    return {name: values[0] for name, values in fields.items()}


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    return value if isinstance(value, str) else None


def _email_in(body: dict[str, Any]) -> str | None:
    email = _text(body, "email")
    if email is None or not is_well_formed(email) or not _EMAIL.match(email.strip()):
        return None
    return email.strip().lower()
