"""Which document a request may run, on every transport: GET/POST, GraphQL over SSE and
graphql-transport-ws. An automatic persisted query's hash is resolved first; a browser
session (the portal's cookie, no bearer token) sends only the portal's own documents when
trusted documents are on, and what it sends is logged for the manifest's rebuild.

Without the streaming transports here, a stolen cookie would run any document by asking
for `text/event-stream` or by opening a WebSocket."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from gateway import Gateway
from resolvers.request.context import RequestContext
from web.persisted_queries import PersistedQueryError


async def admit(gateway: Gateway, request_data: GraphQLRequestData, ctx: RequestContext) -> None:
    """Fills in `request_data.query` from its hash; raises `PersistedQueryError` for a
    document this client may not send."""
    persisted = gateway.persisted
    await persisted.resolve(request_data, may_register=ctx.viewer is not None)
    if ctx.browser_session and request_data.query is not None:
        persisted.note_browser_document(request_data.query)
        if gateway.settings.trusted_documents_only and not persisted.is_trusted(request_data.query):
            raise PersistedQueryError(
                "this client may send only the portal's own operations",
                "TRUSTED_DOCUMENT_REQUIRED",
            )


def refusal(exc: PersistedQueryError) -> GraphQLError:
    return GraphQLError(str(exc), extensions={"code": exc.code})


class AdmittingTransportWSHandler(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """graphql-transport-ws, with each `subscribe` admitted as an HTTP request would be: a
    refused one gets the protocol's `error` message and never runs."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        payload = message["payload"]
        request_data = GraphQLRequestData(
            query=payload.get("query"),
            variables=payload.get("variables"),
            operation_name=payload.get("operationName"),
            extensions=payload.get("extensions"),
        )
        request = self.context.request
        if request is not None and self.connection_acknowledged:
            try:
                await admit(request.app.state.gateway, request_data, self.context)
            except PersistedQueryError as exc:
                await self.send_message(
                    {"id": message["id"], "type": "error", "payload": [refusal(exc).formatted]}
                )
                return
            if request_data.query is not None:  # sent by its hash alone
                payload["query"] = request_data.query
        await super().handle_subscribe(message)
