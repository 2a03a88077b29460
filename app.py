"""The Starlette app factory: GraphQL at /graphql and the route groups of `web/routes/`."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from auth.api_tokens import looks_like_api_token, verify_api_token
from auth.sessions import SESSION_COOKIE
from auth.viewer import Viewer
from auth.viewer_lookup import load_viewer
from config import Settings
from connectors import deadline
from connectors.http import UpstreamError
from gateway import Gateway, open_gateway
from resolvers.request.context import RequestContext
from resolvers.request.errors import upstream_failure
from resolvers.request.loaders import Loaders
from schema.schema import schema
from web.graphql_live import CappedWebSocketAdapter, is_stream
from web.request_json import decode_request_json
from web.routes.auth import AuthServices, auth_routes, bearer_token, session_token_of
from web.routes.downloads import download_routes
from web.routes.exports import export_routes
from web.routes.health import health_routes
from web.routes.invitations import invitation_routes
from web.routes.unsubscribe import unsubscribe_routes
from web.routes.webhooks import webhook_routes
from web.stack import edge_middleware

log = logging.getLogger("portal.app")


class PortalGraphQL(GraphQL[RequestContext, None]):
    deadline_s: float | None = None  # Settings.request_deadline_s, set by create_app

    websocket_adapter_class = CappedWebSocketAdapter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.deadline_s is None or is_stream(scope):
            await super().__call__(scope, receive, send)
            return
        # Every upstream call of this request, viewer included, ends by the deadline.
        with deadline.within(self.deadline_s):
            await super().__call__(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        return decode_request_json(data)

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        """A client that cannot send headers on a WebSocket (browsers) signs in with the
        `connection_init` payload: {"Authorization": "Bearer <token>"}."""
        params = context.connection_params
        if context.viewer is None and isinstance(params, dict) and context.request is not None:
            gateway: Gateway = context.request.app.state.gateway
            token = bearer_token(str(params.get("Authorization", "")))
            if token is not None:
                try:
                    context.viewer = await _viewer_of_token(gateway, token, None)
                except UpstreamError as exc:
                    context.viewer_failure = upstream_failure(exc)
        unset: UnsetType = UNSET
        return unset

    async def get_context(self, request: Request, response: Response) -> RequestContext:  # type: ignore[override]
        gateway: Gateway = request.app.state.gateway
        context = RequestContext(
            services=gateway.services,
            loaders=Loaders.for_request(gateway.services),
            viewer=None,
            request=request,
            response=response,
        )
        try:
            context.viewer = await _authenticate(gateway, request, response)
        except UpstreamError as exc:
            context.viewer_failure = upstream_failure(exc)
        if context.viewer is not None:
            request.state.viewer_id = context.viewer.contact_id  # for the access log line
        return context


async def _authenticate(gateway: Gateway, request: Request, response: Response) -> Viewer | None:
    token = session_token_of(request)
    if token is None:
        return None
    from_cookie = token == request.cookies.get(SESSION_COOKIE)
    is_http = request.scope["type"] == "http"
    if from_cookie and is_http and request.method == "POST" and not _is_json(request):
        # CSRF: a cross-site form can POST with the cookie but not with a JSON body.
        # (A cross-site WebSocket is refused by its Origin before it gets here.)
        return None
    return await _viewer_of_token(gateway, token, response if from_cookie and is_http else None)


async def _viewer_of_token(
    gateway: Gateway, token: str, cookie_response: Response | None
) -> Viewer | None:
    """The viewer a bearer token or session names; a sliding cookie is refreshed on
    `cookie_response` (None: the token did not come from the cookie of an HTTP request)."""
    from_cookie = cookie_response is not None
    if not from_cookie and looks_like_api_token(token):
        return await verify_api_token(
            gateway.services.upstreams.hubspot,
            gateway.services.cache,
            token,
            gateway.settings.api_token_ttl_s,
        )
    session = await gateway.sessions.verify(token, sliding=from_cookie)
    if session is None:
        return None
    if cookie_response is not None and session.needs_refresh(time.time()):
        gateway.set_cookie(cookie_response, gateway.sessions.refreshed(session))
    return await load_viewer(
        gateway.services.upstreams.hubspot,
        gateway.services.cache,
        session.contact_id,
        gateway.settings.viewer_ttl_s,
    )


def _is_json(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip() == "application/json"


def create_app(settings: Settings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_gateway(settings) as gateway:
            app.state.gateway = gateway
            yield

    def auth_services() -> AuthServices:
        gateway: Gateway = app.state.gateway
        return gateway.auth

    graphql = PortalGraphQL(
        schema,
        graphql_ide="graphiql" if settings.graphiql else None,
        # Subscriptions: graphql-transport-ws on WebSocket, GraphQL over SSE on POST.
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL),
    )
    graphql.deadline_s = settings.request_deadline_s
    app = Starlette(
        routes=[
            *health_routes(),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *auth_routes(auth_services),
            *invitation_routes(lambda: app.state.gateway),
            *download_routes(lambda request: graphql.get_context(request, Response())),
            *export_routes(lambda request: graphql.get_context(request, Response()), settings),
            *webhook_routes(lambda: app.state.gateway),
            *unsubscribe_routes(lambda: app.state.gateway),
        ],
        lifespan=lifespan,
        middleware=edge_middleware(settings, lambda: auth_services().limiter),
    )
    return app
