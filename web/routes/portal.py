"""The client portal web app at `/`: its static files, its one HTML shell for every app path
(the app's router draws the screen, including its own "not found"), and the sign-in page."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from web import signin_pages
from web.signin_pages import safe_next

PORTAL_DIR = Path(__file__).resolve().parent.parent / "portal"
ASSETS_PREFIX = "/portal"
# The shell must never be cached: it decides, with a fresh session check, what is shown.
_SHELL_HEADERS = {"Cache-Control": "no-store"}


class PortalAssets(StaticFiles):
    """The app's files. Browsers revalidate each (ETag → 304): no build step stamps names."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        if path.endswith((".js", ".mjs")):
            response.headers["Content-Type"] = "text/javascript; charset=utf-8"
        return response


def portal_routes() -> list[BaseRoute]:
    """Register these last: the shell answers every GET path no other route took."""
    shell = (PORTAL_DIR / "index.html").read_text()

    async def app_shell(request: Request) -> Response:
        return HTMLResponse(shell, headers=_SHELL_HEADERS)

    return [
        Route("/signin", sign_in_page, methods=["GET"]),
        Mount(ASSETS_PREFIX, app=PortalAssets(directory=PORTAL_DIR), name="portal"),
        Route("/", app_shell, methods=["GET"]),
        Route("/{path:path}", app_shell, methods=["GET"]),
    ]


async def sign_in_page(request: Request) -> Response:
    page = signin_pages.sign_in(safe_next(request.query_params.get("next")))
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})
