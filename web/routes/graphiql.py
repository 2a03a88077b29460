"""GraphiQL for engineers, from files the gateway serves itself (graphiql 3.8.3, React
18.3.1, vendored under web/portal/graphiql/): it works offline and under a self-only CSP.
It calls /graphql with the browser's session cookie and opens on the dashboard query."""

from __future__ import annotations

from starlette.responses import HTMLResponse

_ASSETS = "/portal/graphiql"
PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'>"
    "<title>GraphiQL · Client portal API</title>"
    "<link rel='icon' href='/portal/icon.svg' type='image/svg+xml'>"
    f"<link rel='stylesheet' href='{_ASSETS}/graphiql.min.css'>"
    f"<link rel='stylesheet' href='{_ASSETS}/graphiql-page.css'></head>"
    "<body><div id='graphiql' role='main'>Loading GraphiQL…</div>"
    f"<script src='{_ASSETS}/react.production.min.js'></script>"
    f"<script src='{_ASSETS}/react-dom.production.min.js'></script>"
    f"<script src='{_ASSETS}/graphiql.min.js'></script>"
    f"<script type='module' src='{_ASSETS}/setup.js'></script>"
    "</body></html>"
)


def graphiql_page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Cache-Control": "no-cache"})
