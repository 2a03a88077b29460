"""The sandboxed HubSpot portal's mutable data. Every change, whether an API write or an
admin change, goes through `State` and is recorded by `changed()` (for webhooks)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.hubspot.associations import AssociationStore
from sandbox.hubspot.catalog import (
    CHILD_TO_PARENT_COMPANY,
    COMPANIES,
    CONTACTS,
    OBJECT_TYPES,
    PARENT_TO_CHILD_COMPANY,
    ObjectType,
    association_type,
)
from sandbox.hubspot.errors import HubSpotError, not_found
from sandbox.hubspot.records import CrmObject, Properties, timestamp

Clock = Callable[[], datetime]


def _wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Change:
    """One change as a HubSpot webhook subscription would report it."""

    subscription_type: str  # e.g. "contact.propertyChange", "company.creation"
    object_id: str
    occurred_at: datetime
    property_name: str | None = None
    property_value: str | None = None


@dataclass
class State:
    objects: dict[str, dict[str, CrmObject]]  # by type name, then id (insertion = id order)
    associations: AssociationStore
    owners: list[dict[str, Any]]  # HubSpot's PublicOwner JSON
    next_ids: dict[str, int]
    clock: Clock = _wall_clock
    changes: list[Change] = field(default_factory=list)
    _emails: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for record in self.objects[CONTACTS.name].values():
            self._index_email(CONTACTS, record)

    # Reads

    def get(self, kind: ObjectType, object_id: str, *, archived: bool = False) -> CrmObject | None:
        record = self.objects[kind.name].get(object_id)
        if record is None or record.archived != archived:
            return None
        return record

    def find(
        self, kind: ObjectType, value: str, id_property: str | None, *, archived: bool = False
    ) -> CrmObject | None:
        """A record by id, or by a unique property such as a contact's email."""
        if id_property in (None, "", "hs_object_id"):
            return self.get(kind, value, archived=archived)
        if kind is CONTACTS and id_property == "email":
            object_id = self._emails.get(value.strip().lower())
            return self.get(kind, object_id, archived=archived) if object_id else None
        raise HubSpotError(400, f"{id_property} is not a unique property of {kind.name}")

    def live(self, kind: ObjectType, *, archived: bool = False) -> Iterator[CrmObject]:
        return (r for r in self.objects[kind.name].values() if r.archived == archived)

    def require(self, kind: ObjectType, object_id: str) -> CrmObject:
        record = self.get(kind, object_id)
        if record is None:
            raise not_found(kind.singular, object_id)
        return record

    # Writes

    def create(self, kind: ObjectType, properties: Properties) -> CrmObject:
        now = self.clock()
        object_id = str(self.next_ids[kind.name])
        self._check_unique(kind, object_id, properties)
        self.next_ids[kind.name] += 1
        stamps = system_properties(kind, object_id, now, now)
        record = CrmObject(object_id, {**properties, **stamps}, now, now)
        self.objects[kind.name][object_id] = record
        self._index_email(kind, record)
        self.changed(f"{kind.singular}.creation", object_id)
        return record

    def update(self, kind: ObjectType, object_id: str, properties: Properties) -> CrmObject:
        record = self.require(kind, object_id)
        self._check_unique(kind, object_id, properties)
        now = self.clock()
        before = dict(record.properties)
        self._forget_email(kind, record)
        record.properties.update(properties)
        record.properties.update(system_properties(kind, object_id, record.created_at, now))
        record.updated_at = now
        self._index_email(kind, record)
        for name, value in properties.items():
            if before.get(name) != value:
                self.changed(f"{kind.singular}.propertyChange", object_id, name, value)
        return record

    def archive(self, kind: ObjectType, object_id: str) -> None:
        record = self.require(kind, object_id)
        record.archived_at = self.clock()
        self._forget_email(kind, record)
        self.associations.drop_record(kind.name, object_id)
        self.changed(f"{kind.singular}.deletion", object_id)

    def associate(
        self, from_kind: ObjectType, from_id: str, to_kind: ObjectType, to_id: str, type_id: int
    ) -> None:
        self.require(from_kind, from_id)
        self.require(to_kind, to_id)
        if association_type(from_kind.name, to_kind.name, type_id) is None:
            raise HubSpotError(
                400,
                f"{type_id} is not a valid association type between "
                f"{from_kind.name} and {to_kind.name}",
            )
        self.associations.add(from_kind.name, from_id, to_kind.name, to_id, type_id)
        self._set_parent(from_kind, from_id, to_id, type_id)
        self.changed(f"{from_kind.singular}.associationChange", from_id, to_kind.name, to_id)

    def dissociate(
        self, from_kind: ObjectType, from_id: str, to_kind: ObjectType, to_id: str
    ) -> None:
        if self.associations.remove(from_kind.name, from_id, to_kind.name, to_id):
            if from_kind is COMPANIES and to_kind is COMPANIES:
                for child, parent in ((from_id, to_id), (to_id, from_id)):
                    record = self.require(COMPANIES, child)
                    if record.properties.get("hs_parent_company_id") == parent:
                        record.properties["hs_parent_company_id"] = None
            self.changed(f"{from_kind.singular}.associationChange", from_id, to_kind.name, to_id)

    def _set_parent(self, from_kind: ObjectType, from_id: str, to_id: str, type_id: int) -> None:
        """HubSpot keeps a company's parent in its read-only `hs_parent_company_id`."""
        if from_kind is not COMPANIES:
            return
        if type_id == PARENT_TO_CHILD_COMPANY:
            child, parent = to_id, from_id
        elif type_id == CHILD_TO_PARENT_COMPANY:
            child, parent = from_id, to_id
        else:
            return
        self.require(COMPANIES, child).properties["hs_parent_company_id"] = parent

    def changed(
        self,
        subscription_type: str,
        object_id: str,
        property_name: str | None = None,
        property_value: str | None = None,
    ) -> None:
        """The one place that records a change (later: emits a signed webhook)."""
        self.changes.append(
            Change(subscription_type, object_id, self.clock(), property_name, property_value)
        )

    def _check_unique(self, kind: ObjectType, object_id: str, properties: Properties) -> None:
        email = properties.get("email")
        if kind is not CONTACTS or not email:
            return
        existing = self._emails.get(email)
        if existing is not None and existing != object_id:
            raise HubSpotError(409, f"Contact already exists. Existing ID: {existing}")

    def _index_email(self, kind: ObjectType, record: CrmObject) -> None:
        email = record.properties.get("email")
        if kind is CONTACTS and email and not record.archived:
            self._emails[email.lower()] = record.id

    def _forget_email(self, kind: ObjectType, record: CrmObject) -> None:
        email = record.properties.get("email")
        if kind is CONTACTS and email and self._emails.get(email.lower()) == record.id:
            del self._emails[email.lower()]


def system_properties(
    kind: ObjectType, object_id: str, created: datetime, modified: datetime
) -> Properties:
    """The read-only properties HubSpot maintains on every record of a type."""
    values = {
        "hs_object_id": object_id,
        "createdate": timestamp(created),
        "hs_createdate": timestamp(created),
        "hs_lastmodifieddate": timestamp(modified),
        "lastmodifieddate": timestamp(modified),
    }
    return {name: value for name, value in values.items() if name in kind.properties}


def empty_objects() -> dict[str, dict[str, CrmObject]]:
    return {kind.name: {} for kind in OBJECT_TYPES}
