"""Every setting of the gateway, declared once: its field, environment variable, type,
default and a line of documentation. `Settings.from_env` reads them all in one loop; the
README's table and `portal-gateway check-config` are printed from the same declarations.

With no vendor credentials set, the gateway talks to the local sandbox (ports 8101-8104 on
127.0.0.1).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

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


def setting(
    env: str,
    default: Any,
    doc: str,
    *,
    secret: bool = False,
    shown: str | None = None,
    production: Any = None,
    needs: tuple[str, ...] = (),
) -> Any:
    """Declares one setting: read from `env`, `default` when unset, documented by `doc`.

    `secret`: never printed (check-config masks it; repr leaves it out). `shown`: the default
    as the README states it, when the value itself would mislead. `production`: the default
    under PORTAL_ENV=production instead. `needs`: variables that must be set when this one is.
    """
    meta = {"env": env, "doc": doc, "secret": secret, "shown": shown,
            "production": production, "needs": needs}  # fmt: skip
    return field(default=default, repr=not secret, metadata=meta)


_SANDBOX = sandbox_urls()


@dataclass(frozen=True)
class Settings:
    # Vendors
    hubspot_base_url: str = setting(
        "HUBSPOT_BASE_URL", _SANDBOX["hubspot"], "HubSpot API", shown="sandbox :8101"
    )
    hubspot_access_token: str = setting(
        "HUBSPOT_ACCESS_TOKEN", "", "HubSpot private-app token", secret=True
    )
    stripe_base_url: str = setting(
        "STRIPE_BASE_URL", _SANDBOX["stripe"], "Stripe API", shown="sandbox :8102"
    )
    stripe_api_key: str = setting("STRIPE_API_KEY", "", "Stripe secret key", secret=True)
    zendesk_subdomain: str = setting(
        "ZENDESK_SUBDOMAIN", "", "means `https://SUBDOMAIN.zendesk.com` (ZENDESK_BASE_URL wins)"
    )
    zendesk_base_url: str = setting(
        "ZENDESK_BASE_URL", _SANDBOX["zendesk"], "Zendesk API", shown="sandbox :8103"
    )
    zendesk_email: str = setting("ZENDESK_EMAIL", "", "Zendesk agent email of the API token")
    zendesk_api_token: str = setting(
        "ZENDESK_API_TOKEN", "", "Zendesk API token", secret=True, needs=("ZENDESK_EMAIL",)
    )
    drive_base_url: str = setting(
        "DRIVE_BASE_URL", _SANDBOX["drive"], "Google Drive API", shown="sandbox :8104"
    )
    google_service_account_file: str = setting(
        "GOOGLE_SERVICE_ACCOUNT_FILE", "", "service-account JSON key file for Drive"
    )
    google_delegated_user: str = setting(
        "GOOGLE_DELEGATED_USER", "", "the Workspace user the service account acts as",
        needs=("GOOGLE_SERVICE_ACCOUNT_FILE",),
    )  # fmt: skip
    drive_access_token: str = setting(
        "DRIVE_ACCESS_TOKEN", "", "static Drive bearer token (sandbox only)", secret=True
    )
    # Cache
    redis_url: str = setting(
        "REDIS_URL", "",
        "shared cache for several replicas: `redis://host:6379/0`, "
        "`redis+sentinel://s1:26379,s2:26379/mymaster/0` (Sentinel) or "
        "`redis+cluster://n1:6379,n2:6379` (Cluster), `rediss…` for TLS (docs/operations.md); "
        "if Redis fails, each replica falls back to its own in-process cache and retries "
        "Redis every second",
        shown="— (in-process cache)",
    )  # fmt: skip
    redis_key_prefix: str = setting(
        "REDIS_KEY_PREFIX", "portal:",
        "prefix of every key and of the eviction channel (several gateways, or tests, may "
        "share one Redis)",
    )  # fmt: skip
    cache_ttl_s: float = setting("PORTAL_CACHE_TTL_S", 30.0, "shared TTL cache of upstream reads")
    cache_max_entries: int = setting(
        "PORTAL_CACHE_MAX_ENTRIES", 10_000, "entries of the in-process cache"
    )
    cache_stale_max_s: float = setting(
        "PORTAL_CACHE_STALE_MAX_S", 300.0,
        "stale-if-error: how long past its TTL a read may be served while its upstream is "
        "down (listed in `extensions.stale`)",
    )  # fmt: skip
    cache_near_ttl_s: float = setting(
        "PORTAL_CACHE_NEAR_TTL_S", 5.0,
        "with Redis: how long a replica keeps its own copy of a shared entry (pub/sub evicts "
        "copies at once; this bounds a lost message)",
    )  # fmt: skip
    cache_fallback_ttl_s: float = setting(
        "PORTAL_CACHE_FALLBACK_TTL_S", 5.0,
        "while Redis is down: how long a replica's own entries live (other replicas' "
        "invalidations cannot reach them)",
    )  # fmt: skip
    session_grace_s: float = setting(
        "PORTAL_SESSION_GRACE_S", 300.0,
        "while Redis is down: a session this replica found alive within this time stays "
        "valid; others are refused until Redis is back",
    )  # fmt: skip
    response_cache: bool = setting(
        "PORTAL_RESPONSE_CACHE", True,
        "whole GraphQL answers, evicted by the same scopes as the reads they were built from",
    )  # fmt: skip
    response_cache_ttl_s: float = setting(
        "PORTAL_RESPONSE_CACHE_TTL_S", 30.0,
        "longest a whole answer is kept (never longer than what it read)",
    )  # fmt: skip
    trusted_documents_only: bool = setting(
        "PORTAL_TRUSTED_DOCUMENTS_ONLY", False,
        "browser sessions may send only the web app's own documents", production=True,
    )  # fmt: skip
    trusted_documents_file: Path = setting(  # noqa: RUF009 - `setting` returns a dataclass field
        "PORTAL_TRUSTED_DOCUMENTS_FILE",
        Path(__file__).resolve().parent / "web" / "portal" / "trusted-documents.json",
        "the web app's manifest of documents (sha256 -> document)",
        shown="web/portal/trusted-documents.json",
    )  # fmt: skip
    document_log: str = setting(
        "PORTAL_DOCUMENT_LOG", "",
        "tests and builds only: append every document a browser session sends to this file "
        "(`make trusted-documents` builds the manifest from it)",
    )  # fmt: skip
    persisted_query_ttl_s: float = setting(
        "PORTAL_PERSISTED_QUERY_TTL_S", 86_400.0,
        "how long a document registered by automatic persisted queries is kept",
    )  # fmt: skip
    viewer_ttl_s: float = setting(
        "PORTAL_VIEWER_TTL_S", 60.0, "how long a member's role and company links are cached"
    )
    api_token_ttl_s: float = setting(
        "PORTAL_API_TOKEN_TTL_S", 60.0,
        "how long a verified API token is trusted before HubSpot is asked again (revocation "
        "delay on other replicas)",
    )  # fmt: skip
    preview_ttl_s: float = setting(
        "PORTAL_PREVIEW_TTL_S", 300.0,
        "how long a subscription change preview (its `prorationDate`) may be applied",
    )  # fmt: skip
    # Webhooks: a vendor's endpoint answers 404 while its secret is empty.
    stripe_webhook_secret: str = setting(
        "STRIPE_WEBHOOK_SECRET", "",
        "Stripe endpoint secret (`whsec_…`) for `POST /webhooks/stripe`", secret=True,
    )  # fmt: skip
    hubspot_client_secret: str = setting(
        "HUBSPOT_CLIENT_SECRET", "",
        "HubSpot app client secret, for `X-HubSpot-Signature-v3` on `POST /webhooks/hubspot`",
        secret=True,
    )  # fmt: skip
    zendesk_webhook_secret: str = setting(
        "ZENDESK_WEBHOOK_SECRET", "",
        "Zendesk webhook signing secret for `POST /webhooks/zendesk`", secret=True,
    )  # fmt: skip
    drive_webhook_token: str = setting(
        "DRIVE_WEBHOOK_TOKEN", "",
        "when set, the gateway watches Drive changes on startup (channel to "
        "`PORTAL_PUBLIC_URL/webhooks/drive` with this token)", secret=True,
    )  # fmt: skip
    webhook_window_s: float = setting(
        "PORTAL_WEBHOOK_WINDOW_S", 300.0,
        "how far a signed webhook timestamp may be in the past or the future; replays are "
        "refused",
    )  # fmt: skip
    # Sign-in, links and mail
    secret_key: str = setting(
        "PORTAL_SECRET_KEY", "",
        "signs sessions, cursors and download links; set it in production",
        secret=True, shown="random per process",
    )  # fmt: skip
    public_url: str = setting(
        "PORTAL_PUBLIC_URL", "http://127.0.0.1:8000", "base of links in mail and download URLs"
    )
    magic_link_ttl_s: float = setting(
        "PORTAL_MAGIC_LINK_TTL_S", 15 * 60.0, "how long a sign-in link works"
    )
    invitation_ttl_s: float = setting(
        "PORTAL_INVITATION_TTL_S", 7 * 24 * 3600.0, "how long an invitation link works",
        shown="604800 (7 days)",
    )  # fmt: skip
    outbox_dir: Path = setting(  # noqa: RUF009 - `setting` returns a dataclass field
        "PORTAL_OUTBOX_DIR", Path(".outbox"), "where mail goes when no SMTP server is set"
    )
    smtp_host: str = setting("SMTP_HOST", "", "outgoing mail server")
    smtp_port: int = setting("SMTP_PORT", 587, "outgoing mail server's port")
    smtp_username: str = setting("SMTP_USERNAME", "", "outgoing mail login")
    smtp_password: str = setting("SMTP_PASSWORD", "", "outgoing mail password", secret=True)
    mail_from: str = setting(
        "PORTAL_MAIL_FROM", "Client Portal <portal@localhost>", "sender of outgoing mail"
    )
    # Resilience and hardening (README, "Resilience")
    environment: str = setting(
        "PORTAL_ENV", "development",
        "`production` turns introspection, GraphiQL and \"did you mean\" hints off (unless "
        "switched on below)",
    )  # fmt: skip
    graphiql: bool = setting(
        "PORTAL_GRAPHIQL", True, "serve GraphiQL on GET /graphql", production=False
    )
    introspection: bool = setting(
        "PORTAL_INTROSPECTION", True, "answer `__schema` / `__type` queries", production=False
    )
    request_deadline_s: float = setting(
        "PORTAL_REQUEST_DEADLINE_S", 1.8,
        "per-request deadline: every upstream call of a /graphql request ends by then",
    )  # fmt: skip
    upstream_max_attempts: int = setting(
        "PORTAL_UPSTREAM_MAX_ATTEMPTS", 3,
        "tries per upstream read (or keyed write), first included",
    )  # fmt: skip
    breaker_failures: int = setting(
        "PORTAL_BREAKER_FAILURES", 5, "upstream failures in a row that open its circuit"
    )
    breaker_reset_s: float = setting(
        "PORTAL_BREAKER_RESET_S", 5.0, "how long an open circuit stays open before one probe"
    )
    max_body_bytes: int = setting(
        "PORTAL_MAX_BODY_BYTES", 1024 * 1024, "larger request bodies get 413, on every route"
    )
    rate_limit_per_viewer: int = setting(
        "PORTAL_RATE_LIMIT_PER_VIEWER", 300,
        "requests per credential (session, API token) per window",
    )  # fmt: skip
    rate_limit_anonymous_per_ip: int = setting(
        "PORTAL_RATE_LIMIT_ANONYMOUS_PER_IP", 600,
        "requests without a proven credential (sign-in, webhooks, signed download links) "
        "per client address per window",
    )  # fmt: skip
    rate_limit_window_s: float = setting(
        "PORTAL_RATE_LIMIT_WINDOW_S", 60.0, "the rate limits' window (429 with `Retry-After`)"
    )
    cors_origins: tuple[str, ...] = setting(
        "PORTAL_CORS_ORIGINS", (),
        "comma-separated browser origins allowed to call the API (with credentials)",
    )  # fmt: skip
    # Upstream requests per second one replica's exports may make, per vendor: below the
    # lowest published limits (Stripe 25/s in test mode, Zendesk Team 200/min, HubSpot
    # 100 per 10 s, Drive 12,000/min), leaving room for the portal's own reads.
    export_rate_stripe: float = setting(
        "PORTAL_EXPORT_RATE_STRIPE", 20.0, "Stripe requests per second of one replica's exports"
    )
    export_rate_zendesk: float = setting(
        "PORTAL_EXPORT_RATE_ZENDESK", 3.0, "Zendesk requests per second of one replica's exports"
    )
    export_rate_hubspot: float = setting(
        "PORTAL_EXPORT_RATE_HUBSPOT", 8.0, "HubSpot requests per second of one replica's exports"
    )
    export_rate_drive: float = setting(
        "PORTAL_EXPORT_RATE_DRIVE", 10.0, "Drive requests per second of one replica's exports"
    )
    # Operations (docs/operations.md)
    metrics_token: str = setting(
        "PORTAL_METRICS_TOKEN", "",
        "bearer token `/metrics` requires; with neither it nor a metrics port, production "
        "answers 404", secret=True,
    )  # fmt: skip
    metrics_port: int = setting(
        "PORTAL_METRICS_PORT", 0,
        "serve `/metrics` on this port alone (for the cluster's Prometheus) instead of the "
        "public one", shown="—",
    )  # fmt: skip
    shutdown_grace_s: float = setting(
        "PORTAL_SHUTDOWN_GRACE_S", 5.0,
        "on SIGTERM, how long requests in flight may finish before the process closes",
    )  # fmt: skip

    # Events out (README, "Events out"): the job queue is SAQ, on REDIS_URL unless this says
    # otherwise (SAQ cannot run on a Cluster: webhooks/delivery/queue.py).
    events_redis_url: str = setting(
        "PORTAL_EVENTS_REDIS_URL", "",
        "events out (job queue, `portal-gateway worker`, feeds and delivery logs, live hub) on "
        "this Redis instead of REDIS_URL, which keeps the cache: `redis://…` or "
        "`redis+sentinel://…`, not a Cluster; needed for events out when REDIS_URL is a "
        "Cluster (docs/operations.md)",
        shown="— (REDIS_URL)",
    )  # fmt: skip
    webhook_timeout_s: float = setting(
        "PORTAL_WEBHOOK_TIMEOUT_S",
        10.0,
        "one client webhook delivery attempt, connect to last byte",
    )
    webhook_disable_after: int = setting(
        "PORTAL_WEBHOOK_DISABLE_AFTER", 20,
        "failed attempts in a row that disable a client endpoint (and mail its ADMINs)",
    )  # fmt: skip
    webhook_allow_loopback: bool = setting(
        "PORTAL_WEBHOOK_ALLOW_LOOPBACK", True,
        "accept `http://` and loopback client endpoints (local receivers); private ranges never",
        production=False,
    )  # fmt: skip
    webhook_secret_overlap_s: float = setting(
        "PORTAL_WEBHOOK_SECRET_OVERLAP_S", 86_400.0,
        "after `rotateWebhookSecret`, how long deliveries are signed with the old secret too "
        "(a second signature in `webhook-signature`), so receivers switch without a loss",
    )  # fmt: skip
    # Client webhook retries follow a fixed schedule (5 s … 10 h, ~27.6 h in all) times this
    # scale: tests shrink it, nothing else should.
    webhook_retry_scale: float = setting(
        "PORTAL_WEBHOOK_RETRY_SCALE", 1.0, "multiplies the client webhook retry schedule (tests)"
    )
    worker_sweep_s: int = setting(
        "PORTAL_WORKER_SWEEP_S", 60, "how often a worker re-queues the jobs of a worker that died"
    )
    worker_concurrency: int = setting(
        "PORTAL_WORKER_CONCURRENCY", 20, "jobs one worker runs at once"
    )
    # SMS: Twilio's Messages API (the sandbox imitates it on :8105).
    twilio_base_url: str = setting("TWILIO_BASE_URL", "https://api.twilio.com", "Twilio API")
    twilio_account_sid: str = setting(
        "TWILIO_ACCOUNT_SID", "", "Twilio account SID; without it no SMS is sent"
    )
    twilio_auth_token: str = setting(
        "TWILIO_AUTH_TOKEN", "", "Twilio auth token", secret=True, needs=("TWILIO_ACCOUNT_SID",)
    )
    twilio_from_number: str = setting(
        "TWILIO_FROM_NUMBER", "+15005550006", "the number SMS are sent from (E.164)"
    )

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def events_out_redis_url(self) -> str:
        """Where events out run: their own Redis when one is set, else the cache's."""
        return self.events_redis_url or self.redis_url

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
        """Raises `SettingsError` naming every setting that is malformed or missing."""
        env = os.environ if env is None else env
        production = env.get("PORTAL_ENV", "") == "production"
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for declared in declarations():
            name, meta = declared.name, declared.metadata
            if meta["env"] not in env:
                if production and meta["production"] is not None:
                    values[name] = meta["production"]
                continue
            try:
                values[name] = _parse(declared, env[meta["env"]])
            except ValueError as exc:
                problems.append(Problem.malformed(declared, env[meta["env"]], str(exc)))
            problems += [
                Problem.missing(other, needed_by=meta["env"])
                for other in meta["needs"]
                if env[meta["env"]] and not env.get(other)
            ]
        if problems:
            raise SettingsError(problems)
        # Defaults that depend on other settings.
        if values.get("zendesk_subdomain") and "zendesk_base_url" not in values:
            values["zendesk_base_url"] = f"https://{values['zendesk_subdomain']}.zendesk.com"
        # A random key still works for one process; sessions then end with it.
        values["secret_key"] = values.get("secret_key") or secrets.token_urlsafe(32)
        values["public_url"] = values.get("public_url", Settings.public_url).rstrip("/")
        return cls(**values)


def declarations() -> tuple[Field[Any], ...]:
    return fields(Settings)


# Reading values


@dataclass(frozen=True)
class Problem:
    env: str
    what: str  # what is wrong, e.g. "PORTAL_CACHE_TTL_S='abc' is not a number"
    expected: str
    example: str

    @classmethod
    def malformed(cls, declared: Field[Any], given: str, reason: str) -> Problem:
        meta = declared.metadata
        shown = "(hidden)" if meta["secret"] else repr(given)
        expected = f"{_EXPECTED[_type_of(declared)]} ({meta['doc']})"
        return cls(meta["env"], f"{meta['env']}={shown} is {reason}", expected,
                   f"{meta['env']}={_example(declared)}")  # fmt: skip

    @classmethod
    def missing(cls, env: str, needed_by: str) -> Problem:
        declared = next(d for d in declarations() if d.metadata["env"] == env)
        return cls(env, f"{env} is missing: {needed_by} is set and needs it",
                   declared.metadata["doc"], f"{env}={_example(declared)}")  # fmt: skip

    def describe(self) -> str:
        return f"  {self.what}.\n      Expected: {self.expected}.\n      Example: {self.example}"


class SettingsError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.what for p in problems))
        self.problems = problems

    def screen(self) -> str:
        """What start-up prints instead of a traceback."""
        count = len(self.problems)
        return "\n".join([
            f"portal-gateway cannot start: {count} setting{'s' if count > 1 else ''} "
            "to fix in the environment.",
            "",
            *(p.describe() for p in self.problems),
            "",
            "Every setting, its default and meaning: README.md, \"Configuration\"; the "
            "values in effect: `portal-gateway check-config`.",
        ])  # fmt: skip


def _flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("", "0", "false", "no", "off"):
        return False
    raise ValueError("not a yes/no value")


def _number(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            return kind(text.strip())
        except ValueError:
            raise ValueError(f"not {_EXPECTED[kind.__name__]}") from None

    return parse


_PARSERS: dict[str, Callable[[str], Any]] = {
    "str": str,
    "int": _number(int),
    "float": _number(float),
    "bool": _flag,
    "Path": Path,
    "tuple[str, ...]": lambda text: tuple(p.strip() for p in text.split(",") if p.strip()),
}
_EXPECTED = {
    "str": "a text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "Path": "a directory",
    "tuple[str, ...]": "a comma-separated list",
}
_EXAMPLES = {
    "str": "…",
    "int": "10",
    "float": "2.5",
    "bool": "true",
    "Path": "/var/lib/portal/outbox",
    "tuple[str, ...]": "https://portal.example.com,https://admin.example.com",
}


def _type_of(declared: Field[Any]) -> str:
    return str(declared.type)


def _parse(declared: Field[Any], text: str) -> Any:
    return _PARSERS[_type_of(declared)](text)


def _example(declared: Field[Any]) -> str:
    default = declared.default
    if default not in ("", (), None) and not declared.metadata["secret"]:
        return shown_value(default)
    return _EXAMPLES.get(_type_of(declared), "…")


# Showing values


def shown_value(value: Any) -> str:
    """A value as an environment variable would spell it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


def shown_default(declared: Field[Any]) -> str:
    meta = declared.metadata
    if meta["shown"] is not None:
        return str(meta["shown"])
    default = declared.default
    text = "—" if default in ("", ()) else f"`{shown_value(default)}`"
    if meta["production"] is not None:
        text += f" (`{shown_value(meta['production'])}` in production)"
    return text


def settings_table() -> str:
    """The README's "Configuration" table, one row per declared setting."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [
        f"| `{d.metadata['env']}` | {shown_default(d)} | {d.metadata['doc']} |"
        for d in declarations()
    ]
    return "\n".join(rows) + "\n"


def effective_configuration(settings: Settings, env: Mapping[str, str]) -> str:
    """Every setting in effect and where it came from; secrets only say whether they are set."""
    lines = []
    for declared in declarations():
        meta = declared.metadata
        value = getattr(settings, declared.name)
        if meta["secret"] and meta["env"] not in env and value:
            shown = f"({meta['shown'] or 'set, hidden'})"  # e.g. the random secret key
        elif meta["secret"]:
            shown = "(set, hidden)" if value else "(not set)"
        else:
            shown = shown_value(value) or "(empty)"
        source = "env" if meta["env"] in env else "default"
        lines.append(f"{meta['env']:<30} {shown}  [{source}]")
    return "\n".join(lines) + "\n"
