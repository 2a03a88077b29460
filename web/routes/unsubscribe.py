"""One-click unsubscribe from notification mails, without signing in: the link carries a
signed, single-purpose token (contact, notification type, channel). GET shows a page with
one button (mail scanners follow links, so a GET changes nothing); POST — the button, or a
mail client's RFC 8058 one-click request — turns that one preference off in HubSpot."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from auth.signing import BadSignature
from cache import scopes
from connectors import hubspot
from connectors.http import UpstreamError
from webhooks.delivery.context import unsubscribe_signer
from webhooks.delivery.preferences import (
    NotificationChannel,
    NotificationPreferences,
    NotificationType,
)

if TYPE_CHECKING:
    from gateway import Gateway

GatewayOf = Callable[[], "Gateway"]
Choice = tuple[str, NotificationType, NotificationChannel]


def unsubscribe_routes(gateway_of: GatewayOf) -> list[Route]:
    async def show(request: Request) -> Response:
        choice = _choice(gateway_of(), request)
        if choice is None:
            return _page("This unsubscribe link is not valid.", status=400)
        _, kind, channel = choice
        return _page(
            f"Stop {_words(kind)} notifications by {_channel(channel)}?",
            button="Unsubscribe",
        )

    async def unsubscribe(request: Request) -> Response:
        gateway = gateway_of()
        choice = _choice(gateway, request)
        if choice is None:
            return _page("This unsubscribe link is not valid.", status=400)
        try:
            await _turn_off(gateway, *choice)
        except UpstreamError:
            return _page("We could not save that just now; please try again.", status=503)
        _, kind, channel = choice
        return _page(
            f"Done: no more {_words(kind)} notifications by {_channel(channel)}. "
            "You can turn them back on in the portal's settings."
        )

    return [
        Route("/notifications/unsubscribe", show, methods=["GET"]),
        Route("/notifications/unsubscribe", unsubscribe, methods=["POST"]),
    ]


def _choice(gateway: Gateway, request: Request) -> Choice | None:
    try:
        payload = unsubscribe_signer(gateway.settings.secret_key).unsign(
            request.query_params.get("token", "")
        )
        return (
            str(payload["contact"]),
            NotificationType(payload["type"]),
            NotificationChannel(payload["channel"]),
        )
    except (BadSignature, KeyError, ValueError, TypeError):
        return None


async def _turn_off(
    gateway: Gateway, contact_id: str, kind: NotificationType, channel: NotificationChannel
) -> None:
    http = gateway.services.upstreams.hubspot
    [contact] = await hubspot.contacts_by_id(http, [contact_id])
    if contact is None:
        return
    current = NotificationPreferences.from_json(contact.notification_preferences)
    changed = current.with_changes({kind: current.of(kind) - {channel}})
    await hubspot.update_contact(http, contact_id, {"notification_preferences": changed.to_json()})
    await gateway.services.cache.invalidate(scopes.contact(contact_id), scopes.viewer(contact_id))


def _words(kind: NotificationType) -> str:
    return kind.value.replace("_", " ").lower()


def _channel(channel: NotificationChannel) -> str:
    return {"EMAIL": "email", "SMS": "SMS", "IN_APP": "in-app notice"}[channel.value]


def _page(message: str, *, button: str | None = None, status: int = 200) -> HTMLResponse:
    form = f'<form method="post"><button type="submit">{button}</button></form>' if button else ""
    return HTMLResponse(
        "<!doctype html><html><head><meta name='viewport' content='width=device-width'>"
        f"<title>Notifications</title></head><body><main><p>{html.escape(message)}</p>"
        f"{form}</main></body></html>",
        status_code=status,
    )
