"""The live side of the GraphQL view: subscriptions over WebSocket (graphql-transport-ws)
and GraphQL over SSE. A WebSocket runs without the request deadline, an SSE request under it;
a subscription's events each read under a deadline of their own (resolvers/live.py). WebSocket
messages are capped in size: an oversized or malformed message
closes the socket (4400), as the protocol says."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping

from cross_web import HTTPException
from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)

MAX_MESSAGE_CHARS = 64 * 1024  # a subscribe message is a query and its variables


class CappedWebSocketAdapter(ASGIWebSocketAdapter):
    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                if len(text) > MAX_MESSAGE_CHARS:
                    raise NonJsonMessageReceived  # too large to be a message of the protocol
                try:
                    yield self.view.decode_json(text)
                except (HTTPException, ValueError) as exc:  # ValueError: not JSON at all
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from exc
        except KeyError as exc:
            raise NonTextMessageReceived from exc
        except WebSocketDisconnect:
            pass

    async def send_json(self, message: Mapping[str, object]) -> None:
        """As text frames, as graphql-transport-ws requires (the view encodes to bytes)."""
        encoded = self.view.encode_json(message)
        try:
            await self.ws.send_text(encoded.decode() if isinstance(encoded, bytes) else encoded)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc
