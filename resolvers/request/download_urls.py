"""Short-lived signed download URLs served by the gateway (`/documents/{id}/download`).

The signature binds the document's global id and an expiry; the route still checks that
the viewer's account owns the document when the link is used."""

from __future__ import annotations

import time
from urllib.parse import quote

from cache import read_log
from resolvers.request.context import RequestContext

DOWNLOAD_URL_LIFETIME_S = 5 * 60
# A cached answer keeps the links it was built with: they must still work for this long
# after the answer was last served (so an answer holding them is kept at most a minute).
MIN_LIFETIME_LEFT_S = 4 * 60


def download_url(ctx: RequestContext, document_global_id: str) -> str:
    expires = int(time.time()) + DOWNLOAD_URL_LIFETIME_S
    read_log.note_expiry(expires - MIN_LIFETIME_LEFT_S)
    token = ctx.services.download_signer.sign({"d": document_global_id, "exp": expires})
    return (
        f"{ctx.services.public_url}/documents/{quote(document_global_id)}/download"
        f"?token={quote(token)}"
    )
