"""The Drive sandbox app: shared knobs and log, then auth and Google's error bodies, then the
Drive routes and the admin routes."""

from __future__ import annotations

import json
import logging
import re

from aiohttp import web

from sandbox.accounts import Backbone
from sandbox.drive import admin, changes_api, files_api
from sandbox.drive.errors import DriveError, error_body, invalid_credentials, login_required
from sandbox.drive.notifications import Notifier
from sandbox.drive.seed import build_state
from sandbox.drive.state import DriveState
from sandbox.upstream import ADMIN_PREFIX, Handler, Knobs, StateHolder, vendor_app
from sandbox.webhooks import attach as attach_webhooks

logger = logging.getLogger(__name__)

# RFC 6750 b64token: what a bearer token may look like.
_BEARER = re.compile(r"Bearer +([A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)


def create_app(backbone: Backbone, knobs: Knobs) -> web.Application:
    holder: StateHolder[DriveState] = StateHolder(lambda: build_state(backbone))
    app = vendor_app(
        holder=holder,
        error_body=error_body,
        knobs=knobs,
    )
    app.middlewares.append(google_errors)
    files_api.add_routes(app)
    changes_api.add_routes(app)
    admin.add_routes(app)
    attach_webhooks(app, holder, lambda state: state.change_log, Notifier(), with_target=False)
    return app


def check_auth(request: web.Request) -> None:
    header = request.headers.get("Authorization")
    if header is None:
        if request.query.get("access_token"):
            return
        raise login_required()
    if _BEARER.fullmatch(header.strip()) is None:
        raise invalid_credentials()


@web.middleware
async def google_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        if not request.path.startswith(ADMIN_PREFIX):
            check_auth(request)
        return await handler(request)
    except DriveError as exc:
        return _error_response(exc)
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed) as exc:
        return _error_response(DriveError(exc.status, exc.reason, "notFound"))
    except web.HTTPException:
        raise
    except Exception:
        # A bug in the sandbox, not a simulated failure: say so loudly, answer like Google.
        logger.exception("Drive sandbox failed on %s %s", request.method, request.path_qs)
        return _error_response(DriveError(500, "Internal Error", "backendError"))


def _error_response(error: DriveError) -> web.Response:
    response = web.Response(
        status=error.code,
        text=json.dumps(error.body()),
        content_type="application/json",
        charset="UTF-8",
    )
    if error.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="https://accounts.google.com/"'
    return response
