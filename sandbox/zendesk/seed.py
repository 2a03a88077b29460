"""Deterministic Zendesk data hung off the backbone: an organization per company, an end-user
per person, a few agents and groups, and each company's tickets with their conversations."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sandbox.accounts import SEED, Backbone, Company, Person
from sandbox.zendesk import texts
from sandbox.zendesk.records import comment_record, organization_record, ticket_record, user_record
from sandbox.zendesk.state import ZendeskState, iso

T = TypeVar("T")
RNG_OFFSET = 3
GROUP_BASE_ID = 370_000_000_001
AGENT_BASE_ID = 390_000_000_001
COMMENT_BASE_ID = 410_000_000_001
AUDIT_BASE_ID = 420_000_000_001
EVENT_BASE_ID = 430_000_000_001
INTEGRATION_EMAIL = "portal@sandbox.example"

# (first name, last name, email, group); the CSMs of the backbone join as Account Management.
_SUPPORT_AGENTS = (
    ("Riley", "Chen", "riley.chen@portal-vendor.example", "Technical Support"),
    ("Priya", "Raman", "priya.raman@portal-vendor.example", "Technical Support"),
    ("Dana", "Kowalczyk", "dana.kowalczyk@portal-vendor.example", "Billing"),
    ("Alex", "Moreau", "alex.moreau@portal-vendor.example", "Onboarding"),
)
_STATUS_WEIGHTS = {"new": 1, "open": 3, "pending": 2, "hold": 1, "solved": 4, "closed": 5}
_PRIORITY_WEIGHTS = {None: 2, "low": 2, "normal": 5, "high": 2, "urgent": 1}
_TYPE_WEIGHTS = {None: 1, "question": 4, "incident": 3, "problem": 1, "task": 1}
_GROUP_WEIGHTS = {"Billing": 3, "Technical Support": 4, "Onboarding": 1, "Account Management": 1}
_LAST_SPEAKER = {"open": "requester", "pending": "agent", "hold": "note"}


@dataclass(frozen=True)
class _Agent:
    id: int
    first_name: str
    group: str


def build_state(backbone: Backbone) -> ZendeskState:
    rng = random.Random(SEED + RNG_OFFSET)
    state = ZendeskState(now=backbone.now)
    epoch = backbone.companies[0].created_at - timedelta(days=30)
    group_ids = _seed_groups(state, epoch)
    agents = _seed_agents(state, backbone, group_ids, epoch)
    _seed_organizations(state, backbone)
    _seed_people(state, backbone)
    drafts = [
        draft
        for company in backbone.companies
        for draft in _ticket_drafts(rng, backbone, company, agents)
    ]
    drafts.sort(key=lambda d: (d.created_at, d.sequence))
    state.next_ids.update(comment=COMMENT_BASE_ID, audit=AUDIT_BASE_ID, event=EVENT_BASE_ID)
    for ticket_id, draft in enumerate(drafts, start=1):
        _store_draft(state, ticket_id, draft, group_ids)
    state.next_ids["ticket"] = len(drafts) + 1
    state.next_ids["user"] = max(p.zendesk_user_id for p in backbone.people) + 1
    return state


def _seed_groups(state: ZendeskState, epoch: datetime) -> dict[str, int]:
    group_ids: dict[str, int] = {}
    for index, name in enumerate(texts.GROUPS):
        group_id = GROUP_BASE_ID + index
        group_ids[name] = group_id
        state.groups[group_id] = {
            "id": group_id,
            "name": name,
            "description": f"{name} team",
            "default": name == "Technical Support",
            "deleted": False,
            "is_public": True,
            "created_at": iso(epoch),
            "updated_at": iso(epoch),
        }
    return group_ids


def _seed_agents(
    state: ZendeskState, backbone: Backbone, group_ids: dict[str, int], epoch: datetime
) -> list[_Agent]:
    people = [(o.first_name, o.last_name, o.email, "Account Management") for o in backbone.owners]
    people += list(_SUPPORT_AGENTS)
    agents: list[_Agent] = []
    for index, (first, last, email, group) in enumerate(people):
        agent = _Agent(AGENT_BASE_ID + index, first, group)
        agents.append(agent)
        user = user_record(agent.id, f"{first} {last}", email, "agent", None, epoch)
        user["default_group_id"] = group_ids[group]
        state.load_user(user, [])
    integration_id = AGENT_BASE_ID + len(people)
    state.load_user(
        user_record(integration_id, "Client Portal", INTEGRATION_EMAIL, "agent", None, epoch),
        [],
    )
    state.integration_user_id = integration_id
    return agents


def _seed_organizations(state: ZendeskState, backbone: Backbone) -> None:
    for company in backbone.companies:
        org = organization_record(
            company.zendesk_organization_id, company.name, [company.domain], company.created_at
        )
        org["external_id"] = company.hubspot_id
        org["tags"] = [company.tier.lower()]
        state.organizations[org["id"]] = org


def _seed_people(state: ZendeskState, backbone: Backbone) -> None:
    by_hubspot = {c.hubspot_id: c.zendesk_organization_id for c in backbone.companies}
    for person in backbone.people:
        org_ids = [by_hubspot[cid] for cid in person.company_ids]
        user = user_record(
            person.zendesk_user_id, person.name, person.email, "end-user", org_ids[0],
            person.created_at,
        )  # fmt: skip
        user["external_id"] = person.contact_id
        user["phone"] = person.phone
        state.load_user(user, org_ids)


@dataclass(frozen=True)
class _Message:
    speaker: str  # requester, agent, note
    author_id: int
    body: str
    at: datetime


@dataclass(frozen=True)
class _Draft:
    sequence: int
    organization_id: int
    requester_id: int
    subject: str
    status: str
    priority: str | None
    type: str | None
    group: str | None
    assignee_id: int | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    messages: list[_Message]


def _ticket_drafts(
    rng: random.Random, backbone: Backbone, company: Company, agents: list[_Agent]
) -> list[_Draft]:
    people = backbone.people_of(company.hubspot_id)
    return [
        _ticket_draft(rng, backbone.now, company, rng.choice(people), agents, sequence)
        for sequence in range(company.ticket_count)
    ]


def _ticket_draft(
    rng: random.Random,
    now: datetime,
    company: Company,
    requester: Person,
    agents: list[_Agent],
    sequence: int,
) -> _Draft:
    group = _weighted(rng, _GROUP_WEIGHTS)
    status = _weighted(rng, _STATUS_WEIGHTS)
    priority = _weighted(rng, _PRIORITY_WEIGHTS)
    ticket_type = _weighted(rng, _TYPE_WEIGHTS)
    age = _age(rng, status, priority)
    created = (now - age).replace(microsecond=0)
    subject = rng.choice(texts.SUBJECTS[group]).format(
        n=rng.randint(1000, 9999), month=rng.choice(texts.MONTHS)
    )
    team = [a for a in agents if a.group == group]
    assignee = None if status == "new" else rng.choice(team)
    speakers = _speakers(rng, status)
    times = _times(rng, created, now, age, len(speakers))
    messages = [
        _message(rng, speaker, at, index == 0, requester, assignee or rng.choice(team), company,
                 subject)
        for index, (speaker, at) in enumerate(zip(speakers, times, strict=True))
    ]  # fmt: skip
    updated = times[-1]
    if status in ("solved", "closed"):
        settle = timedelta(days=4 if status == "closed" else rng.uniform(0, 1))
        updated = min(now, updated + settle).replace(microsecond=0)
    tags = [texts.GROUP_TAGS[group], *rng.sample(texts.EXTRA_TAGS, rng.randint(0, 2))]
    return _Draft(
        sequence=sequence + company.zendesk_organization_id * 100_000,
        organization_id=company.zendesk_organization_id,
        requester_id=requester.zendesk_user_id,
        subject=subject,
        status=status,
        priority=priority,
        type=ticket_type,
        group=None if status == "new" and rng.random() < 0.3 else group,
        assignee_id=assignee.id if assignee else None,
        tags=tags,
        created_at=created,
        updated_at=updated,
        messages=messages,
    )


def _weighted(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _age(rng: random.Random, status: str, priority: str | None) -> timedelta:
    if status in ("solved", "closed"):
        low, high = (5.0, 365.0) if status == "closed" else (1.0, 120.0)
        return timedelta(days=rng.uniform(low, high))
    if priority in ("urgent", "high"):
        # Unresolved urgent work is recent, so SLA targets fall on both sides of "now".
        return timedelta(hours=rng.uniform(1, 72))
    return timedelta(days=rng.uniform(0.05, 45))


def _speakers(rng: random.Random, status: str) -> list[str]:
    if status == "new":
        return ["requester"] * rng.choice((1, 1, 1, 2))
    middle = rng.choices(("agent", "note", "requester"), weights=(3, 2, 2), k=rng.randint(0, 4))
    return ["requester", *middle, _LAST_SPEAKER.get(status, "agent")]


def _times(
    rng: random.Random, created: datetime, now: datetime, age: timedelta, count: int
) -> list[datetime]:
    # A conversation spans hours to days, however old the ticket is.
    step = max(timedelta(minutes=10), min(timedelta(days=3), age * 0.8 / count))
    times = [created]
    for _ in range(count - 1):
        gap = timedelta(seconds=rng.uniform(120, step.total_seconds()))
        times.append(min(now, times[-1] + gap).replace(microsecond=0))
    return times


def _message(
    rng: random.Random,
    speaker: str,
    at: datetime,
    first: bool,
    requester: Person,
    agent: _Agent,
    company: Company,
    subject: str,
) -> _Message:
    fill = {
        "requester": requester.name,
        "requester_first": requester.first_name,
        "agent_first": agent.first_name,
        "group": agent.group,
        "subject": subject,
        "tier": company.tier,
        "n": rng.randint(100, 999),
    }
    if speaker == "requester":
        pool: tuple[str, ...] = texts.FIRST_MESSAGES if first else texts.REQUESTER_FOLLOW_UPS
        return _Message(speaker, requester.zendesk_user_id, rng.choice(pool).format(**fill), at)
    pool = texts.AGENT_REPLIES if speaker == "agent" else texts.INTERNAL_NOTES
    return _Message(speaker, agent.id, rng.choice(pool).format(**fill), at)


def _store_draft(
    state: ZendeskState, ticket_id: int, draft: _Draft, group_ids: dict[str, int]
) -> None:
    comments = [
        comment_record(
            state.new_id("comment"),
            message.author_id,
            message.body,
            public=message.speaker != "note",
            created_at=message.at,
            audit_id=state.new_id("audit"),
        )
        for message in draft.messages
    ]
    ticket = ticket_record(
        ticket_id,
        subject=draft.subject,
        description=comments[0]["body"],
        status=draft.status,
        priority=draft.priority,
        ticket_type=draft.type,
        requester_id=draft.requester_id,
        submitter_id=draft.requester_id,
        assignee_id=draft.assignee_id,
        organization_id=draft.organization_id,
        group_id=group_ids[draft.group] if draft.group else None,
        tags=draft.tags,
        created_at=draft.created_at,
        updated_at=draft.updated_at,
    )
    state.load_ticket(ticket, comments)
