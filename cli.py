"""The `portal-gateway` command: serve, worker, sandbox, export-schema, check-config,
settings-table."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
import urllib.request
from email import message_from_bytes
from pathlib import Path

from config import (
    SANDBOX_CREDENTIALS,
    SANDBOX_HOST,
    SANDBOX_PORT_BASE,
    Settings,
    SettingsError,
    effective_configuration,
    settings_table,
)

DEMO_QUERY = """{
  viewer {
    member { name email role }
    account {
      name tier accountManager { name email }
      team(first: 5) { totalCount nodes { name role status } }
      invoices(first: 3) { nodes { number status amountDue { decimal currency } dueAt } }
      tickets(first: 3, status: [NEW, OPEN, PENDING]) { nodes { number subject status group } }
      documents(first: 3) { nodes { name type downloadUrl } }
      subscription { plan status currentPeriodEnd }
      usage { name quantityUsed includedQuantity percentUsed }
    }
  }
}"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="portal-gateway")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the gateway (with the sandbox by default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--sandbox",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="start the local vendor sandbox (default: when no vendor credentials are set)",
    )
    serve.add_argument("--sandbox-port-base", type=int, default=SANDBOX_PORT_BASE)
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: the number of cores in production, else 1); "
        "more than one needs REDIS_URL, which they share",
    )

    sandbox = commands.add_parser("sandbox", help="run only the four vendor sandboxes")
    sandbox.add_argument("--scale", type=int, default=1)
    sandbox.add_argument("--latency-ms", type=float, default=0.0)
    sandbox.add_argument("--port-base", type=int, default=SANDBOX_PORT_BASE)
    sandbox.add_argument("--host", default=SANDBOX_HOST)

    worker = commands.add_parser("worker", help="run the job queue's deliveries (needs Redis)")
    worker.add_argument(
        "--sandbox",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="talk to the sandbox of `serve` (default: when no vendor credentials are set)",
    )
    worker.add_argument("--sandbox-port-base", type=int, default=SANDBOX_PORT_BASE)

    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("--output", type=Path, help="write to this file instead of stdout")

    commands.add_parser(
        "check-config", help="print the settings in effect (secrets masked), or what is wrong"
    )
    commands.add_parser("settings-table", help="print the README's table of settings")

    args = parser.parse_args(argv)
    if args.command == "serve":
        _serve(args)
    elif args.command == "worker":
        _worker(args)
    elif args.command == "sandbox":
        asyncio.run(_run_sandbox(args))
    elif args.command == "check-config":
        print(effective_configuration(_settings(), os.environ), end="")
    elif args.command == "settings-table":
        print(settings_table(), end="")
    else:
        _export_schema(args.output)


def _settings() -> Settings:
    """The settings from the environment; on a malformed or missing one, a screen that
    says which and how to fix it, and exit status 2 (no traceback)."""
    try:
        return Settings.from_env()
    except SettingsError as exc:
        print(exc.screen(), file=sys.stderr)
        raise SystemExit(2) from None


def _export_schema(output: Path | None) -> None:
    from schema.schema import export_sdl

    sdl = export_sdl()
    if output is None:
        print(sdl, end="")
    else:
        output.write_text(sdl)


async def _run_sandbox(args: argparse.Namespace) -> None:
    from sandbox.runner import Sandbox, SandboxConfig

    sandbox = Sandbox(SandboxConfig(args.scale, args.latency_ms, args.host, args.port_base))
    await sandbox.start()
    _print_sandbox(sandbox.urls | sandbox.messaging_urls)
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def _print_sandbox(urls: dict[str, str]) -> None:
    token = SANDBOX_CREDENTIALS["HUBSPOT_ACCESS_TOKEN"]
    key = SANDBOX_CREDENTIALS["STRIPE_API_KEY"]
    zendesk = (
        f"{SANDBOX_CREDENTIALS['ZENDESK_EMAIL']}/token:{SANDBOX_CREDENTIALS['ZENDESK_API_TOKEN']}"
    )
    drive = SANDBOX_CREDENTIALS["DRIVE_ACCESS_TOKEN"]
    sid = SANDBOX_CREDENTIALS["TWILIO_ACCOUNT_SID"]
    print("Sandbox upstreams (admin API under /_sandbox/ on each):", flush=True)
    samples = {
        "hubspot": f"curl -H 'Authorization: Bearer {token}' "
        f"'{urls['hubspot']}/crm/v3/objects/companies?limit=2'",
        "stripe": f"curl -u {key}: '{urls['stripe']}/v1/customers?limit=2'",
        "zendesk": f"curl -u '{zendesk}' '{urls['zendesk']}/api/v2/tickets.json?per_page=2'",
        "drive": f"curl -H 'Authorization: Bearer {drive}' "
        f"'{urls['drive']}/drive/v3/files?pageSize=2'",
        "twilio": f"curl -u {sid}:{SANDBOX_CREDENTIALS['TWILIO_AUTH_TOKEN']} "
        f"'{urls.get('twilio')}/2010-04-01/Accounts/{sid}/Messages.json'",
    }
    for name, url in urls.items():
        print(f"  {name:8} {url}\n           {samples[name]}", flush=True)


def _serve(args: argparse.Namespace) -> None:
    settings = _settings()
    use_sandbox = args.sandbox if args.sandbox is not None else not settings.has_vendor_credentials
    public_url = f"http://{args.host}:{args.port}"
    if settings.public_url == Settings().public_url:
        from dataclasses import replace

        settings = replace(settings, public_url=public_url)
    print(f"Client portal: {settings.public_url}/", flush=True)
    demo_emails: list[str] = []
    sandbox_urls: dict[str, str] | None = None
    if use_sandbox:
        from sandbox.runner import SandboxConfig, SandboxThread

        running = SandboxThread(SandboxConfig(port_base=args.sandbox_port_base)).start()
        sandbox_urls = running.urls | running.messaging_urls
        _print_sandbox(sandbox_urls)
        settings = _with_webhook_secrets(settings.with_sandbox(sandbox_urls))
        demo_emails = _demo_emails(running)
    if demo_emails and sandbox_urls is not None:
        threading.Thread(
            target=_print_demo_logins, args=(settings, demo_emails), daemon=True
        ).start()
        threading.Thread(target=_hook_sandbox, args=(settings, sandbox_urls), daemon=True).start()
    workers = args.workers or ((os.cpu_count() or 1) if settings.is_production else 1)
    if workers > 1 and not settings.redis_url:
        raise SystemExit(
            "portal-gateway serve --workers N needs REDIS_URL: the workers share sessions, "
            "single-use links, caches and rate limits through it (e.g. "
            "REDIS_URL=redis://127.0.0.1:6379/0)."
        )
    if workers > 1:
        # Each worker reads its settings from the environment: hand down what was decided here.
        os.environ.update(_decided_env(settings, sandbox_urls))
        _share_metrics_dir()
    _run_server(settings, args.host, args.port, workers)


def _run_server(settings: Settings, host: str, port: int, workers: int) -> None:
    """uvicorn, which on SIGTERM stops accepting, lets in-flight requests finish for up to
    `shutdown_grace_s`, then runs the app's shutdown (upstream sessions closed, traces
    flushed)."""
    import uvicorn

    from web.logging_config import logging_config

    grace = max(1, round(settings.shutdown_grace_s))
    if settings.metrics_port:
        from prometheus_client import start_http_server

        from web.routes.metrics import metrics_registry

        start_http_server(settings.metrics_port, addr=host, registry=metrics_registry())
    # Our access log is web/access_log.py; uvicorn's would write sign-in tokens and queries.
    access_log, log_config = False, logging_config()
    if workers == 1:
        from app import create_app

        uvicorn.run(
            create_app(settings),
            host=host, port=port, timeout_graceful_shutdown=grace,
            access_log=access_log, log_config=log_config,
        )  # fmt: skip
        return
    uvicorn.run(
        "app:create_app_from_env", factory=True, workers=workers,
        host=host, port=port, timeout_graceful_shutdown=grace,
            access_log=access_log, log_config=log_config,
    )  # fmt: skip


def _share_metrics_dir() -> None:
    """Workers write their series to files in one directory, which every scrape adds up
    (prometheus-client's multi-process mode); a fresh one unless PROMETHEUS_MULTIPROC_DIR
    names it."""
    import tempfile

    metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
        prefix="portal-metrics-"
    )
    for stale in Path(metrics_dir).glob("*.db"):
        stale.unlink()  # series of an earlier run's processes
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir


def _decided_env(settings: Settings, sandbox_urls: dict[str, str] | None) -> dict[str, str]:
    """What `serve` decided beyond the environment: the sandbox's URLs and credentials, the
    public URL, and the secret key (generated when none is set: the workers must share it)."""
    env = {"PORTAL_PUBLIC_URL": settings.public_url, "PORTAL_SECRET_KEY": settings.secret_key}
    if sandbox_urls is not None:
        env |= SANDBOX_CREDENTIALS | {
            f"{vendor.upper()}_BASE_URL": url for vendor, url in sandbox_urls.items()
        }
        # The webhook secrets made for the sandbox's vendors (`_with_webhook_secrets`).
        env |= {
            "STRIPE_WEBHOOK_SECRET": settings.stripe_webhook_secret,
            "HUBSPOT_CLIENT_SECRET": settings.hubspot_client_secret,
            "ZENDESK_WEBHOOK_SECRET": settings.zendesk_webhook_secret,
        }
    return env


def _with_webhook_secrets(settings: Settings) -> Settings:
    """The sandbox's vendors sign their webhooks to this gateway with secrets made here."""
    import secrets
    from dataclasses import replace

    return replace(
        settings,
        stripe_webhook_secret=settings.stripe_webhook_secret or "whsec_" + secrets.token_hex(16),
        hubspot_client_secret=settings.hubspot_client_secret or secrets.token_hex(16),
        zendesk_webhook_secret=settings.zendesk_webhook_secret or secrets.token_hex(16),
    )


def _hook_sandbox(settings: Settings, vendor_urls: dict[str, str]) -> None:
    """Once the gateway answers, points the sandbox's vendors' webhooks at it: a change made
    at a vendor then reaches the portal (and, with REDIS_URL and a worker, becomes events)."""
    from sandbox.control import VendorControl

    _wait_until_up(settings.public_url)
    for vendor, secret in (
        ("stripe", settings.stripe_webhook_secret),
        ("hubspot", settings.hubspot_client_secret),
        ("zendesk", settings.zendesk_webhook_secret),
    ):
        target = {"url": f"{settings.public_url}/webhooks/{vendor}", "secret": secret}
        VendorControl(vendor_urls[vendor]).call("PUT", "/_sandbox/webhooks", target)


def _wait_until_up(base: str) -> None:
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1):  # noqa: S310
                return
        except OSError:
            time.sleep(0.1)


def _worker(args: argparse.Namespace) -> None:
    from config import sandbox_urls
    from webhooks import worker

    settings = _settings()
    use_sandbox = args.sandbox if args.sandbox is not None else not settings.has_vendor_credentials
    if use_sandbox:
        settings = settings.with_sandbox(sandbox_urls(port_base=args.sandbox_port_base))
    worker.main(settings)


def _demo_emails(running: object) -> list[str]:
    from sandbox.runner import SandboxThread

    assert isinstance(running, SandboxThread)
    backbone = running.backbone
    people = backbone.people_of(backbone.companies[0].hubspot_id)
    admin = next(p for p in people if p.role == "ADMIN" and p.status == "ACTIVE")
    read_only = next(p for p in people if p.role == "READ_ONLY" and p.status == "ACTIVE")
    return [admin.email, read_only.email]


def _print_demo_logins(settings: Settings, emails: list[str]) -> None:
    """Once the gateway answers, asks it for sign-in links for the demo users, the way a
    user would, and prints the links it wrote to the outbox."""
    base = settings.public_url
    _wait_until_up(base)
    print(f"\nClient portal: {base}/", flush=True)
    for email in emails:
        link = _request_link(settings, email)
        print(f"Sign-in link for {email}: {link or '(not found in the outbox)'}", flush=True)
    print(
        "Open a link and press 'Sign in': the portal opens signed in. GraphiQL, with the same "
        f"session and the dashboard query preloaded: {base}/graphql\nOr try this query:\n"
        + DEMO_QUERY,
        flush=True,
    )


def _request_link(settings: Settings, email: str) -> str | None:
    started = time.time()
    request = urllib.request.Request(  # noqa: S310
        f"{settings.public_url}/auth/magic-link",
        data=json.dumps({"email": email}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass
    for _ in range(100):
        link = newest_link(settings.outbox_dir, email, since=started)
        if link:
            return link
        time.sleep(0.05)
    return None


def newest_link(outbox: Path, email: str, since: float = 0.0) -> str | None:
    """The sign-in link of the newest outbox message to `email`, written after `since`."""
    if not outbox.is_dir():
        return None
    for path in sorted(outbox.glob("*.eml"), reverse=True):
        if path.stat().st_mtime < since:
            break
        message = message_from_bytes(path.read_bytes())
        if message["To"] != email:
            continue
        body = message.get_payload(decode=True)
        text = body.decode() if isinstance(body, bytes) else str(body)
        return next((w for w in text.split() if "/auth/magic-link/" in w), None)
    return None


if __name__ == "__main__":
    main()
