"""The composition root: builds every long-lived part of a running gateway from Settings,
and closes them again. The app lifespan holds one `Gateway`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from starlette.responses import Response

from auth.invitations import Invitations
from auth.magic_links import MagicLinks
from auth.mail import Mailer, OutboxMailer, SmtpMailer
from auth.rate_limit import RateLimiter
from auth.sessions import SessionManager
from auth.signing import Signer
from cache.backend import CacheBackend
from cache.read_through import ReadThroughCache
from cache.responses import ResponseCache
from cache.shared import open_backend
from config import Settings
from connectors import drive, stripe, zendesk
from connectors.breaker import CircuitBreaker
from connectors.guard import RetryPolicy, Timeouts, UpstreamGuard
from connectors.http import JsonService, open_session
from connectors.retry_budget import RetryBudget
from resolvers.request.cacheable import cacheable_types
from resolvers.request.services import Services, Upstreams
from web.persisted_queries import PersistedQueries, load_manifest
from web.routes.auth import AuthServices, set_session_cookie
from web.same_origin import origin_of
from webhooks.drive_watch import watching_drive
from webhooks.outbound import open_outbound


@dataclass(frozen=True)
class Gateway:
    settings: Settings
    services: Services
    sessions: SessionManager
    auth: AuthServices
    persisted: PersistedQueries
    responses: ResponseCache | None = None  # None: the response cache is switched off

    @property
    def secure_cookies(self) -> bool:
        return self.auth.secure_cookies

    def set_cookie(self, response: Response, token: str) -> None:
        set_session_cookie(response, token, secure=self.secure_cookies)


def _mailer(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(
            settings.smtp_host, settings.smtp_port, settings.smtp_username, settings.smtp_password
        )
    return OutboxMailer(settings.outbox_dir)


def _secure_cookies(public_url: str) -> bool:
    # Browsers drop Secure cookies on plain-http localhost in some versions; elsewhere
    # the portal is served over https and the cookie must say so.
    return not public_url.startswith(("http://127.0.0.1", "http://localhost"))


# Per attempt, before the request's deadline cuts them shorter: connect on loopback or a
# nearby region takes milliseconds, so a second means the vendor is not there; reads are
# bounded by the vendors' slowest documented endpoints (searches, long lists).
UPSTREAM_TIMEOUTS = {
    "hubspot": Timeouts(connect_s=1.0, read_s=5.0),
    "stripe": Timeouts(connect_s=1.0, read_s=8.0),
    "zendesk": Timeouts(connect_s=1.0, read_s=5.0),
    "drive": Timeouts(connect_s=1.0, read_s=8.0),
}
# HubSpot reads many records with POST; these only read, so they may be retried.
HUBSPOT_READ_POSTS = ("/batch/read", "/search")


def upstream_guard(settings: Settings, service: str) -> UpstreamGuard:
    return UpstreamGuard(
        service,
        timeouts=UPSTREAM_TIMEOUTS[service],
        retries=RetryPolicy(max_attempts=settings.upstream_max_attempts),
        breaker=CircuitBreaker(settings.breaker_failures, settings.breaker_reset_s),
        budget=RetryBudget(),
        read_posts=HUBSPOT_READ_POSTS if service == "hubspot" else (),
    )


@asynccontextmanager
async def open_upstreams(settings: Settings) -> AsyncIterator[Upstreams]:
    async with AsyncExitStack() as stack:
        hubspot_session = await stack.enter_async_context(open_session(vendor="hubspot"))
        zendesk_session = await stack.enter_async_context(open_session(vendor="zendesk"))
        drive_session = await stack.enter_async_context(open_session(vendor="drive"))
        stripe_session = await stack.enter_async_context(open_session(vendor="stripe"))
        guards = {name: upstream_guard(settings, name) for name in UPSTREAM_TIMEOUTS}
        stripe_client = stripe.stripe_client(
            settings.stripe_api_key, settings.stripe_base_url, stripe_session, guards["stripe"]
        )
        drive_client = drive.DriveClient(
            JsonService("drive", settings.drive_base_url, drive_session, guard=guards["drive"]),
            drive.credentials_for(
                service_account_file=settings.google_service_account_file,
                delegated_user=settings.google_delegated_user,
                static_token=settings.drive_access_token,
            ),
        )
        yield Upstreams(
            hubspot=JsonService(
                "hubspot",
                settings.hubspot_base_url,
                hubspot_session,
                {"Authorization": f"Bearer {settings.hubspot_access_token}"},
                guard=guards["hubspot"],
            ),
            stripe=stripe_client,
            zendesk=replace(
                zendesk.service(
                    zendesk_session,
                    settings.zendesk_base_url,
                    settings.zendesk_email,
                    settings.zendesk_api_token,
                ),
                guard=guards["zendesk"],
            ),
            drive=drive_client,
            stripe_files=JsonService(
                "stripe", settings.stripe_base_url, stripe_session, guard=guards["stripe"]
            ),
        )


@asynccontextmanager
async def open_gateway(settings: Settings) -> AsyncIterator[Gateway]:
    backend_opened = open_backend(
        redis_url=settings.redis_url,
        key_prefix=settings.redis_key_prefix,
        max_entries=settings.cache_max_entries,
        near_ttl_s=settings.cache_near_ttl_s,
        fallback_ttl_s=settings.cache_fallback_ttl_s,
        types=cacheable_types(),
    )
    async with backend_opened as backend, _open_gateway(settings, backend) as gateway:
        yield gateway


@asynccontextmanager
async def _open_gateway(settings: Settings, backend: CacheBackend) -> AsyncIterator[Gateway]:
    cache = ReadThroughCache(backend, settings.cache_ttl_s, settings.cache_stale_max_s)
    sessions = SessionManager(settings.secret_key, backend, grace_s=settings.session_grace_s)
    mailer = _mailer(settings)
    outbound_opened = open_outbound(
        settings.events_out_redis_url, settings.redis_key_prefix, settings.secret_key,
        allow_loopback=settings.webhook_allow_loopback, hook_timeout_s=settings.webhook_timeout_s,
        secret_overlap_s=settings.webhook_secret_overlap_s,
    )  # fmt: skip
    async with open_upstreams(settings) as upstreams, outbound_opened as outbound:
        services = Services(
            upstreams=upstreams,
            cache=cache,
            cursor_signer=Signer(settings.secret_key, "cursor"),
            download_signer=Signer(settings.secret_key, "download"),
            public_url=settings.public_url,
            viewer_ttl_s=settings.viewer_ttl_s,
            invitations=Invitations(backend, settings.invitation_ttl_s),
            mailer=mailer,
            mail_from=settings.mail_from,
            sessions=sessions,
            preview_signer=Signer(settings.secret_key, "subscription-preview"),
            preview_ttl_s=settings.preview_ttl_s,
            outbound=outbound,
        )
        auth = AuthServices(
            hubspot=upstreams.hubspot,
            sessions=sessions,
            links=MagicLinks(backend, settings.magic_link_ttl_s),
            mailer=mailer,
            limiter=RateLimiter(backend),
            public_url=settings.public_url,
            mail_from=settings.mail_from,
            secure_cookies=_secure_cookies(settings.public_url),
            allowed_origins=frozenset({origin_of(settings.public_url), *settings.cors_origins}),
        )
        watched = watching_drive(
            upstreams.drive, backend, address=settings.public_url + "/webhooks/drive",
            token=settings.drive_webhook_token,
        )  # fmt: skip
        async with watched:
            responses = (
                ResponseCache(cache, settings.response_cache_ttl_s)
                if settings.response_cache
                else None
            )
            persisted = PersistedQueries(
                backend,
                load_manifest(settings.trusted_documents_file),
                settings.persisted_query_ttl_s,
                Path(settings.document_log) if settings.document_log else None,
            )
            yield Gateway(settings, services, sessions, auth, persisted, responses)
