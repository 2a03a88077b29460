"""Is a state-changing form POST (sign-in, logout, later form endpoints) from our own pages?
A cross-site page can make a browser send one, cookies and all: login CSRF (the victim is
signed in to the attacker's account) and logout CSRF.

Browsers say where a request comes from: `Sec-Fetch-Site` (same-origin or none: a person
typed or clicked it) or else `Origin`. A request that carries neither comes from an old
browser or from no browser at all; it passes only with proof a cross-site page cannot
forge: a JSON body or `Accept`, or a bearer token (what a form cannot send, and a cross-site
script only after a preflight), or the form's CSRF field equal to the CSRF cookie our own
page set (double submit)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Collection
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

CSRF_COOKIE = "portal_csrf"
CSRF_FIELD = "csrf"
_TRUSTED_FETCH_SITES = ("same-origin", "none")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def refusal(
    request: Request, allowed_origins: Collection[str], csrf_field: str | None
) -> Response | None:
    """None if the request may change state; else the 403 to answer with. `csrf_field`: the
    form's CSRF field, if the request has a form."""
    if _is_same_origin(request, allowed_origins, csrf_field):
        return None
    return JSONResponse(
        {"error": "FORBIDDEN", "message": "Cross-site requests cannot do this."},
        status_code=403,
    )


def _is_same_origin(
    request: Request, allowed_origins: Collection[str], csrf_field: str | None
) -> bool:
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in _TRUSTED_FETCH_SITES
    origin = request.headers.get("origin")
    if origin is not None:
        return origin in allowed_origins
    if "application/json" in request.headers.get("accept", ""):
        return True
    if request.headers.get("content-type", "").startswith("application/json"):
        return True
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return True
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie and csrf_field) and hmac.compare_digest(csrf_field or "", cookie)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def set_csrf_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, path="/auth", httponly=True, secure=secure, samesite="strict"
    )
