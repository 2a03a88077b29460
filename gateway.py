"""The composition root: builds every long-lived part of a running gateway from Settings,
and closes them again. The app lifespan holds one `Gateway`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from starlette.responses import Response

from auth.magic_links import MagicLinks
from auth.mail import Mailer, OutboxMailer, SmtpMailer
from auth.rate_limit import RateLimiter
from auth.routes import AuthServices, set_session_cookie
from auth.sessions import SessionManager
from auth.signing import Signer
from cache.backend import CacheBackend, InProcessCache
from cache.read_through import ReadThroughCache
from config import Settings
from connectors import drive, stripe, zendesk
from connectors.http import JsonService, open_session
from resolvers.services import Services, Upstreams


@dataclass(frozen=True)
class Gateway:
    settings: Settings
    services: Services
    sessions: SessionManager
    auth: AuthServices

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


@asynccontextmanager
async def open_upstreams(settings: Settings) -> AsyncIterator[Upstreams]:
    async with AsyncExitStack() as stack:
        hubspot_session = await stack.enter_async_context(open_session())
        zendesk_session = await stack.enter_async_context(open_session())
        drive_session = await stack.enter_async_context(open_session())
        stripe_session = await stack.enter_async_context(open_session())
        stripe_client = stripe.stripe_client(
            settings.stripe_api_key, settings.stripe_base_url, stripe_session
        )
        drive_client = drive.DriveClient(
            JsonService("drive", settings.drive_base_url, drive_session),
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
            ),
            stripe=stripe_client,
            zendesk=zendesk.service(
                zendesk_session,
                settings.zendesk_base_url,
                settings.zendesk_email,
                settings.zendesk_api_token,
            ),
            drive=drive_client,
        )


@asynccontextmanager
async def open_gateway(settings: Settings) -> AsyncIterator[Gateway]:
    backend: CacheBackend = InProcessCache(settings.cache_max_entries)
    cache = ReadThroughCache(backend, settings.cache_ttl_s)
    sessions = SessionManager(settings.secret_key, backend)
    async with open_upstreams(settings) as upstreams:
        services = Services(
            upstreams=upstreams,
            cache=cache,
            cursor_signer=Signer(settings.secret_key, "cursor"),
            download_signer=Signer(settings.secret_key, "download"),
            public_url=settings.public_url,
            viewer_ttl_s=settings.viewer_ttl_s,
        )
        auth = AuthServices(
            hubspot=upstreams.hubspot,
            sessions=sessions,
            links=MagicLinks(backend, settings.magic_link_ttl_s),
            mailer=_mailer(settings),
            limiter=RateLimiter(backend),
            public_url=settings.public_url,
            mail_from=settings.mail_from,
            secure_cookies=_secure_cookies(settings.public_url),
        )
        yield Gateway(settings, services, sessions, auth)
