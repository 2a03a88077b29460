"""Notifications: the in-app feed and its read marker, and the preferences saying which
channels each kind of notification goes out on."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

import strawberry

from auth.permissions import MARK_OWN_NOTIFICATIONS_READ
from resolvers import notifications
from resolvers import notifications as prefs
from schema.context import Info
from schema.relay import Connection, connection_of
from schema.roles import allowed_to


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


@strawberry.type(description="One in-app notification of the signed-in member.")
class Notification:
    id: strawberry.ID
    type: str = strawberry.field(description="The portal event type, e.g. ticket.status_changed.")
    title: str
    path: str = strawberry.field(description="Where the portal shows it, e.g. /tickets/145.")
    occurred_at: datetime
    received_at: datetime
    read: bool

    @classmethod
    def from_upstream(cls, found: notifications.Notification) -> Notification:
        item = found.item
        return cls(
            id=strawberry.ID(item.id),
            type=item.type,
            title=item.title,
            path=item.path,
            occurred_at=datetime.fromtimestamp(item.occurred_at, UTC),
            received_at=datetime.fromtimestamp(item.added_at, UTC),
            read=found.read,
        )


@strawberry.type(description="The member's notifications, newest first (kept 90 days).")
class NotificationConnection(Connection[Notification]):
    unread_count: int


def notification_connection(found: notifications.NotificationPage) -> NotificationConnection:
    plain = connection_of(found.page, Notification.from_upstream)
    return NotificationConnection(
        edges=plain.edges,
        page_info=plain.page_info,
        total_count=plain.total_count,
        unread_count=found.unread_count,
    )


@strawberry.type
class MarkNotificationsReadPayload:
    read_at: datetime
    unread_count: int


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(
        description="Marks every notification received so far as read.",
        extensions=allowed_to(MARK_OWN_NOTIFICATIONS_READ),
    )
    async def mark_notifications_read(self, info: Info) -> MarkNotificationsReadPayload:
        read_at = await notifications.mark_all_read(info.context)
        return MarkNotificationsReadPayload(
            read_at=datetime.fromtimestamp(read_at, UTC), unread_count=0
        )
