"""A Zendesk Support API v2 sandbox seeded from the backbone.

Auth: API-token basic auth, `Authorization: Basic base64("{email}/token:{token}")`; any email
with any non-empty token is accepted (the gateway uses `portal@sandbox.example/token:sandbox`).
Anything else gets Zendesk's 401 `{"error": "Couldn't authenticate you"}`. The email names the
acting agent: a seeded user with that email, else the "Client Portal" integration agent.

Served (JSON, each path also with a `.json` suffix):
    GET  /api/v2/tickets, /api/v2/organizations/{id}/tickets   cursor (`page[size]` ≤ 100,
         `page[after]`, `page[before]`, `sort` id|updated_at|status, `-` for descending) or
         offset (`page`, `per_page`, `sort_by`, `sort_order`) pagination; `include=slas,users,
         groups,organizations`
    GET  /api/v2/tickets/{id}, /api/v2/tickets/show_many?ids= (≤ 100)
    POST /api/v2/tickets, PUT /api/v2/tickets/{id}   ({"ticket": {...}}; 201/200 with the
         ticket and its audit; a `comment` adds a public or private comment)
    GET  /api/v2/tickets/{id}/comments   cursor or offset pagination, `sort_order`
    GET  /api/v2/users, /users/{id}, /users/show_many, /users/search?query=|external_id=
    POST /api/v2/users, /api/v2/users/create_or_update
    GET  /api/v2/organizations, /organizations/{id}, /organizations/show_many
    GET  /api/v2/groups, /groups/{id}
    GET  /api/v2/search?query=, /api/v2/search/count   (see `search` for the language)
Errors: 404 `{"error": "RecordNotFound", "description": "Not found"}`, 422 `RecordInvalid`
with `details`, 400 for malformed bodies, ids and pagination parameters.

Vendor-side changes (admin API, JSON in and out, neither logged nor faulted):
    POST /_sandbox/tickets/{id}/status     {"status": "solved"}: as the assigned agent would
    POST /_sandbox/tickets/{id}/comments   {"body", "public": true, "author_id": optional}
    GET  /_sandbox/changes                 every recorded write, oldest first
"""

from __future__ import annotations

from aiohttp import web

from sandbox.accounts import Backbone
from sandbox.upstream import Knobs, StateHolder, vendor_app
from sandbox.webhooks import attach as attach_webhooks
from sandbox.zendesk.app import ZendeskApi, batch_size, zendesk_errors
from sandbox.zendesk.errors import knob_error_body
from sandbox.zendesk.seed import build_state
from sandbox.zendesk.webhooks import Renderer as ZendeskEvents


def create_app(backbone: Backbone, knobs: Knobs) -> web.Application:
    holder = StateHolder(lambda: build_state(backbone))
    app = vendor_app(holder=holder, error_body=knob_error_body, batch_size=batch_size, knobs=knobs)
    app.middlewares.append(zendesk_errors)
    for method, path, handler in ZendeskApi(holder).routes():
        app.router.add_route(method, path, handler)
        if path.startswith("/api/"):
            app.router.add_route(method, path + ".json", handler)
    renderer = ZendeskEvents()
    attach_webhooks(app, holder, lambda state: state.changes, renderer, on_new_state=renderer.start)
    return app
