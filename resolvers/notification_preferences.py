"""The preferences model lives with the deliveries that honour it (webhooks/delivery)."""

from __future__ import annotations

from webhooks.delivery.preferences import (
    DEFAULT_CHANNELS,
    NotificationChannel,
    NotificationPreferences,
    NotificationType,
)

__all__ = [
    "DEFAULT_CHANNELS",
    "NotificationChannel",
    "NotificationPreferences",
    "NotificationType",
]
