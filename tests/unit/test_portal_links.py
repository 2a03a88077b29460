"""Every path a notification links to (webhooks/events/links.py) is a route of the web app:
a mail's button or a feed item never leads to "page not found"."""

from __future__ import annotations

import re
from pathlib import Path

from webhooks.events import links

ROUTES = Path(__file__).resolve().parents[2] / "web" / "portal" / "routes.js"


def _route_paths() -> set[str]:
    return set(re.findall(r'path: "([^"]+)"', ROUTES.read_text()))


def test_every_notification_path_is_a_route_of_the_web_app() -> None:
    paths = _route_paths()
    for path in (links.DASHBOARD, links.SUBSCRIPTION, links.DOCUMENTS, links.TEAM):
        assert path in paths, f"{path} is no route of web/portal/routes.js"
    assert "/tickets/:id" in paths
    assert re.fullmatch(r"/tickets/[A-Za-z0-9_-]+", links.ticket("1001", "42"))
