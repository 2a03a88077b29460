"""Drive's push notifications for `changes.watch` channels: when files change, an empty POST
to each channel's address with the `X-Goog-*` headers of Drive's push notifications guide
(resource state `change`).
The receiver then reads `changes.list` from its saved page token."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from sandbox.drive.state import Change, DriveState
from sandbox.webhooks import Delivery, Target


class Notifier:
    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}  # messages sent per channel

    def __call__(
        self, state: DriveState, changes: Sequence[Change], target: Target | None
    ) -> list[Delivery]:
        # One notification per batch of changes, as Drive coalesces them.
        return [self._notification(channel) for channel in state.channels.values()]

    def _notification(self, channel: dict[str, Any]) -> Delivery:
        number = self._numbers.get(channel["id"], 1) + 1  # 1 was the `sync` message
        self._numbers[channel["id"]] = number
        expiration = datetime.fromtimestamp(int(channel["expiration"]) / 1000, UTC)
        headers = {
            "X-Goog-Channel-ID": channel["id"],
            "X-Goog-Channel-Expiration": format_datetime(expiration, usegmt=True),
            "X-Goog-Resource-ID": channel["resourceId"],
            "X-Goog-Resource-URI": channel["resourceUri"],
            "X-Goog-Resource-State": "change",
            "X-Goog-Message-Number": str(number),
        }
        if channel.get("token") is not None:
            headers["X-Goog-Channel-Token"] = channel["token"]
        return Delivery(f"change {channel['id']}", channel["address"], headers, b"")
