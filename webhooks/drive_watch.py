"""Drive push notifications: the gateway watches `changes` on startup (when a channel token
is configured), saves the page token in the shared cache, and on each notification reads
`changes.list` from it and evicts the changed files and their folders' listings."""

from __future__ import annotations

import contextlib
import hmac
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from cache import scopes
from cache.backend import CacheBackend
from connectors import drive
from connectors.http import UpstreamError
from webhooks.verify import Refused

log = logging.getLogger("portal.webhooks")

PAGE_TOKEN_TTL_S = 7 * 24 * 3600.0  # as long as a channel lives; if lost, TTLs still bound it
CHANNEL_TTL_S = 7 * 24 * 3600.0


@asynccontextmanager
async def watching_drive(
    client: drive.DriveClient, backend: CacheBackend, *, address: str, token: str
) -> AsyncIterator[None]:
    """Registers a channel for the lifetime of the gateway (nothing if `token` is empty)."""
    channel = await _watch(client, backend, address, token) if token else None
    try:
        yield
    finally:
        if channel is not None:
            await backend.delete(scopes.drive_channel(channel.id))
            with contextlib.suppress(UpstreamError):
                await drive.stop_channel(client, channel)


async def _watch(
    client: drive.DriveClient, backend: CacheBackend, address: str, token: str
) -> drive.Channel | None:
    try:
        # Another replica may be reading from an older token: keep it, so nothing is skipped.
        if await backend.get(scopes.DRIVE_PAGE_TOKEN) is None:
            page_token = await drive.start_page_token(client)
            await backend.set(scopes.DRIVE_PAGE_TOKEN, page_token, PAGE_TOKEN_TTL_S)
        current = await backend.get(scopes.DRIVE_PAGE_TOKEN)
        start = str(current.value) if current else await drive.start_page_token(client)
        channel = await drive.watch_changes(
            client, start, channel_id=str(uuid.uuid4()), address=address, token=token
        )
    except UpstreamError as exc:
        log.warning("Drive changes are not watched (%s); documents refresh by TTL only", exc)
        return None
    await backend.set(scopes.drive_channel(channel.id), True, CHANNEL_TTL_S)
    return channel


async def verified_nonce(backend: CacheBackend, headers: Mapping[str, str], token: str) -> str:
    """Checks a notification's channel and token; returns its nonce (channel and number)."""
    channel_id = headers.get("X-Goog-Channel-ID", "")
    sent_token = headers.get("X-Goog-Channel-Token", "")
    if not hmac.compare_digest(sent_token.encode(), token.encode()):
        raise Refused(401, "channel token does not match")
    if not channel_id or await backend.get(scopes.drive_channel(channel_id)) is None:
        raise Refused(401, "unknown channel")
    number = headers.get("X-Goog-Message-Number", "")
    if not number.isdigit():
        raise Refused(400, "X-Goog-Message-Number is missing")
    # As a number: "0005" is message 5 again, not a new nonce.
    return f"{channel_id}:{int(number)}"


async def changed_scopes(client: drive.DriveClient, backend: CacheBackend) -> list[str]:
    """Reads the changes since the saved page token; returns the scopes they touch."""
    changes = await read_changes(client, backend)
    return _scopes(changes) if changes is not None else []


async def read_changes(client: drive.DriveClient, backend: CacheBackend) -> drive.Changes | None:
    """The changes since the saved page token (None without one); saves the next token."""
    saved = await backend.get(scopes.DRIVE_PAGE_TOKEN)
    if saved is None:
        return None
    changes = await drive.changes_since(client, str(saved.value))
    await backend.set(scopes.DRIVE_PAGE_TOKEN, changes.next_page_token, PAGE_TOKEN_TTL_S)
    return changes


def scopes_of(changes: drive.Changes) -> list[str]:
    return _scopes(changes)


def _scopes(changes: drive.Changes) -> list[str]:
    found: list[str] = []
    for change in changes.changes:
        found.append(scopes.file(change.file_id))
        # A removed file names no folder any more; its folder's listing expires by TTL.
        parents = change.file.parents if change.file else ()
        found += (scopes.files(parent) for parent in parents)
    return list(dict.fromkeys(found))
