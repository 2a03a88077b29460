"""Notification preferences: which channels each kind of notification goes out on."""

from __future__ import annotations

from enum import Enum

import strawberry

from resolvers import notifications as prefs


@strawberry.enum
class NotificationType(Enum):
    INVOICE_GENERATED = prefs.NotificationType.INVOICE_GENERATED.value
    TICKET_STATUS_CHANGED = prefs.NotificationType.TICKET_STATUS_CHANGED.value
    RENEWAL_REMINDER = prefs.NotificationType.RENEWAL_REMINDER.value
    USAGE_THRESHOLD = prefs.NotificationType.USAGE_THRESHOLD.value
    DOCUMENT_ADDED = prefs.NotificationType.DOCUMENT_ADDED.value


@strawberry.enum
class NotificationChannel(Enum):
    EMAIL = prefs.NotificationChannel.EMAIL.value
    SMS = prefs.NotificationChannel.SMS.value
    IN_APP = prefs.NotificationChannel.IN_APP.value


@strawberry.type(description="The channels one kind of notification goes out on; [] is off.")
class NotificationPreference:
    type: NotificationType
    channels: list[NotificationChannel]


def preference_list(preferences: prefs.NotificationPreferences) -> list[NotificationPreference]:
    return [
        NotificationPreference(
            type=NotificationType(kind.value),
            channels=[
                NotificationChannel(c.value)
                for c in prefs.NotificationChannel
                if c in preferences.of(kind)
            ],
        )
        for kind in prefs.NotificationType
    ]


@strawberry.input
class NotificationPreferenceInput:
    type: NotificationType
    channels: list[NotificationChannel]

    def to_resolver(self) -> tuple[prefs.NotificationType, list[prefs.NotificationChannel]]:
        return prefs.NotificationType(self.type.value), [
            prefs.NotificationChannel(c.value) for c in self.channels
        ]
