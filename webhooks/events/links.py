"""Where the portal shows what an event is about: the paths its notifications link to (the
mail's button, the feed's item, the text message). Each is a route of the web app
(web/portal/routes.js), as tests/unit/test_portal_links.py checks; the browser suite
follows a ticket's from the feed."""

from __future__ import annotations

import base64

DASHBOARD = "/"  # the account's invoices, with "Pay now" on an open one
SUBSCRIPTION = "/subscription"
DOCUMENTS = "/documents"
TEAM = "/team"


def ticket(account_id: str, ticket_id: str) -> str:
    """A ticket's screen, named by the ticket's global id, which names the account too: so
    it is made once the account is known (`Derived.for_account`). The encoding is
    resolvers/request/ids.py's, which webhooks may not import (they sit below resolvers);
    tests/unit/test_portal_events.py holds the two together."""
    raw = f"Ticket:{account_id}:{ticket_id}".encode()
    return "/tickets/" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
