"""The invitation link: GET shows the account and a button (mail scanners that prefetch
links do not use it up); POST, from the portal's own origin only, consumes the link, makes
the member ACTIVE, signs them in and lands them in the portal."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from auth.invitations import Invitation
from auth.sessions import ABSOLUTE_TIMEOUT_S
from connectors.http import UpstreamError
from connectors.hubspot import Company
from resolvers.request.context import RequestContext
from resolvers.request.loaders import Loaders
from resolvers.team_changes import accept_invitation
from web import signin_pages
from web.routes.auth import session_token_of

if TYPE_CHECKING:
    from gateway import Gateway

GatewayOf = Callable[[], "Gateway"]
LANDING = "/?welcome=1"  # the portal's first-login guide
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_UNUSABLE = (
    "This invitation link is invalid, expired, revoked or already used. "
    "Ask your account's admin to send a new one."
)


def invitation_routes(gateway_of: GatewayOf) -> list[Route]:
    flow = _Invitation(gateway_of)
    return [
        Route("/invitations/{token}", flow.show, methods=["GET"]),
        Route("/invitations/{token}", flow.accept, methods=["POST"]),
    ]


class _Invitation:
    def __init__(self, gateway_of: GatewayOf) -> None:
        self._gateway_of = gateway_of

    async def show(self, request: Request) -> Response:
        gateway = self._gateway_of()
        token = request.path_params["token"]
        invitation = await gateway.services.invitations.peek(token)
        if invitation is None:
            return _page("Invitation", f"<p>{_UNUSABLE}</p>", status=410)
        if await _signed_in_as_other(gateway, request, invitation):
            return _page("Invitation", f"<p>{_OTHER}</p>", status=409)
        account = await _account(gateway, invitation)
        name = html.escape(account.name if account else "your client portal")
        action = html.escape(f"/invitations/{token}", quote=True)
        body = (
            f"<p>You are invited to the client portal of <strong>{name}</strong>.</p>"
            f"<form method='post' action='{action}'>"
            "<button type='submit' class='primary'>Accept and sign in</button></form>"
        )
        return _page(f"Join {name}", body)

    async def accept(self, request: Request) -> Response:
        gateway = self._gateway_of()
        if not _same_origin(request, gateway.settings.public_url):
            return _page("Invitation", "<p>Open the link from your mail again.</p>", status=403)
        token = request.path_params["token"]
        invitations = gateway.services.invitations
        peeked = await invitations.peek(token)
        if peeked is not None and await _signed_in_as_other(gateway, request, peeked):
            return _page("Invitation", f"<p>{_OTHER}</p>", status=409)
        invitation = await invitations.consume(token)
        if invitation is None:
            return _refused(request, _UNUSABLE, 410)
        try:
            contact = await accept_invitation(_context(gateway), invitation)
        except UpstreamError:
            await invitations.restore(token, invitation)
            return _refused(request, "The portal could not reach HubSpot: try the link again.", 503)
        if contact is None:
            return _refused(request, _UNUSABLE, 410)
        session = gateway.sessions.issue(contact.id)
        response: Response
        if "application/json" in request.headers.get("accept", ""):
            response = JSONResponse(
                {"token": session, "tokenType": "Bearer", "expiresIn": ABSOLUTE_TIMEOUT_S}
            )
        else:
            response = RedirectResponse(LANDING, status_code=303)
        gateway.set_cookie(response, session)
        return response


_OTHER = "You are signed in as someone else. Sign out first, then open the invitation link again."


async def _signed_in_as_other(gateway: Gateway, request: Request, invitation: Invitation) -> bool:
    token = session_token_of(request)
    if token is None:
        return False
    session = await gateway.sessions.verify(token, sliding=False)
    return session is not None and session.contact_id != invitation.contact_id


def _same_origin(request: Request, public_url: str) -> bool:
    """A cross-site form cannot accept an invitation for someone (login CSRF): the browser's
    Origin (or, failing that, Referer) must be the portal's own."""
    ours = urlsplit(public_url)
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent:
        return False
    theirs = urlsplit(sent)
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)


async def _account(gateway: Gateway, invitation: Invitation) -> Company | None:
    try:
        return await _context(gateway).loaders.company_by_id.load(invitation.account_id)
    except UpstreamError:
        return None


def _context(gateway: Gateway) -> RequestContext:
    services = gateway.services
    return RequestContext(services=services, loaders=Loaders.for_request(services), viewer=None)


def _refused(request: Request, message: str, status: int) -> Response:
    if "application/json" in request.headers.get("accept", ""):
        code = "UPSTREAM_UNAVAILABLE" if status == 503 else "UNAUTHENTICATED"
        return JSONResponse({"error": code, "message": message}, status_code=status)
    return _page("Invitation", f"<p>{html.escape(message)}</p>", status=status)


def _page(title: str, body: str, *, status: int = 200) -> HTMLResponse:
    """The sign-in pages' look (web/signin_pages.py): the portal's own stylesheet, as the
    self-only Content-Security-Policy of HTML pages wants (no inline style)."""
    # `title` arrives escaped for HTML; page() escapes the <title> text itself.
    page = signin_pages.page(html.unescape(title), f"<h1>{title}</h1>{body}")
    return HTMLResponse(page, status_code=status, headers=_NO_STORE)
