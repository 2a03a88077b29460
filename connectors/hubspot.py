"""HubSpot CRM: companies (accounts), contacts (team members), owners (CSMs), the
associations between them, and onboarding tasks, over HubSpot's REST API on aiohttp.

Reads are batch-shaped and aligned with the ids asked for: objects through `batch/read`
(≤ 100 ids a request), associations through the v4 `batch/read` (≤ 1000 ids a request),
chunks sent concurrently. A record HubSpot does not have is None; an error is an
`UpstreamError`, never None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from connectors.http import JsonService, NotFound, gather_aligned, parse_errors
from connectors.paging import chunks

T = TypeVar("T")

BATCH_READ_LIMIT = 100
ASSOCIATIONS_BATCH_LIMIT = 1000

# HUBSPOT_DEFINED association type ids (HubSpot's association type reference).
PRIMARY_CONTACT_TO_COMPANY = 1
CONTACT_TO_COMPANY = 279
PARENT_TO_CHILD_COMPANY = 13
CHILD_TO_PARENT_COMPANY = 14
NOTE_TO_COMPANY = 190
_NOTE_ON_COMPANY = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": NOTE_TO_COMPANY}
_CONTACT_ON_COMPANY = {
    "associationCategory": "HUBSPOT_DEFINED",
    "associationTypeId": CONTACT_TO_COMPANY,
}

# Our record fields and the HubSpot properties they are read from: the one place that
# names the properties this module asks for and writes.
COMPANY_PROPERTIES: Mapping[str, str] = {
    "name": "name",
    "domain": "domain",
    "phone": "phone",
    "street": "address",
    "city": "city",
    "postal_code": "zip",
    "state": "state",
    "country": "country",
    "lifecycle_stage": "lifecyclestage",
    "tier": "portal_tier",
    "owner_id": "hubspot_owner_id",
    "stripe_customer_id": "stripe_customer_id",
    "zendesk_organization_id": "zendesk_organization_id",
    "drive_folder_id": "drive_folder_id",
    "logo_url": "portal_logo_url",
    "primary_color": "portal_primary_color",
}
CONTACT_PROPERTIES: Mapping[str, str] = {
    "first_name": "firstname",
    "last_name": "lastname",
    "email": "email",
    "phone": "phone",
    "job_title": "jobtitle",
    "portal_role": "portal_role",
    "portal_status": "portal_status",
    "notification_preferences": "portal_notification_preferences",
    "invited_at": "portal_invited_at",
    "invited_by": "portal_invited_by",
    "last_sign_in_at": "portal_last_sign_in_at",
    "guide_completed_at": "portal_guide_completed_at",
}
# Datetime properties of a contact.
_CONTACT_MOMENTS = ("invited_at", "last_sign_in_at", "guide_completed_at")
TASK_PROPERTIES: Mapping[str, str] = {
    "subject": "hs_task_subject",
    "body": "hs_task_body",
    "status": "hs_task_status",
    "due_at": "hs_timestamp",
}
TASK_VISIBLE_PROPERTY = "portal_visible"
NOTE_BODY_PROPERTY = "hs_note_body"
NOTE_TIMESTAMP_PROPERTY = "hs_timestamp"


@dataclass(frozen=True)
class Company:
    id: str
    name: str
    domain: str | None
    phone: str | None
    street: str | None
    city: str | None
    postal_code: str | None
    state: str | None
    country: str | None
    lifecycle_stage: str | None
    tier: str | None
    owner_id: str | None
    stripe_customer_id: str | None
    zendesk_organization_id: str | None
    drive_folder_id: str | None
    logo_url: str | None
    primary_color: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Contact:
    id: str
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    job_title: str | None
    portal_role: str | None
    portal_status: str | None
    notification_preferences: str | None  # JSON, as the portal stored it
    created_at: datetime
    updated_at: datetime
    invited_at: datetime | None = None
    invited_by: str | None = None  # who invited them, as the portal wrote it
    last_sign_in_at: datetime | None = None
    guide_completed_at: datetime | None = None  # when they closed the first-login guide

    @property
    def full_name(self) -> str:
        """First and last name as people write them; "" when HubSpot has neither."""
        return _full_name(self.first_name, self.last_name)


@dataclass(frozen=True)
class Owner:
    id: str
    email: str | None
    first_name: str | None
    last_name: str | None

    @property
    def full_name(self) -> str:
        return _full_name(self.first_name, self.last_name)


def _full_name(first_name: str | None, last_name: str | None) -> str:
    return " ".join(part for part in (first_name, last_name) if part)


@dataclass(frozen=True)
class Task:
    id: str
    subject: str | None
    body: str | None
    status: str | None  # NOT_STARTED, IN_PROGRESS, WAITING, COMPLETED, DEFERRED
    due_at: datetime | None


# Objects


async def companies_by_id(http: JsonService, ids: Sequence[str]) -> list[Company | None]:
    found = await _objects_by_id(http, "companies", ids, COMPANY_PROPERTIES.values())
    return [_parsed(http, _company, found.get(i)) for i in ids]


async def contacts_by_id(http: JsonService, ids: Sequence[str]) -> list[Contact | None]:
    found = await _objects_by_id(http, "contacts", ids, CONTACT_PROPERTIES.values())
    return [_parsed(http, _contact, found.get(i)) for i in ids]


async def contacts_by_email(http: JsonService, emails: Sequence[str]) -> list[Contact | None]:
    """Contacts by email address; HubSpot keeps emails lower case, so case does not matter."""
    wanted = [e.strip().lower() for e in emails]
    results = await _batch_read(
        http, "contacts", [e for e in wanted if e], CONTACT_PROPERTIES.values(), "email"
    )
    email = CONTACT_PROPERTIES["email"]
    with parse_errors(http.name):
        found = {str(r["properties"][email]).lower(): r for r in results}
    return [_parsed(http, _contact, found.get(e)) for e in wanted]


async def tasks_by_id(http: JsonService, ids: Sequence[str]) -> list[Task | None]:
    properties = [*TASK_PROPERTIES.values(), TASK_VISIBLE_PROPERTY]
    found = await _objects_by_id(http, "tasks", ids, properties)
    return [_parsed(http, _task, found.get(i)) for i in ids]


async def client_tasks_of_companies(
    http: JsonService, company_ids: Sequence[str]
) -> list[list[Task]]:
    """Each company's onboarding tasks that clients may see, soonest due first."""
    task_ids = await associated_ids(http, "companies", "tasks", company_ids)
    properties = [*TASK_PROPERTIES.values(), TASK_VISIBLE_PROPERTY]
    found = await _objects_by_id(http, "tasks", [t for ids in task_ids for t in ids], properties)
    with parse_errors(http.name):
        visible = {
            i: _task(r)
            for i, r in found.items()
            if r["properties"].get(TASK_VISIBLE_PROPERTY) == "true"
        }
    return [sorted((visible[t] for t in ids if t in visible), key=_due) for ids in task_ids]


async def _objects_by_id(
    http: JsonService, object_type: str, ids: Sequence[str], properties: Iterable[str]
) -> dict[str, Any]:
    # HubSpot ids are numbers; anything else cannot exist, and would fail the whole batch.
    numeric = [i for i in ids if i.isdigit()]
    results = await _batch_read(http, object_type, numeric, properties)
    with parse_errors(http.name):
        return {str(r["id"]): r for r in results}


async def _batch_read(
    http: JsonService,
    object_type: str,
    values: Sequence[str],
    properties: Iterable[str],
    id_property: str | None = None,
) -> list[Any]:
    """Every record found for `values` (ids, or `id_property` values), in chunks of 100
    sent concurrently. HubSpot leaves out what it does not have (207 with `errors`)."""
    body: dict[str, Any] = {"properties": list(properties), "propertiesWithHistory": []}
    if id_property is not None:
        body["idProperty"] = id_property
    path = f"/crm/v3/objects/{object_type}/batch/read"
    pages = await gather_aligned(
        *(
            http.request("POST", path, json_body={**body, "inputs": [{"id": v} for v in chunk]})
            for chunk in chunks(list(dict.fromkeys(values)), BATCH_READ_LIMIT)
        )
    )
    with parse_errors(http.name):
        return [result for page in pages for result in page["results"]]


# Associations


async def associated_ids(
    http: JsonService,
    from_type: str,
    to_type: str,
    ids: Sequence[str],
    *,
    association_type_id: int | None = None,
) -> list[list[str]]:
    """For each id, the ids of the `to_type` records associated with it (only those of
    `association_type_id` when given), in HubSpot's order."""
    links = await _associations(http, from_type, to_type, ids)
    return [
        [to_id for to_id, types in found if association_type_id in (None, *types)]
        for found in links
    ]


async def company_ids_of_contacts(http: JsonService, contact_ids: Sequence[str]) -> list[list[str]]:
    """Each contact's companies, its primary company first."""
    links = await _associations(http, "contacts", "companies", contact_ids)
    return [
        [i for i, _ in sorted(found, key=lambda link: PRIMARY_CONTACT_TO_COMPANY not in link[1])]
        for found in links
    ]


async def contact_ids_of_companies(
    http: JsonService, company_ids: Sequence[str]
) -> list[list[str]]:
    return await associated_ids(http, "companies", "contacts", company_ids)


async def child_company_ids(http: JsonService, company_ids: Sequence[str]) -> list[list[str]]:
    return await associated_ids(
        http, "companies", "companies", company_ids, association_type_id=PARENT_TO_CHILD_COMPANY
    )


async def parent_company_ids(http: JsonService, company_ids: Sequence[str]) -> list[str | None]:
    """Each company's parent company, if it has one (HubSpot allows one)."""
    parents = await associated_ids(
        http, "companies", "companies", company_ids, association_type_id=CHILD_TO_PARENT_COMPANY
    )
    return [found[0] if found else None for found in parents]


_Link = tuple[str, frozenset[int]]


async def _associations(
    http: JsonService, from_type: str, to_type: str, ids: Sequence[str]
) -> list[list[_Link]]:
    """Each id's associated records with their type ids, following HubSpot's per-record
    paging; the first page of every chunk of 1000 ids is read concurrently."""
    path = f"/crm/v4/associations/{from_type}/{to_type}/batch/read"
    found: dict[str, list[_Link]] = {i: [] for i in ids if i.isdigit()}
    pending: dict[str, str | None] = dict.fromkeys(found)
    while pending:
        batches = chunks(list(pending.items()), ASSOCIATIONS_BATCH_LIMIT)
        pages = await gather_aligned(
            *(http.request("POST", path, json_body={"inputs": _inputs(c)}) for c in batches)
        )
        pending = {}
        with parse_errors(http.name):
            for result in (r for page in pages for r in page["results"]):
                from_id = str(result["from"]["id"])
                found[from_id].extend(
                    (str(t["toObjectId"]), frozenset(a["typeId"] for a in t["associationTypes"]))
                    for t in result["to"]
                )
                following = (result.get("paging") or {}).get("next")
                if following:
                    pending[from_id] = str(following["after"])
    return [list(found.get(i, ())) for i in ids]


def _inputs(chunk: Sequence[tuple[str, str | None]]) -> list[dict[str, str]]:
    return [{"id": i} if after is None else {"id": i, "after": after} for i, after in chunk]


# Owners


async def owners_by_id(http: JsonService, ids: Sequence[str]) -> list[Owner | None]:
    """HubSpot has no batch read of owners: one GET per distinct id, concurrently."""
    distinct = [i for i in dict.fromkeys(ids) if i.isdigit()]
    owners = await gather_aligned(*(_owner(http, i) for i in distinct))
    found = dict(zip(distinct, owners, strict=True))
    return [found.get(i) for i in ids]


async def _owner(http: JsonService, owner_id: str) -> Owner | None:
    try:
        body = await http.request("GET", f"/crm/v3/owners/{owner_id}")
    except NotFound:
        return None
    with parse_errors(http.name):
        return Owner(
            str(body["id"]), body.get("email"), body.get("firstName"), body.get("lastName")
        )


# Writes


async def update_contact(
    http: JsonService, contact_id: str, changes: Mapping[str, str | None]
) -> Contact:
    """Writes some of a contact's fields (named as in `Contact`, e.g. `portal_role`)."""
    await _patch(http, "contacts", contact_id, CONTACT_PROPERTIES, changes)
    [contact] = await contacts_by_id(http, [contact_id])
    if contact is None:  # archived between the write and the read
        raise NotFound(http.name, f"contact {contact_id}")
    return contact


async def set_contact_fields(
    http: JsonService, contact_id: str, changes: Mapping[str, str | None]
) -> None:
    """Writes some of a contact's fields without reading it back (bookkeeping: sign-ins)."""
    await _patch(http, "contacts", contact_id, CONTACT_PROPERTIES, changes)


async def update_company(
    http: JsonService, company_id: str, changes: Mapping[str, str | None]
) -> Company:
    """Writes some of a company's fields (named as in `Company`, e.g. `postal_code`)."""
    await _patch(http, "companies", company_id, COMPANY_PROPERTIES, changes)
    [company] = await companies_by_id(http, [company_id])
    if company is None:  # archived between the write and the read
        raise NotFound(http.name, f"company {company_id}")
    return company


async def _patch(
    http: JsonService,
    object_type: str,
    object_id: str,
    names: Mapping[str, str],
    changes: Mapping[str, str | None],
) -> None:
    """PATCHes our record fields, translated to HubSpot property names through `names`.
    The caller reads the record back: HubSpot's PATCH answer omits unchanged properties."""
    properties = {names[name]: value for name, value in changes.items()}
    await http.request(
        "PATCH", f"/crm/v3/objects/{object_type}/{object_id}", json_body={"properties": properties}
    )


# Team: contacts joining and leaving a company


@dataclass(frozen=True)
class ContactPage:
    contacts: tuple[Contact, ...]
    total: int  # every match, not only this page


async def create_contact_in_company(
    http: JsonService, company_id: str, fields: Mapping[str, str | None]
) -> Contact:
    """Creates a contact (fields named as in `Contact`) already associated with the company:
    one request, so a failure leaves neither a contact nor a link behind. HubSpot answers
    409 (`Rejected`) when the email belongs to a contact already."""
    properties = {CONTACT_PROPERTIES[k]: v for k, v in fields.items() if v is not None}
    created = await http.request(
        "POST",
        "/crm/v3/objects/contacts",
        json_body={
            "properties": properties,
            "associations": [{"to": {"id": company_id}, "types": [_CONTACT_ON_COMPANY]}],
        },
    )
    # The answer holds every property a new contact has: no read-back needed.
    with parse_errors(http.name):
        return _contact(created)


async def add_contact_to_company(http: JsonService, contact_id: str, company_id: str) -> None:
    """Associates the contact with the company (HubSpot's default, unlabeled type); the
    contact's other companies stay. Doing it twice changes nothing."""
    await http.request(
        "PUT",
        f"/crm/v4/objects/contacts/{contact_id}/associations/default/companies/{company_id}",
    )


async def remove_contact_from_company(http: JsonService, contact_id: str, company_id: str) -> None:
    """Removes every association between the contact and this company, and nothing else."""
    await http.request(
        "DELETE", f"/crm/v4/objects/contacts/{contact_id}/associations/companies/{company_id}"
    )


async def search_company_contacts(
    http: JsonService,
    company_id: str,
    *,
    roles: Sequence[str],
    statuses: Sequence[str] = (),
    text: str | None = None,
    limit: int,
    offset: int = 0,
) -> ContactPage:
    """The company's contacts holding one of `roles` (and `statuses`, when given) whose
    name or email matches `text`, oldest first, through the CRM search API (one request)."""
    filters: list[dict[str, Any]] = [
        {"propertyName": "associations.company", "operator": "EQ", "value": company_id},
        {"propertyName": CONTACT_PROPERTIES["portal_role"], "operator": "IN",
         "values": list(roles)},
    ]  # fmt: skip
    if statuses:
        filters.append(
            {"propertyName": CONTACT_PROPERTIES["portal_status"], "operator": "IN",
             "values": list(statuses)}
        )  # fmt: skip
    body: dict[str, Any] = {
        "filterGroups": [{"filters": filters}],
        "properties": list(CONTACT_PROPERTIES.values()),
        "sorts": [{"propertyName": "createdate", "direction": "ASCENDING"}],
        "limit": max(limit, 1),
        "after": str(offset),
    }
    if text:
        body["query"] = text
    found = await http.request("POST", "/crm/v3/objects/contacts/search", json_body=body)
    with parse_errors(http.name):
        contacts = tuple(_contact(r) for r in found["results"])
        return ContactPage(contacts[:limit], int(found["total"]))


async def add_company_note(http: JsonService, company_id: str, body: str, at: datetime) -> str:
    """Leaves a note on the company's timeline (the portal's audit trail); its id."""
    created = await http.request(
        "POST",
        "/crm/v3/objects/notes",
        json_body={
            "properties": {NOTE_BODY_PROPERTY: body, NOTE_TIMESTAMP_PROPERTY: timestamp(at)},
            "associations": [{"to": {"id": company_id}, "types": [_NOTE_ON_COMPANY]}],
        },
    )
    with parse_errors(http.name):
        return str(created["id"])


# Parsing


def _company(record: Mapping[str, Any]) -> Company:
    values = _fields(record, COMPANY_PROPERTIES)
    name = values.pop("name") or ""
    return Company(
        id=str(record["id"]),
        name=name,
        **values,
        created_at=_datetime(record["createdAt"]),
        updated_at=_datetime(record["updatedAt"]),
    )


def _contact(record: Mapping[str, Any]) -> Contact:
    values: dict[str, Any] = _fields(record, CONTACT_PROPERTIES)
    for name in _CONTACT_MOMENTS:
        values[name] = _moment(values[name])
    return Contact(
        id=str(record["id"]),
        **values,
        created_at=_datetime(record["createdAt"]),
        updated_at=_datetime(record["updatedAt"]),
    )


def _task(record: Mapping[str, Any]) -> Task:
    values = _fields(record, TASK_PROPERTIES)
    due = values.pop("due_at")
    return Task(id=str(record["id"]), **values, due_at=_datetime(due) if due else None)


def _fields(record: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, str | None]:
    properties = record["properties"]
    return {field: properties.get(prop) for field, prop in names.items()}


def _datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _moment(value: str | None) -> datetime | None:
    """A datetime property: ISO 8601, or epoch milliseconds as HubSpot also writes them."""
    if not value:
        return None
    if value.isdigit():
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    return datetime.fromisoformat(value)


def timestamp(moment: datetime) -> str:
    """A datetime as HubSpot's datetime properties take it: UTC, milliseconds, Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _due(task: Task) -> tuple[datetime, int]:
    """Soonest first; tasks without a due date last."""
    return (task.due_at or datetime.max.replace(tzinfo=UTC), int(task.id))


def _parsed(http: JsonService, parse: Callable[[Mapping[str, Any]], T], record: Any) -> T | None:
    if record is None:
        return None
    with parse_errors(http.name):
        return parse(record)
