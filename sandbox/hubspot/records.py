"""A CRM record as the sandbox keeps it, and its JSON as HubSpot's v3 objects API renders it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sandbox.hubspot.catalog import ObjectType

Properties = dict[str, str | None]


@dataclass
class CrmObject:
    id: str
    properties: Properties
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None = None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


def timestamp(moment: datetime) -> str:
    """HubSpot's datetime spelling: UTC, milliseconds, `Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def object_json(
    record: CrmObject,
    kind: ObjectType,
    requested: Iterable[str] | None,
    associations: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The record with the properties a read asked for (HubSpot's defaults when it named
    none); names the type does not know are left out, known ones without a value are null."""
    names = list(requested or ()) or list(kind.default_properties)
    names += [n for n in kind.always_properties if n not in names]
    body: dict[str, Any] = {
        "id": record.id,
        "properties": {n: record.properties.get(n) for n in names if n in kind.properties},
        "createdAt": timestamp(record.created_at),
        "updatedAt": timestamp(record.updated_at),
        "archived": record.archived,
    }
    if record.archived_at is not None:
        body["archivedAt"] = timestamp(record.archived_at)
    if associations:
        body["associations"] = associations
    return body
