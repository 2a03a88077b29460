"""What one GraphQL request carries: the viewer, fresh loaders, and the shared services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response

from auth.viewer import AuthRefusal, Viewer
from resolvers.request.errors import unauthenticated
from resolvers.request.loaders import Loaders
from resolvers.request.services import Services


@dataclass
class RequestContext:
    services: Services
    loaders: Loaders
    viewer: Viewer | None
    request: Request | None = None
    response: Response | None = None
    # Why the viewer could not be read (HubSpot down), to tell the client instead of
    # pretending it is signed out.
    viewer_failure: GraphQLError | None = None
    # Why there is no viewer, when the credentials were refused.
    refusal: AuthRefusal = AuthRefusal.MISSING_CREDENTIALS
    # A WebSocket's `connection_init` payload (strawberry sets it; app.py signs in with it).
    connection_params: object = None
    # Set when the answer depends on who asks, not only on what they may see: a response
    # cache then keeps it for this person alone (web/graphql_cache.py).
    personal: bool = False
    # Who the viewer is now, by the credential the request came with: a subscription outlives
    # its request, so each of its events asks again (signed out, disabled, moved: it ends).
    # The portal's cookie and no bearer token: a browser, which sends only the portal's own
    # documents when trusted documents are on (web/browser_documents.py).
    browser_session: bool = False
    reauthenticate: Callable[[], Awaitable[Viewer | AuthRefusal]] | None = None

    def person(self) -> Viewer:
        """The viewer as a person: whatever reads it makes the answer theirs alone."""
        self.personal = True
        return self.require_viewer()

    def require_viewer(self) -> Viewer:
        if self.viewer is None:
            raise self.viewer_failure or unauthenticated(self.refusal)
        return self.viewer
