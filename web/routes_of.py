"""The route template a request matched (`/documents/{document_id}/download`), for span
names and metric labels: raw paths carry ids and are unbounded."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from starlette.routing import Match

UNMATCHED = "unmatched"


def route_template(scope: MutableMapping[str, Any]) -> str:
    app = scope.get("app")
    for route in getattr(app, "routes", ()):
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "path", UNMATCHED))
    return UNMATCHED
