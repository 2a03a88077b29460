"""The Starlette app factory: GraphQL at /graphql and the route groups of `web/routes/`,
the portal web app at `/` among them."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.unset import UNSET, UnsetType

from auth.api_tokens import looks_like_api_token, verify_api_token
from auth.sessions import SESSION_COOKIE
from auth.viewer import AuthRefusal, Viewer
from auth.viewer_lookup import load_viewer
from config import Settings
from connectors import deadline
from connectors.http import UpstreamError
from gateway import Gateway, open_gateway
from resolvers.request.context import RequestContext
from resolvers.request.errors import upstream_failure
from resolvers.request.loaders import Loaders
from schema.schema import schema
from web.browser_documents import AdmittingTransportWSHandler, admit, refusal
from web.graphql_cache import HIT_HEADER, CachedAnswer, execute_cached
from web.graphql_http import GraphQLSubResponse, negotiated_media_type, revalidated
from web.graphql_live import CappedWebSocketAdapter
from web.persisted_queries import PersistedQueryError
from web.request_json import decode_request_json
from web.routes.auth import AuthServices, auth_routes, bearer_token, session_token_of
from web.routes.downloads import download_routes
from web.routes.exports import export_routes
from web.routes.graphiql import graphiql_page
from web.routes.health import health_routes
from web.routes.invitations import invitation_routes
from web.routes.metrics import metrics_routes
from web.routes.portal import portal_routes
from web.routes.unsubscribe import unsubscribe_routes
from web.routes.webhooks import webhook_routes
from web.stack import edge_middleware
from web.tracing import flush_traces, install_tracing

log = logging.getLogger("portal.app")


class PortalGraphQL(GraphQL[RequestContext, None]):
    deadline_s: float | None = None  # Settings.request_deadline_s, set by create_app

    websocket_adapter_class = CappedWebSocketAdapter
    graphql_transport_ws_handler_class = AdmittingTransportWSHandler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.deadline_s is None or scope["type"] == "websocket":
            await super().__call__(scope, receive, send)
            return
        # Every upstream call of this request, viewer included, ends by the deadline: an SSE
        # request too (a query sent with `Accept: text/event-stream` is no way around it); a
        # subscription's events each read under a deadline of their own (resolvers/live.py).
        with deadline.within(self.deadline_s):
            await super().__call__(scope, receive, send)

    async def execute_operation(
        self,
        request: Request,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: RequestContext,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        """A document sent for GraphQL over SSE is admitted here (`execute_single` admits
        the others; graphql-transport-ws in its handler)."""
        if isinstance(request_data, GraphQLRequestData) and request_data.protocol != "http":
            try:
                await admit(request.app.state.gateway, request_data, context)
            except PersistedQueryError as exc:
                refused = PreExecutionError(data=None, errors=[refusal(exc)])
                return _noting_request_error(refused, sub_response)
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: RequestContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        async def execute() -> ExecutionResult:
            return await super(PortalGraphQL, self).execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )

        gateway: Gateway = request.app.state.gateway
        try:
            await admit(gateway, request_data, context)
        except PersistedQueryError as exc:
            refused = PreExecutionError(data=None, errors=[refusal(exc)])
            return _noting_request_error(refused, sub_response)
        if gateway.responses is None:
            return _noting_request_error(await execute(), sub_response)
        result, hit = await execute_cached(
            gateway.responses,
            context,
            (request_data.query, request_data.operation_name, request_data.variables),
            request.headers,
            execute,
        )
        sub_response.headers[HIT_HEADER] = "hit" if hit else "miss"
        return _noting_request_error(result, sub_response)

    async def get_sub_response(self, request: Request) -> GraphQLSubResponse:  # type: ignore[override]
        media_type = negotiated_media_type(request.headers.get("accept"))
        if request.method == "GET":
            return GraphQLSubResponse(media_type, request.headers.get("if-none-match", ""))
        return GraphQLSubResponse(media_type)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        if isinstance(sub_response, GraphQLSubResponse):
            if sub_response.strict() and isinstance(response_data, dict):
                response_data.pop("data", None)
                sub_response.status_code = 400
            response = super().create_response(response_data, sub_response)
            response.headers["content-type"] = f"{sub_response.media_type}; charset=utf-8"
            if sub_response.if_none_match is not None:
                return revalidated(response, sub_response.if_none_match)
            return response
        return super().create_response(response_data, sub_response)

    def should_render_graphql_ide(self, request: Any) -> bool:
        """Not for a persisted query sent by GET, which has `extensions` and no `query`."""
        return "extensions" not in request.query_params and super().should_render_graphql_ide(
            request
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if isinstance(result, CachedAnswer):
            return PreEncoded(result.body())  # type: ignore[return-value]
        return await super().process_result(request, result)

    def encode_json(self, data: object) -> bytes:
        # orjson: ~10x faster than json.dumps on a dashboard-sized answer (measured 21 vs
        # 239 us), and a cached answer is sent as stored.
        return data.body if isinstance(data, PreEncoded) else orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page()  # our vendored GraphiQL, not strawberry's CDN page

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
                await _take_viewer(context, gateway, token, _viewer_of_token(gateway, token, None))
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
        token = session_token_of(request)
        # Signed in by the cookie (whatever else the request carries): a browser.
        context.browser_session = token is not None and token == request.cookies.get(SESSION_COOKIE)
        await _take_viewer(context, gateway, token, _authenticate(gateway, request, response))
        if context.viewer is not None:
            request.state.viewer_id = context.viewer.contact_id  # for the access log line
        return context


async def _take_viewer(
    context: RequestContext,
    gateway: Gateway,
    token: str | None,
    found: Awaitable[Viewer | AuthRefusal],
) -> None:
    """Puts on `context` the viewer `found` names, or why there is none. With a viewer goes
    the way to ask again by the same token (never refreshing a cookie: the answer has gone
    by then), for subscriptions that outlive the request."""
    try:
        viewer = await found
    except UpstreamError as exc:
        context.viewer_failure = upstream_failure(exc)
        return
    if isinstance(viewer, AuthRefusal):
        context.refusal = viewer
        return
    context.viewer = viewer
    if token is not None:
        context.reauthenticate = partial(_viewer_of_token, gateway, token, None)


class PreEncoded:
    """A response body that is JSON already."""

    def __init__(self, body: bytes) -> None:
        self.body = body


def _noting_request_error(result: ExecutionResult, sub_response: Response) -> ExecutionResult:
    """A document that did not parse or validate is a request error (GraphQL over HTTP)."""
    if isinstance(result, PreExecutionError) and isinstance(sub_response, GraphQLSubResponse):
        sub_response.request_error = True
    return result


# A session token as `auth.signing` writes it: base64url payload "." base64url MAC.
_SESSION_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


async def _authenticate(
    gateway: Gateway, request: Request, response: Response
) -> Viewer | AuthRefusal:
    token = session_token_of(request)
    if token is None:
        if request.headers.get("authorization", "").strip():
            return AuthRefusal.MALFORMED_CREDENTIALS  # another scheme, or "Bearer" alone
        return AuthRefusal.MISSING_CREDENTIALS
    from_cookie = token == request.cookies.get(SESSION_COOKIE)
    is_http = request.scope["type"] == "http"
    if from_cookie and is_http and request.method == "POST" and not _is_json(request):
        # CSRF: a cross-site form can POST with the cookie but not with a JSON body.
        # (A cross-site WebSocket is refused by its Origin before it gets here.)
        return AuthRefusal.MISSING_CREDENTIALS
    return await _viewer_of_token(gateway, token, response if from_cookie and is_http else None)


async def _viewer_of_token(
    gateway: Gateway, token: str, cookie_response: Response | None
) -> Viewer | AuthRefusal:
    """The viewer a bearer token or session names, or why none; a sliding cookie is refreshed
    on `cookie_response` (None: the token did not come from the cookie of an HTTP request)."""
    from_cookie = cookie_response is not None
    if not from_cookie and looks_like_api_token(token):
        return await verify_api_token(
            gateway.services.upstreams.hubspot,
            gateway.services.cache,
            token,
            gateway.settings.api_token_ttl_s,
        )
    if not _SESSION_SHAPE.fullmatch(token):
        return AuthRefusal.MALFORMED_CREDENTIALS
    session = await gateway.sessions.verify(token, sliding=from_cookie)
    if session is None:  # signed by no one we know, past a timeout, or logged out
        return AuthRefusal.SESSION_EXPIRED
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
        try:
            async with open_gateway(settings) as gateway:
                app.state.gateway = gateway
                yield
            log.info("shut down: upstream sessions and the cache closed")
        finally:
            flush_traces()  # the spans of the last requests, before the process ends

    def auth_services() -> AuthServices:
        gateway: Gateway = app.state.gateway
        return gateway.auth

    install_tracing()  # once per process; only when OTEL_EXPORTER_OTLP_ENDPOINT is set
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
            *metrics_routes(settings),
            *unsubscribe_routes(lambda: app.state.gateway),
            *portal_routes(),  # last: the app shell answers every GET path left
        ],
        lifespan=lifespan,
        middleware=edge_middleware(settings, auth_services),
    )
    return app


def create_app_from_env() -> Starlette:
    """The app of one worker process of `portal-gateway serve --workers N`."""
    return create_app(Settings.from_env())
