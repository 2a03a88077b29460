"""The client portal web app at `/`: its static files, its one HTML shell for every app path
(the app's router draws the screen, including its own "not found"), and the sign-in page.

No build step stamps file names, so the gateway stamps a folder instead: at startup it
hashes the app's files and serves them under `/portal/<hash>/` as immutable, and the shell
(never cached) points there. A warm visit then fetches the shell and its data, nothing
else; a changed file changes the hash. Under plain `/portal/` the same files are served for
pages outside the app (sign-in, GraphiQL), revalidated on each use."""

from __future__ import annotations

import hashlib
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
IMMUTABLE = "public, max-age=31536000, immutable"
# The shell must never be cached: it decides, with a fresh session check, what is shown.
_SHELL_HEADERS = {"Cache-Control": "no-store"}


class PortalAssets(StaticFiles):
    def __init__(self, *, directory: Path, cache_control: str) -> None:
        super().__init__(directory=directory)
        self.cache_control = cache_control

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = self.cache_control
        if path.endswith(".js"):
            response.headers["Content-Type"] = "text/javascript; charset=utf-8"
        return response


def assets_version(directory: Path = PORTAL_DIR) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def portal_routes() -> list[BaseRoute]:
    """Register these last: the shell answers every GET path no other route took."""
    version = assets_version()
    stamped = f"{ASSETS_PREFIX}/{version}"
    shell = (PORTAL_DIR / "index.html").read_text().replace(f'"{ASSETS_PREFIX}/', f'"{stamped}/')

    async def app_shell(request: Request) -> Response:
        return HTMLResponse(shell, headers=_SHELL_HEADERS)

    return [
        Route("/signin", sign_in_page, methods=["GET"]),
        Mount(stamped, app=PortalAssets(directory=PORTAL_DIR, cache_control=IMMUTABLE)),
        Mount(ASSETS_PREFIX, app=PortalAssets(directory=PORTAL_DIR, cache_control="no-cache")),
        Route("/", app_shell, methods=["GET"]),
        Route("/{path:path}", app_shell, methods=["GET"]),
    ]


async def sign_in_page(request: Request) -> Response:
    page = signin_pages.sign_in(safe_next(request.query_params.get("next")))
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})
