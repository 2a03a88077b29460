"""The webhook endpoints: no session auth (the vendor signs instead). Each request is
verified and checked against replays before it evicts anything."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.http import UpstreamError
from webhooks import drive_watch, evictions, verify
from webhooks.delivery import queue
from webhooks.events import from_drive, vendors
from webhooks.verify import Refused

if TYPE_CHECKING:
    from gateway import Gateway

GatewayOf = Callable[[], "Gateway"]
Scopes = Callable[[], Awaitable[list[str]]]
Verified = tuple[str, Scopes]  # the request's nonce, and what finds the scopes to evict


def webhook_routes(gateway_of: GatewayOf) -> list[Route]:
    def endpoint(check: Callable[[Gateway, Request, bytes], Awaitable[Verified | None]]) -> Any:
        async def handle(request: Request) -> Response:
            return await _handle(gateway_of(), request, check)

        return handle

    return [
        Route("/webhooks/stripe", endpoint(_stripe), methods=["POST"]),
        Route("/webhooks/hubspot", endpoint(_hubspot), methods=["POST"]),
        Route("/webhooks/zendesk", endpoint(_zendesk), methods=["POST"]),
        Route("/webhooks/drive", endpoint(_drive), methods=["POST"]),
    ]


async def _handle(
    gateway: Gateway,
    request: Request,
    check: Callable[[Gateway, Request, bytes], Awaitable[Verified | None]],
) -> Response:
    body = await request.body()
    try:
        verified = await check(gateway, request, body)
        if verified is None:
            return JSONResponse({"error": "this webhook is not configured"}, status_code=404)
        nonce, find_scopes = verified
        await _once(gateway, request.url.path, nonce)
        scopes = await find_scopes()
    except Refused as exc:
        return JSONResponse({"error": exc.reason}, status_code=exc.status)
    except UpstreamError:
        # Drive could not list the changes: ask Drive to try again later.
        return JSONResponse({"error": "upstream unavailable"}, status_code=503)
    await gateway.services.cache.invalidate(*scopes)
    vendor = request.url.path.rsplit("/", 1)[-1]
    outbound = gateway.services.outbound
    if outbound is not None and vendor in vendors.VENDORS:
        # The events are derived on the worker (their account needs a HubSpot lookup, and
        # the queue retries it); here, only what is needed to answer the vendor fast.
        await queue.enqueue_vendor_webhook(outbound.queue, vendor, body)
    return JSONResponse({"evicted": scopes})


async def _once(gateway: Gateway, endpoint: str, nonce: str) -> None:
    """Refuses a request seen before within the window (atomic across replicas)."""
    digest = hashlib.sha256(f"{endpoint}|{nonce}".encode()).hexdigest()
    window = gateway.settings.webhook_window_s
    if await gateway.services.cache.backend.incr(f"webhook-seen:{digest}", 2 * window) > 1:
        raise Refused(400, "already delivered (replay)")


async def _stripe(gateway: Gateway, request: Request, body: bytes) -> Verified | None:
    secret = gateway.settings.stripe_webhook_secret
    if not secret:
        return None
    window = gateway.settings.webhook_window_s
    nonce = verify.stripe_signature(body, request.headers, secret, window)
    return nonce, _found(evictions.of_stripe(_json(body, dict)))


async def _hubspot(gateway: Gateway, request: Request, body: bytes) -> Verified | None:
    secret = gateway.settings.hubspot_client_secret
    if not secret:
        return None
    url = gateway.settings.public_url + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    window = gateway.settings.webhook_window_s
    nonce = verify.hubspot_signature(request.method, url, body, request.headers, secret, window)
    events = _json(body, list)

    async def find_scopes() -> list[str]:
        # A member deactivated in HubSpot loses every session at once, as in the portal.
        for contact_id in evictions.disabled_contacts(events):
            await gateway.sessions.revoke_all_of(contact_id)
        return evictions.of_hubspot(events)

    return nonce, find_scopes


async def _zendesk(gateway: Gateway, request: Request, body: bytes) -> Verified | None:
    secret = gateway.settings.zendesk_webhook_secret
    if not secret:
        return None
    window = gateway.settings.webhook_window_s
    nonce = verify.zendesk_signature(body, request.headers, secret, window)
    return nonce, _found(evictions.of_zendesk(_json(body, dict)))


async def _drive(gateway: Gateway, request: Request, body: bytes) -> Verified | None:
    token = gateway.settings.drive_webhook_token
    if not token:
        return None
    services = gateway.services
    nonce = await drive_watch.verified_nonce(services.cache.backend, request.headers, token)

    async def find_scopes() -> list[str]:
        if request.headers.get("X-Goog-Resource-State") == "sync":
            return []
        changes = await drive_watch.read_changes(services.upstreams.drive, services.cache.backend)
        if changes is None:
            return []
        added = from_drive.added_files(changes)
        if added and services.outbound is not None:
            # Drive's notification carries no change: the files read here are the body.
            await queue.enqueue_vendor_webhook(services.outbound.queue, "drive", added)
        return drive_watch.scopes_of(changes)

    return nonce, find_scopes


def _found(scopes: list[str]) -> Scopes:
    async def found() -> list[str]:
        return scopes

    return found


def _json(body: bytes, shape: type) -> Any:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise Refused(400, "the body is not JSON") from exc
    if not isinstance(data, shape):
        raise Refused(400, f"the body is not a JSON {shape.__name__}")
    return data
