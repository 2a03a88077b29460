"""What the sandboxed HubSpot portal knows: its object types, their properties, and the
HUBSPOT_DEFINED association types between them (ids as HubSpot publishes them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Property:
    kind: str = "string"  # string | number | datetime | enumeration | bool
    options: tuple[str, ...] = ()
    read_only: bool = False


@dataclass(frozen=True)
class ObjectType:
    name: str  # the plural path segment, e.g. "companies"
    singular: str
    type_id: str  # HubSpot's objectTypeId, e.g. "0-2"
    properties: Mapping[str, Property]
    # Returned when a read names no properties.
    default_properties: tuple[str, ...]
    # Returned with every read, whatever it names.
    always_properties: tuple[str, ...]
    # Properties that identify a record as well as its id (`idProperty`).
    unique_properties: tuple[str, ...] = ()

    @property
    def upper(self) -> str:
        """The spelling HubSpot uses in error messages: COMPANY, CONTACT..."""
        return self.singular.upper()


_READ_ONLY_DATE = Property("datetime", read_only=True)
_READ_ONLY_NUMBER = Property("number", read_only=True)
_BOOL = Property("bool", ("true", "false"))
_LIFECYCLE = Property(
    "enumeration",
    (
        "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
        "customer", "evangelist", "other",
    ),
)  # fmt: skip

COMPANIES = ObjectType(
    name="companies",
    singular="company",
    type_id="0-2",
    properties={
        "name": Property(),
        "domain": Property(),
        "phone": Property(),
        "address": Property(),
        "city": Property(),
        "zip": Property(),
        "state": Property(),
        "country": Property(),
        "description": Property(),
        "lifecyclestage": _LIFECYCLE,
        "hubspot_owner_id": Property("number"),
        "hs_parent_company_id": _READ_ONLY_NUMBER,
        "createdate": _READ_ONLY_DATE,
        "hs_lastmodifieddate": _READ_ONLY_DATE,
        "hs_object_id": _READ_ONLY_NUMBER,
        # Custom properties of this portal.
        "portal_tier": Property("enumeration", ("STARTER", "GROWTH", "ENTERPRISE")),
        "stripe_customer_id": Property(),
        "zendesk_organization_id": Property(),
        "drive_folder_id": Property(),
        "portal_logo_url": Property(),
        "portal_primary_color": Property(),
        "portal_webhook_endpoints": Property(),
    },
    default_properties=("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    always_properties=("createdate", "hs_lastmodifieddate", "hs_object_id"),
)

CONTACTS = ObjectType(
    name="contacts",
    singular="contact",
    type_id="0-1",
    properties={
        "firstname": Property(),
        "lastname": Property(),
        "email": Property(),
        "phone": Property(),
        "jobtitle": Property(),
        "lifecyclestage": _LIFECYCLE,
        "hubspot_owner_id": Property("number"),
        "associatedcompanyid": Property("number"),
        "createdate": _READ_ONLY_DATE,
        "lastmodifieddate": _READ_ONLY_DATE,
        "hs_lastmodifieddate": _READ_ONLY_DATE,
        "hs_object_id": _READ_ONLY_NUMBER,
        "portal_role": Property("enumeration", ("ADMIN", "USER", "READ_ONLY")),
        "portal_status": Property("enumeration", ("INVITED", "ACTIVE", "DISABLED")),
        "portal_notification_preferences": Property(),
        # Team management: when and by whom a member was invited, when they last signed in.
        "portal_invited_at": Property("datetime"),
        "portal_invited_by": Property(),
        "portal_last_sign_in_at": Property("datetime"),
        # When the member closed the portal web app's first-login guide.
        "portal_guide_completed_at": Property("datetime"),
        "portal_notifications_read_at": Property(),
        # Custom properties of the portal's API-token contacts (one contact per token).
        "portal_token_name": Property(),
        "portal_token_hash": Property(),
        "portal_token_expires_at": Property("datetime"),
        "portal_token_revoked_at": Property("datetime"),
        "portal_token_created_by": Property("number"),
        "portal_token_company_id": Property("number"),
    },
    default_properties=(
        *("createdate", "email", "firstname", "hs_lastmodifieddate", "hs_object_id"),
        *("lastmodifieddate", "lastname"),
    ),
    always_properties=("createdate", "hs_lastmodifieddate", "hs_object_id", "lastmodifieddate"),
    unique_properties=("email",),
)

# Engagements name their creation date `hs_createdate`, as in HubSpot.
TASKS = ObjectType(
    name="tasks",
    singular="task",
    type_id="0-27",
    properties={
        "hs_task_subject": Property(),
        "hs_task_body": Property(),
        "hs_task_status": Property(
            "enumeration", ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED")
        ),
        "hs_task_priority": Property("enumeration", ("NONE", "LOW", "MEDIUM", "HIGH")),
        "hs_task_type": Property("enumeration", ("TODO", "CALL", "EMAIL")),
        "hs_timestamp": Property("datetime"),
        "hs_task_completion_date": Property("datetime", read_only=True),
        "hubspot_owner_id": Property("number"),
        "hs_createdate": _READ_ONLY_DATE,
        "hs_lastmodifieddate": _READ_ONLY_DATE,
        "hs_object_id": _READ_ONLY_NUMBER,
        "portal_visible": _BOOL,
    },
    default_properties=("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
    always_properties=("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
)

NOTES = ObjectType(
    name="notes",
    singular="note",
    type_id="0-46",
    properties={
        "hs_note_body": Property(),
        "hs_timestamp": Property("datetime"),
        "hubspot_owner_id": Property("number"),
        "hs_createdate": _READ_ONLY_DATE,
        "hs_lastmodifieddate": _READ_ONLY_DATE,
        "hs_object_id": _READ_ONLY_NUMBER,
    },
    default_properties=("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
    always_properties=("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
)

OBJECT_TYPES = (COMPANIES, CONTACTS, TASKS, NOTES)

_BY_ALIAS = {alias: t for t in OBJECT_TYPES for alias in (t.name, t.singular, t.type_id, t.upper)}


def object_type(alias: str) -> ObjectType | None:
    """HubSpot accepts an object's plural or singular name or its type id in paths."""
    return _BY_ALIAS.get(alias) or _BY_ALIAS.get(alias.lower())


@dataclass(frozen=True)
class AssociationType:
    from_type: str
    to_type: str
    type_id: int
    inverse_id: int
    v3_name: str  # the `type` of v3 `associations` results
    label: str | None = None  # None for the unlabeled (default) type
    category: str = field(default="HUBSPOT_DEFINED")


# The label of a paired type names what the *to* record is to the *from* record.
ASSOCIATION_TYPES = (
    AssociationType("contacts", "companies", 279, 280, "contact_to_company_unlabeled"),
    AssociationType("contacts", "companies", 1, 2, "contact_to_company", "Primary"),
    AssociationType("companies", "contacts", 280, 279, "company_to_contact_unlabeled"),
    AssociationType("companies", "contacts", 2, 1, "company_to_contact", "Primary"),
    AssociationType("companies", "companies", 450, 450, "company_to_company"),
    AssociationType("companies", "companies", 13, 14, "parent_to_child_company", "Child Company"),
    AssociationType("companies", "companies", 14, 13, "child_to_parent_company", "Parent Company"),
    AssociationType("companies", "tasks", 191, 192, "company_to_task"),
    AssociationType("tasks", "companies", 192, 191, "task_to_company"),
    AssociationType("companies", "notes", 189, 190, "company_to_note"),
    AssociationType("notes", "companies", 190, 189, "note_to_company"),
    AssociationType("contacts", "tasks", 203, 204, "contact_to_task"),
    AssociationType("tasks", "contacts", 204, 203, "task_to_contact"),
    AssociationType("contacts", "notes", 201, 202, "contact_to_note"),
    AssociationType("notes", "contacts", 202, 201, "note_to_contact"),
)

PRIMARY_CONTACT_TO_COMPANY = 1
CONTACT_TO_COMPANY = 279
PARENT_TO_CHILD_COMPANY = 13
CHILD_TO_PARENT_COMPANY = 14
COMPANY_TO_TASK = 191
COMPANY_TO_NOTE = 189

_TYPES = {(a.from_type, a.to_type, a.type_id): a for a in ASSOCIATION_TYPES}
_DEFAULTS = {(a.from_type, a.to_type): a for a in ASSOCIATION_TYPES if a.label is None}


def association_type(from_type: str, to_type: str, type_id: int) -> AssociationType | None:
    return _TYPES.get((from_type, to_type, type_id))


def association_type_from(from_type: str, type_id: int) -> AssociationType | None:
    """The type a record of `from_type` may have with that id: its id names the other end."""
    return next(
        (a for a in ASSOCIATION_TYPES if a.from_type == from_type and a.type_id == type_id), None
    )


def default_association(from_type: str, to_type: str) -> AssociationType | None:
    """The unlabeled type between two object types, if they may be associated at all."""
    return _DEFAULTS.get((from_type, to_type))
