"""Every setting of the gateway, read from environment variables in this one place.

Each field's default is the documented default. With no vendor credentials set, the gateway
talks to the local sandbox (ports 8101-8104 on 127.0.0.1).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

SANDBOX_HOST = "127.0.0.1"
SANDBOX_PORT_BASE = 8101
SANDBOX_CREDENTIALS = {
    "HUBSPOT_ACCESS_TOKEN": "pat-sandbox",
    "STRIPE_API_KEY": "sk_test_sandbox",
    "ZENDESK_EMAIL": "portal@sandbox.example",
    "ZENDESK_API_TOKEN": "sandbox",
    "DRIVE_ACCESS_TOKEN": "sandbox-token",
    "TWILIO_ACCOUNT_SID": "AC5a4db0c5000000000000000000000001",
    "TWILIO_AUTH_TOKEN": "sandbox-auth-token",
}
VENDOR_CREDENTIALS = (
    "HUBSPOT_ACCESS_TOKEN",
    "STRIPE_API_KEY",
    "ZENDESK_API_TOKEN",
    "GOOGLE_SERVICE_ACCOUNT_FILE",
)


def sandbox_urls(host: str = SANDBOX_HOST, port_base: int = SANDBOX_PORT_BASE) -> dict[str, str]:
    vendors = ("hubspot", "stripe", "zendesk", "drive", "twilio")
    return {name: f"http://{host}:{port_base + i}" for i, name in enumerate(vendors)}


@dataclass(frozen=True)
class Settings:
    hubspot_base_url: str = sandbox_urls()["hubspot"]
    hubspot_access_token: str = field(default="", repr=False)
    stripe_base_url: str = sandbox_urls()["stripe"]
    stripe_api_key: str = field(default="", repr=False)
    zendesk_base_url: str = sandbox_urls()["zendesk"]
    zendesk_email: str = ""
    zendesk_api_token: str = field(default="", repr=False)
    drive_base_url: str = sandbox_urls()["drive"]
    google_service_account_file: str = ""
    google_delegated_user: str = ""
    drive_access_token: str = field(default="", repr=False)  # static token (sandbox only)
    redis_url: str = ""
    secret_key: str = field(default="", repr=False)
    public_url: str = "http://127.0.0.1:8000"
    outbox_dir: Path = Path(".outbox")
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    mail_from: str = "Client Portal <portal@localhost>"
    graphiql: bool = True
    request_deadline_s: float = 1.8
    cache_ttl_s: float = 30.0
    cache_max_entries: int = 10_000
    viewer_ttl_s: float = 60.0
    magic_link_ttl_s: float = 15 * 60.0
    # Stale-if-error: how long past its TTL a cached read may still be served while its
    # upstream is down (the response lists such fields in `extensions.stale`).
    cache_stale_max_s: float = 300.0
    # With Redis: how long a replica keeps its own copy of a shared entry. Pub/sub evicts
    # copies at once; this bounds staleness should an eviction message be lost.
    cache_near_ttl_s: float = 5.0
    redis_key_prefix: str = "portal:"  # several gateways (or tests) may share one Redis
    # Webhook signing secrets; a vendor's endpoint answers 404 while its secret is empty.
    stripe_webhook_secret: str = field(default="", repr=False)  # the endpoint's whsec_...
    hubspot_client_secret: str = field(default="", repr=False)  # the app's client secret
    zendesk_webhook_secret: str = field(default="", repr=False)  # the webhook signing secret
    # Drive: the channel token; when set, the gateway watches Drive changes on startup.
    drive_webhook_token: str = field(default="", repr=False)
    webhook_window_s: float = 300.0  # oldest signed timestamp accepted; replays remembered
    # How long a verified API token is trusted before HubSpot is asked again: a revoked
    # token stops working on every replica within this time.
    api_token_ttl_s: float = 60.0
    # Upstream requests per second one replica's exports may make, per vendor: below the
    # lowest published limits (Stripe 25/s in test mode, Zendesk Team 200/min, HubSpot
    # 100 per 10 s, Drive 12,000/min), leaving room for the portal's own reads.
    export_rate_stripe: float = 20.0
    export_rate_zendesk: float = 3.0
    export_rate_hubspot: float = 8.0
    export_rate_drive: float = 10.0

    # Resilience and hardening (README, "Resilience"). "production" turns introspection,
    # GraphiQL and "did you mean" suggestions off unless switched on below.
    environment: str = "development"
    introspection: bool = True
    upstream_max_attempts: int = 3  # first try included; reads and idempotent writes only
    breaker_failures: int = 5  # consecutive upstream failures that open its circuit
    breaker_reset_s: float = 5.0  # open this long, then one probe call
    max_body_bytes: int = 1024 * 1024  # larger /graphql bodies get 413
    rate_limit_per_viewer: int = 300  # /graphql requests per credential per window
    rate_limit_per_ip: int = 600  # /graphql requests per client address per window
    rate_limit_window_s: float = 60.0
    cors_origins: tuple[str, ...] = ()  # browser origins allowed to call the API

    # Events out (README, "Events and notifications"): the job queue is SAQ on REDIS_URL.
    # Client webhook retries follow a fixed schedule (5 s … 10 h, ~27 h in all) times this
    # scale: tests shrink it, nothing else should.
    webhook_retry_scale: float = 1.0
    webhook_disable_after: int = 20  # consecutive failed attempts that disable an endpoint
    webhook_timeout_s: float = 10.0  # per delivery attempt, connect to last byte
    # Client webhook targets: production allows only https to public addresses; elsewhere
    # (the sandbox, the demo, tests) loopback and http are allowed too.
    webhook_allow_loopback: bool = True
    worker_sweep_s: int = 60  # how often a worker looks for jobs a dead worker left
    worker_concurrency: int = 20
    # Twilio (SMS): the Messages API; the sandbox imitates it when no account is set.
    twilio_base_url: str = "https://api.twilio.com"
    twilio_account_sid: str = ""
    twilio_auth_token: str = field(default="", repr=False)
    twilio_from_number: str = "+15005550006"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def has_vendor_credentials(self) -> bool:
        return bool(self.hubspot_access_token or self.stripe_api_key or self.zendesk_api_token)

    def with_sandbox(self, urls: Mapping[str, str]) -> Settings:
        """These settings pointed at a running sandbox with credentials it accepts."""
        return replace(
            self,
            hubspot_base_url=urls["hubspot"],
            hubspot_access_token=SANDBOX_CREDENTIALS["HUBSPOT_ACCESS_TOKEN"],
            stripe_base_url=urls["stripe"],
            stripe_api_key=SANDBOX_CREDENTIALS["STRIPE_API_KEY"],
            zendesk_base_url=urls["zendesk"],
            zendesk_email=SANDBOX_CREDENTIALS["ZENDESK_EMAIL"],
            zendesk_api_token=SANDBOX_CREDENTIALS["ZENDESK_API_TOKEN"],
            drive_base_url=urls["drive"],
            google_service_account_file="",
            drive_access_token=SANDBOX_CREDENTIALS["DRIVE_ACCESS_TOKEN"],
            twilio_base_url=urls.get("twilio", self.twilio_base_url),
            twilio_account_sid=SANDBOX_CREDENTIALS["TWILIO_ACCOUNT_SID"],
            twilio_auth_token=SANDBOX_CREDENTIALS["TWILIO_AUTH_TOKEN"],
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        defaults = cls()

        def text(name: str, default: str) -> str:
            return env.get(name, default)

        production = text("PORTAL_ENV", defaults.environment) == "production"

        def flag(name: str, default: bool) -> bool:
            return text(name, str(default)).lower() in ("1", "true", "yes")

        return cls(
            hubspot_base_url=text("HUBSPOT_BASE_URL", defaults.hubspot_base_url),
            hubspot_access_token=text("HUBSPOT_ACCESS_TOKEN", ""),
            stripe_base_url=text("STRIPE_BASE_URL", defaults.stripe_base_url),
            stripe_api_key=text("STRIPE_API_KEY", ""),
            zendesk_base_url=text("ZENDESK_BASE_URL", _zendesk_url(env, defaults.zendesk_base_url)),
            zendesk_email=text("ZENDESK_EMAIL", ""),
            zendesk_api_token=text("ZENDESK_API_TOKEN", ""),
            drive_base_url=text("DRIVE_BASE_URL", defaults.drive_base_url),
            google_service_account_file=text("GOOGLE_SERVICE_ACCOUNT_FILE", ""),
            google_delegated_user=text("GOOGLE_DELEGATED_USER", ""),
            drive_access_token=text("DRIVE_ACCESS_TOKEN", ""),
            redis_url=text("REDIS_URL", ""),
            # A random key still works for one process; sessions then end with it.
            secret_key=text("PORTAL_SECRET_KEY", "") or secrets.token_urlsafe(32),
            public_url=text("PORTAL_PUBLIC_URL", defaults.public_url).rstrip("/"),
            outbox_dir=Path(text("PORTAL_OUTBOX_DIR", str(defaults.outbox_dir))),
            smtp_host=text("SMTP_HOST", ""),
            smtp_port=int(text("SMTP_PORT", str(defaults.smtp_port))),
            smtp_username=text("SMTP_USERNAME", ""),
            smtp_password=text("SMTP_PASSWORD", ""),
            mail_from=text("PORTAL_MAIL_FROM", defaults.mail_from),
            graphiql=flag("PORTAL_GRAPHIQL", not production),
            request_deadline_s=float(text("PORTAL_REQUEST_DEADLINE_S", "1.8")),
            cache_ttl_s=float(text("PORTAL_CACHE_TTL_S", str(defaults.cache_ttl_s))),
            cache_max_entries=int(text("PORTAL_CACHE_MAX_ENTRIES", "10000")),
            viewer_ttl_s=float(text("PORTAL_VIEWER_TTL_S", str(defaults.viewer_ttl_s))),
            magic_link_ttl_s=float(text("PORTAL_MAGIC_LINK_TTL_S", str(defaults.magic_link_ttl_s))),
            cache_stale_max_s=float(
                text("PORTAL_CACHE_STALE_MAX_S", str(defaults.cache_stale_max_s))
            ),
            cache_near_ttl_s=float(text("PORTAL_CACHE_NEAR_TTL_S", str(defaults.cache_near_ttl_s))),
            redis_key_prefix=text("REDIS_KEY_PREFIX", defaults.redis_key_prefix),
            stripe_webhook_secret=text("STRIPE_WEBHOOK_SECRET", ""),
            hubspot_client_secret=text("HUBSPOT_CLIENT_SECRET", ""),
            zendesk_webhook_secret=text("ZENDESK_WEBHOOK_SECRET", ""),
            drive_webhook_token=text("DRIVE_WEBHOOK_TOKEN", ""),
            webhook_window_s=float(text("PORTAL_WEBHOOK_WINDOW_S", str(defaults.webhook_window_s))),
            api_token_ttl_s=float(text("PORTAL_API_TOKEN_TTL_S", str(defaults.api_token_ttl_s))),
            environment=text("PORTAL_ENV", defaults.environment),
            introspection=flag("PORTAL_INTROSPECTION", not production),
            upstream_max_attempts=int(text("PORTAL_UPSTREAM_MAX_ATTEMPTS", "3")),
            breaker_failures=int(text("PORTAL_BREAKER_FAILURES", "5")),
            breaker_reset_s=float(text("PORTAL_BREAKER_RESET_S", "5.0")),
            max_body_bytes=int(text("PORTAL_MAX_BODY_BYTES", str(defaults.max_body_bytes))),
            rate_limit_per_viewer=int(text("PORTAL_RATE_LIMIT_PER_VIEWER", "300")),
            rate_limit_per_ip=int(text("PORTAL_RATE_LIMIT_PER_IP", "600")),
            rate_limit_window_s=float(text("PORTAL_RATE_LIMIT_WINDOW_S", "60")),
            cors_origins=tuple(
                o.strip() for o in text("PORTAL_CORS_ORIGINS", "").split(",") if o.strip()
            ),
            export_rate_stripe=float(
                text("PORTAL_EXPORT_RATE_STRIPE", str(defaults.export_rate_stripe))
            ),
            export_rate_zendesk=float(
                text("PORTAL_EXPORT_RATE_ZENDESK", str(defaults.export_rate_zendesk))
            ),
            export_rate_hubspot=float(
                text("PORTAL_EXPORT_RATE_HUBSPOT", str(defaults.export_rate_hubspot))
            ),
            export_rate_drive=float(
                text("PORTAL_EXPORT_RATE_DRIVE", str(defaults.export_rate_drive))
            ),
            webhook_retry_scale=float(text("PORTAL_WEBHOOK_RETRY_SCALE", "1.0")),
            webhook_disable_after=int(text("PORTAL_WEBHOOK_DISABLE_AFTER", "20")),
            webhook_timeout_s=float(text("PORTAL_WEBHOOK_TIMEOUT_S", "10")),
            webhook_allow_loopback=flag("PORTAL_WEBHOOK_ALLOW_LOOPBACK", not production),
            worker_sweep_s=int(text("PORTAL_WORKER_SWEEP_S", "60")),
            worker_concurrency=int(text("PORTAL_WORKER_CONCURRENCY", "20")),
            twilio_base_url=text("TWILIO_BASE_URL", defaults.twilio_base_url),
            twilio_account_sid=text("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=text("TWILIO_AUTH_TOKEN", ""),
            twilio_from_number=text("TWILIO_FROM_NUMBER", defaults.twilio_from_number),
        )


def _zendesk_url(env: Mapping[str, str], default: str) -> str:
    """Zendesk lives at https://SUBDOMAIN.zendesk.com; ZENDESK_BASE_URL overrides it."""
    subdomain = env.get("ZENDESK_SUBDOMAIN", "")
    return f"https://{subdomain}.zendesk.com" if subdomain else default
