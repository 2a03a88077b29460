"""Which notifications a member gets, on which channels: a typed JSON document kept in the
contact property `portal_notification_preferences` (HubSpot is the record, not the portal).

    {"version": 1, "invoice_generated": {"email": true, "sms": false, "in_app": true}, ...}

A missing or unreadable document, or a type missing from it, means the defaults; unknown
types and channels are ignored, so a document written by a newer portal still reads.
Documents of the first portal called ticket status changes "status_update"; they read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

VERSION = 1


class NotificationType(StrEnum):
    INVOICE_GENERATED = "INVOICE_GENERATED"
    TICKET_STATUS_CHANGED = "TICKET_STATUS_CHANGED"
    RENEWAL_REMINDER = "RENEWAL_REMINDER"
    USAGE_THRESHOLD = "USAGE_THRESHOLD"
    DOCUMENT_ADDED = "DOCUMENT_ADDED"


class NotificationChannel(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    IN_APP = "IN_APP"


DEFAULT_CHANNELS = frozenset({NotificationChannel.EMAIL, NotificationChannel.IN_APP})


@dataclass(frozen=True)
class NotificationPreferences:
    channels: Mapping[NotificationType, frozenset[NotificationChannel]]

    @classmethod
    def defaults(cls) -> NotificationPreferences:
        return cls({kind: DEFAULT_CHANNELS for kind in NotificationType})

    def of(self, kind: NotificationType) -> frozenset[NotificationChannel]:
        return self.channels.get(kind, DEFAULT_CHANNELS)

    def with_changes(
        self, changes: Mapping[NotificationType, frozenset[NotificationChannel]]
    ) -> NotificationPreferences:
        return NotificationPreferences(
            {kind: changes.get(kind, self.of(kind)) for kind in NotificationType}
        )

    def uses_sms(self) -> bool:
        return any(NotificationChannel.SMS in self.of(kind) for kind in NotificationType)

    def to_json(self) -> str:
        document: dict[str, object] = {"version": VERSION}
        for kind in NotificationType:
            on = self.of(kind)
            document[kind.value.lower()] = {c.value.lower(): c in on for c in NotificationChannel}
        return json.dumps(document, sort_keys=True)

    @classmethod
    def from_json(cls, document: str | None) -> NotificationPreferences:
        try:
            raw = json.loads(document) if document else {}
        except ValueError:
            raw = {}
        stored = raw if isinstance(raw, dict) else {}
        found: dict[NotificationType, frozenset[NotificationChannel]] = {}
        for kind in NotificationType:
            toggles = stored.get(kind.value.lower(), stored.get(_LEGACY_NAMES.get(kind, "")))
            if isinstance(toggles, dict):
                found[kind] = frozenset(
                    c for c in NotificationChannel if toggles.get(c.value.lower()) is True
                )
        return cls.defaults().with_changes(found)


_LEGACY_NAMES = {NotificationType.TICKET_STATUS_CHANGED: "status_update"}
