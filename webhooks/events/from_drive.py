"""Portal events in Drive's changes (the v3 `changes` resource): a file created lately in
an account's folder is a document added. Drive's push notification names no change, so the
gateway reads `changes.list` and hands on the files it found new."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors import drive
from webhooks.events import links
from webhooks.events.derived import Derived, Owner
from webhooks.events.types import EventType

# A change to a file created longer ago than this is an edit, not an addition.
NEW_WITHIN = timedelta(days=1)


def added_files(changes: drive.Changes, now: datetime | None = None) -> bytes:
    """The new, visible files among the changes, as the JSON body of the derivation job
    (empty when there are none)."""
    moment = now or datetime.now(UTC)
    files = [
        {"id": c.file.id, "name": c.file.name, "parents": list(c.file.parents),
         "document_type": c.file.document_type, "created": c.file.created_time.timestamp()}
        for c in changes.changes
        if c.file is not None and not c.removed and not c.file.trashed
        and moment - c.file.created_time <= NEW_WITHIN
    ]  # fmt: skip
    return json.dumps(files).encode() if files else b""


def derive(files: list[Mapping[str, Any]]) -> list[Derived]:
    return [
        Derived(
            type=EventType.DOCUMENT_ADDED,
            source="drive",
            source_id=str(found["id"]),  # one file is added once, however often Drive tells
            owner=Owner("drive_folder_id", str(parent)),
            occurred_at=float(found.get("created") or 0),
            title=f"New document: {found.get('name', '')}",
            path=links.DOCUMENTS,
            data={
                "document": {
                    "id": str(found["id"]),
                    "name": found.get("name"),
                    "type": found.get("document_type"),
                }
            },
        )
        for found in files
        if found.get("id")
        for parent in found.get("parents") or []
    ]
