"""The seeded HubSpot portal: the backbone's companies, people and CSMs as HubSpot records,
plus each company's onboarding tasks and timeline notes. Deterministic for a backbone."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.accounts import SEED, Backbone, Company, Owner, Person
from sandbox.hubspot.associations import AssociationStore
from sandbox.hubspot.catalog import (
    COMPANIES,
    COMPANY_TO_NOTE,
    COMPANY_TO_TASK,
    CONTACT_TO_COMPANY,
    CONTACTS,
    NOTES,
    PARENT_TO_CHILD_COMPANY,
    PRIMARY_CONTACT_TO_COMPANY,
    TASKS,
    ObjectType,
)
from sandbox.hubspot.records import CrmObject, Properties, timestamp
from sandbox.hubspot.state import State, empty_objects, system_properties

RNG_OFFSET = 1
FIRST_TASK_ID = 40_001
FIRST_NOTE_ID = 60_001
OWNERS_CREATED = datetime(2022, 6, 1, 8, 0, tzinfo=UTC)
CUSTOMER_SUCCESS_TEAM = {"id": "4001", "name": "Customer Success", "primary": True}

# Onboarding tasks a client sees in the portal, and the CSM's own (portal_visible=false).
CLIENT_TASKS = (
    ("Sign the master services agreement", "Review and sign the MSA your CSM sent you."),
    ("Add your billing contact", "Tell us who should receive invoices and payment reminders."),
    ("Invite your team to the portal", "Add the colleagues who need access, with their roles."),
    ("Upload your tax exemption certificate", "Only if your organisation is tax exempt."),
    ("Book the kickoff call", "Pick a slot for a 45-minute kickoff with your CSM."),
    ("Confirm your single sign-on settings", "Send us your identity provider's metadata URL."),
    ("Approve the data processing agreement", "Your legal team's sign-off on the DPA."),
)
INTERNAL_TASKS = (
    ("Prepare account handover notes", "Sales to CS handover: contract terms, champions."),
    ("Check credit terms with finance", "Confirm net terms before the first invoice."),
    ("Schedule the 90-day health check", "Internal reminder for the account review."),
)
NOTE_BODIES = (
    "<p>Kickoff call held. Champions identified; next step is SSO setup.</p>",
    "<p>Renewal discussion: client asked for a usage breakdown by team.</p>",
    "<p>Quarterly business review. Satisfaction high, two open support issues.</p>",
    "<p>Billing contact changed after a reorganisation in finance.</p>",
)
_CHANNELS = ("email", "sms", "in_app")
_Objects = dict[str, dict[str, CrmObject]]
_NOTIFICATIONS = ("invoice_generated", "status_update", "renewal_reminder")


def build_state(backbone: Backbone) -> State:
    rng = random.Random(SEED + RNG_OFFSET)
    objects = empty_objects()
    links = AssociationStore()
    _seed_companies(rng, backbone, objects, links)
    _seed_people(rng, backbone, objects, links)
    next_task, next_note = _seed_engagements(rng, backbone, objects, links)
    return State(
        objects=objects,
        associations=links,
        owners=[owner_json(owner) for owner in backbone.owners],
        next_ids={
            COMPANIES.name: _after(objects[COMPANIES.name]),
            CONTACTS.name: _after(objects[CONTACTS.name]),
            TASKS.name: next_task,
            NOTES.name: next_note,
        },
    )


def _seed_companies(
    rng: random.Random, backbone: Backbone, objects: _Objects, links: AssociationStore
) -> None:
    for company in backbone.companies:
        objects[COMPANIES.name][company.hubspot_id] = _company(rng, backbone, company)
    for company in backbone.companies:
        if company.parent_id is not None:
            links.add(
                COMPANIES.name, company.parent_id, COMPANIES.name, company.hubspot_id,
                PARENT_TO_CHILD_COMPANY,
            )  # fmt: skip


def _seed_people(
    rng: random.Random, backbone: Backbone, objects: _Objects, links: AssociationStore
) -> None:
    owners = {c.hubspot_id: c.owner_id for c in backbone.companies}
    for person in backbone.people:
        owner_id = owners[person.company_ids[0]]
        objects[CONTACTS.name][person.contact_id] = _contact(rng, backbone, person, owner_id)
        for index, company_id in enumerate(person.company_ids):
            type_id = PRIMARY_CONTACT_TO_COMPANY if index == 0 else CONTACT_TO_COMPANY
            links.add(CONTACTS.name, person.contact_id, COMPANIES.name, company_id, type_id)


def _seed_engagements(
    rng: random.Random, backbone: Backbone, objects: _Objects, links: AssociationStore
) -> tuple[int, int]:
    """Each company's onboarding tasks and timeline notes; the next free ids of each."""
    next_task, next_note = FIRST_TASK_ID, FIRST_NOTE_ID
    for company in backbone.companies:
        for task in _tasks(rng, backbone, company, next_task):
            objects[TASKS.name][task.id] = task
            links.add(COMPANIES.name, company.hubspot_id, TASKS.name, task.id, COMPANY_TO_TASK)
            next_task += 1
        for note in _notes(rng, company, next_note):
            objects[NOTES.name][note.id] = note
            links.add(COMPANIES.name, company.hubspot_id, NOTES.name, note.id, COMPANY_TO_NOTE)
            next_note += 1
    return next_task, next_note


def owner_json(owner: Owner) -> dict[str, Any]:
    return {
        "id": owner.id,
        "email": owner.email,
        "firstName": owner.first_name,
        "lastName": owner.last_name,
        "userId": owner.user_id,
        "userIdIncludingInactive": owner.user_id,
        "type": "PERSON",
        "createdAt": timestamp(OWNERS_CREATED),
        "updatedAt": timestamp(OWNERS_CREATED),
        "archived": False,
        "teams": [CUSTOMER_SUCCESS_TEAM],
    }


def _company(rng: random.Random, backbone: Backbone, company: Company) -> CrmObject:
    address = company.address
    properties: Properties = {
        "name": company.name,
        "domain": company.domain,
        "phone": company.phone,
        "address": address.street,
        "city": address.city,
        "zip": address.postal_code,
        "state": address.state or None,
        "country": address.country,
        "lifecyclestage": company.lifecycle_stage,
        "hubspot_owner_id": company.owner_id,
        "hs_parent_company_id": company.parent_id,
        "portal_tier": company.tier,
        "stripe_customer_id": company.stripe_customer_id,
        "zendesk_organization_id": str(company.zendesk_organization_id),
        "drive_folder_id": company.drive_folder_id,
        "portal_logo_url": company.logo_url,
        "portal_primary_color": company.primary_color,
    }
    return _record(COMPANIES, company.hubspot_id, properties, company.created_at, rng, backbone)


def _contact(rng: random.Random, backbone: Backbone, person: Person, owner_id: str) -> CrmObject:
    properties: Properties = {
        "firstname": person.first_name,
        "lastname": person.last_name,
        "email": person.email,
        "phone": person.phone,
        "jobtitle": person.job_title,
        "lifecyclestage": "customer",
        "hubspot_owner_id": owner_id,
        "associatedcompanyid": person.company_ids[0],
        "portal_role": person.role,
        "portal_status": person.status,
        "portal_notification_preferences": _preferences(rng),
    }
    return _record(CONTACTS, person.contact_id, properties, person.created_at, rng, backbone)


def _preferences(rng: random.Random) -> str | None:
    """Toggles per notification type and channel, as JSON; a quarter never set any."""
    if rng.random() < 0.25:
        return None
    toggles = {n: {c: rng.random() < 0.7 for c in _CHANNELS} for n in _NOTIFICATIONS}
    return json.dumps(toggles, separators=(",", ":"))


def _tasks(
    rng: random.Random, backbone: Backbone, company: Company, first_id: int
) -> list[CrmObject]:
    count = rng.randint(3, 6)
    chosen = [(*t, "true") for t in rng.sample(CLIENT_TASKS, count - 1)]
    chosen.insert(rng.randrange(count), (*rng.choice(INTERNAL_TASKS), "false"))
    tasks = []
    for offset, (subject, body, visible) in enumerate(chosen):
        done = rng.random() < 0.4
        due = backbone.now + timedelta(days=rng.randint(-30, -1) if done else rng.randint(1, 45))
        properties: Properties = {
            "hs_task_subject": subject,
            "hs_task_body": body,
            "hs_task_status": "COMPLETED" if done else "NOT_STARTED",
            "hs_task_priority": rng.choice(("LOW", "MEDIUM", "HIGH")),
            "hs_task_type": "TODO",
            "hs_timestamp": timestamp(due),
            "hs_task_completion_date": timestamp(due - timedelta(hours=3)) if done else None,
            "hubspot_owner_id": company.owner_id,
            "portal_visible": visible,
        }
        created = company.created_at + timedelta(days=1, minutes=offset)
        tasks.append(_record(TASKS, str(first_id + offset), properties, created, rng, backbone))
    return tasks


def _notes(rng: random.Random, company: Company, first_id: int) -> list[CrmObject]:
    notes = []
    for offset, body in enumerate(rng.sample(NOTE_BODIES, rng.randint(2, 3))):
        written = company.created_at + timedelta(days=14 + 30 * offset, hours=rng.randint(0, 8))
        properties: Properties = {
            "hs_note_body": body,
            "hs_timestamp": timestamp(written),
            "hubspot_owner_id": company.owner_id,
        }
        notes.append(_stamped(NOTES, str(first_id + offset), properties, written, written))
    return notes


def _record(
    kind: ObjectType,
    object_id: str,
    properties: Properties,
    created: datetime,
    rng: random.Random,
    backbone: Backbone,
) -> CrmObject:
    edited_after = timedelta(days=rng.randint(1, 400), minutes=rng.randint(0, 600))
    return _stamped(kind, object_id, properties, created, min(created + edited_after, backbone.now))


def _stamped(
    kind: ObjectType,
    object_id: str,
    properties: Properties,
    created: datetime,
    modified: datetime,
) -> CrmObject:
    stamps = system_properties(kind, object_id, created, modified)
    return CrmObject(object_id, {**properties, **stamps}, created, modified)


def _after(records: dict[str, CrmObject]) -> int:
    return max(int(i) for i in records) + 1
