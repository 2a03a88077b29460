"""The audit trail: every portal write leaves a note on the HubSpot company's timeline
saying who changed what, and when. Notes name fields and public values, never secrets."""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime

from auth.viewer import Viewer
from connectors import hubspot
from connectors.http import UpstreamError
from resolvers.request.context import RequestContext

log = logging.getLogger("portal.audit")


async def record(ctx: RequestContext, viewer: Viewer, account_id: str, what: str) -> None:
    """Leaves the note. The write it records has happened already, so a failure here is
    logged with the note's text (the trail is then in the logs) rather than undoing it."""
    at = datetime.now(UTC)
    body = await note_body(ctx, viewer, what, at)
    try:
        await hubspot.add_company_note(ctx.services.upstreams.hubspot, account_id, body, at)
    except UpstreamError:
        log.error("audit note for company %s not written: %s", account_id, body, exc_info=True)


async def note_body(ctx: RequestContext, viewer: Viewer, what: str, at: datetime) -> str:
    contact = await ctx.loaders.contact_by_id.load(viewer.contact_id)
    name = contact.full_name if contact else ""
    who = f"{name} <{viewer.email}>" if name else viewer.email
    # HubSpot renders note bodies as HTML: what members typed must stay text there too.
    return html.escape(
        f"Client portal: {who} ({viewer.role.value}, contact {viewer.contact_id}) {what} "
        f"at {at.isoformat(timespec='seconds')}."
    )


def quoted(text: str, limit: int = 120) -> str:
    """Member text inside a note, cut short: the note says what changed, not all of it."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"“{short}”"
