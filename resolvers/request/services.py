"""The long-lived parts a request uses: upstream clients, the shared cache, signers."""

from __future__ import annotations

from dataclasses import dataclass, field

from stripe import StripeClient

from auth.invitations import Invitations
from auth.mail import Mailer
from auth.sessions import SessionManager
from auth.signing import Signer
from cache.read_through import ReadThroughCache
from connectors.drive import DriveClient
from connectors.http import JsonService
from resolvers.request.live_streams import LiveStreams
from webhooks.outbound import Outbound


@dataclass(frozen=True)
class Upstreams:
    hubspot: JsonService
    stripe: StripeClient
    zendesk: JsonService
    drive: DriveClient
    # Stripe-hosted files (invoice PDFs): the Stripe session, without the API key.
    stripe_files: JsonService


@dataclass(frozen=True)
class Services:
    upstreams: Upstreams
    cache: ReadThroughCache
    cursor_signer: Signer
    download_signer: Signer
    public_url: str
    viewer_ttl_s: float
    # Team management: invitation links and their mail; ending a member's sessions.
    invitations: Invitations
    mailer: Mailer
    mail_from: str
    sessions: SessionManager
    preview_signer: Signer  # subscription change previews' `prorationDate` tokens
    preview_ttl_s: float
    # Events out (queue, feeds, live): on PORTAL_EVENTS_REDIS_URL or REDIS_URL; None without.
    outbound: Outbound | None = None
    live_streams: LiveStreams = field(default_factory=LiveStreams)  # open subscriptions
