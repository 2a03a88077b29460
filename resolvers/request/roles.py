"""Role checks of portal writes: FORBIDDEN before any upstream is read or written."""

from __future__ import annotations

from auth.permissions import Permission
from auth.viewer import Viewer
from resolvers.request.context import RequestContext
from resolvers.request.errors import forbidden


def require(ctx: RequestContext, permission: Permission) -> Viewer:
    viewer = ctx.require_viewer()
    if not permission.allows(viewer):
        raise forbidden(permission.refusal(viewer))
    return viewer
