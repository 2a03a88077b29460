"""Is a state-changing form POST (sign-in, logout, later form endpoints) from our own pages?
A cross-site page can make a browser send one, cookies and all: login CSRF (the victim is
signed in to the attacker's account) and logout CSRF.

Browsers say where a request comes from: `Sec-Fetch-Site` (same-origin or none: a person
typed or clicked it) or else `Origin`. A request that carries neither comes from an old
browser or from no browser at all; it passes only with proof a cross-site page cannot
forge: a JSON `Accept` or a bearer token (headers a form cannot set), or the form's CSRF
field equal to the CSRF cookie our own page set (double submit)."""

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


async def refusal(request: Request, allowed_origins: Collection[str]) -> Response | None:
    """None if the request may change state; else the 403 to answer with."""
    if await _is_same_origin(request, allowed_origins):
        return None
    return JSONResponse(
        {"error": "FORBIDDEN", "message": "Cross-site requests cannot do this."},
        status_code=403,
    )


async def _is_same_origin(request: Request, allowed_origins: Collection[str]) -> bool:
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in _TRUSTED_FETCH_SITES
    origin = request.headers.get("origin")
    if origin is not None:
        return origin in allowed_origins
    if "application/json" in request.headers.get("accept", ""):
        return True
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return True
    return await _csrf_field_matches(request)


async def _csrf_field_matches(request: Request) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    form = await request.form()
    field = form.get(CSRF_FIELD)
    return bool(cookie) and isinstance(field, str) and hmac.compare_digest(field, cookie)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def set_csrf_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, path="/auth", httponly=True, secure=secure, samesite="strict"
    )
