"""The backbone of the demo data: client companies, their people and CSMs, with every id
each vendor uses for them. Each vendor's own seed hangs its records off this backbone, so the
four sandboxes agree on who is who (a HubSpot company names its Stripe customer, Zendesk
organization and Drive folder, exactly as in production).

Everything is derived from a fixed random seed: the same `scale` always gives the same data.
"""

from __future__ import annotations

import random
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

SEED = 20261125
PORTAL_ROLES = ("ADMIN", "USER", "READ_ONLY")
PORTAL_STATUSES = ("INVITED", "ACTIVE", "DISABLED")

# Roles and statuses of the first people of every company, so tests and the demo have
# one of each kind at a known place; the rest are drawn at random.
_FIXED_SEATS = (
    ("ADMIN", "ACTIVE"),
    ("USER", "ACTIVE"),
    ("READ_ONLY", "ACTIVE"),
    ("USER", "DISABLED"),
    ("USER", "INVITED"),
)

_FIRST_NAMES = (
    "Alice", "Bruno", "Chloé", "Dmitri", "Emeka", "Fatima", "Grace", "Hiro", "Isabel", "Jonas",
    "Kwame", "Léa", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tomás",
    "Uma", "Viktor", "Wen", "Xavier", "Yara", "Zoë", "Łukasz", "Søren", "Анна", "美咲",
)  # fmt: skip
_LAST_NAMES = (
    "Adams", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Hughes", "Ivanova",
    "Jensen", "Kowalski", "Lambert", "Müller", "Novak", "O'Brien", "Park", "Quinn", "Rossi",
    "Schmidt", "Tanaka", "Ulrich", "Vargas", "Weber", "Xu", "Yilmaz", "Zimmermann",
)  # fmt: skip
_JOB_TITLES = (
    "CFO", "Finance Manager", "Accounts Payable", "Head of IT", "Operations Lead",
    "Procurement", "Data Analyst", "CTO", "Office Manager", "Project Manager",
)  # fmt: skip


@dataclass(frozen=True)
class Owner:
    """A HubSpot user who owns (is the CSM of) client companies."""

    id: str
    user_id: int
    email: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    postal_code: str
    state: str
    country: str  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class Company:
    """A client company and its ids in every upstream."""

    hubspot_id: str
    name: str
    domain: str
    phone: str
    address: Address
    lifecycle_stage: str
    tier: str
    owner_id: str
    parent_id: str | None
    currency: str  # ISO 4217, lower case as Stripe spells it
    stripe_customer_id: str
    zendesk_organization_id: int
    drive_folder_id: str
    logo_url: str
    primary_color: str
    invoice_count: int
    ticket_count: int
    file_count: int
    created_at: datetime


@dataclass(frozen=True)
class Person:
    """A client's employee: a HubSpot contact and, once they file a ticket, a Zendesk user."""

    contact_id: str
    zendesk_user_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    job_title: str
    role: str  # one of PORTAL_ROLES
    status: str  # one of PORTAL_STATUSES
    company_ids: tuple[str, ...]
    created_at: datetime

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Backbone:
    scale: int
    today: date
    owners: tuple[Owner, ...]
    companies: tuple[Company, ...]
    people: tuple[Person, ...]
    _by_company: dict[str, tuple[Person, ...]] = field(default_factory=dict, repr=False)

    def company(self, hubspot_id: str) -> Company:
        return next(c for c in self.companies if c.hubspot_id == hubspot_id)

    def people_of(self, company_id: str) -> tuple[Person, ...]:
        return tuple(p for p in self.people if company_id in p.company_ids)

    def person_by_email(self, email: str) -> Person:
        return next(p for p in self.people if p.email == email)

    @property
    def now(self) -> datetime:
        """Noon of `today`, UTC: the seed's notion of "now", stable within a day."""
        return datetime.combine(self.today, time(12, 0), tzinfo=UTC)


@dataclass(frozen=True)
class _CompanyPlan:
    name: str
    domain: str
    country: str
    city: str
    postal_code: str
    state: str
    currency: str
    tier: str
    parent: str | None
    people: int
    invoices: int
    tickets: int
    files: int
    scaled: bool = False


# 60 people, 300 invoices, 150 tickets and 200 files at scale 1. Globex is the account that
# `scale` grows: at scale 100 it has 500 people and 10,000 invoices, for the benchmarks.
_PLANS = (
    _CompanyPlan("Acme Holdings", "acme.example", "US", "Springfield", "62701", "IL", "usd",
                 "ENTERPRISE", None, 15, 60, 35, 45),
    _CompanyPlan("Acme Europe", "acme-eu.example", "DE", "Berlin", "10115", "", "eur",
                 "ENTERPRISE", "Acme Holdings", 8, 40, 20, 30),
    _CompanyPlan("Acme Asia", "acme-asia.example", "SG", "Singapore", "018956", "", "usd",
                 "ENTERPRISE", "Acme Holdings", 7, 30, 15, 25),
    _CompanyPlan("Globex", "globex.example", "GB", "London", "EC1A 1BB", "", "gbp",
                 "GROWTH", None, 5, 100, 30, 40, scaled=True),
    _CompanyPlan("Initech", "initech.example", "US", "Austin", "73301", "TX", "usd",
                 "STARTER", None, 12, 40, 25, 30),
    _CompanyPlan("Umbrella", "umbrella.example", "FR", "Lyon", "69001", "", "eur",
                 "GROWTH", None, 12, 30, 25, 30),
)  # fmt: skip


ALPHANUMERIC = string.ascii_letters + string.digits


def token(rng: random.Random, length: int, alphabet: str = ALPHANUMERIC) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def build_backbone(scale: int = 1, today: date | None = None) -> Backbone:
    if scale < 1:
        raise ValueError("scale must be at least 1")
    rng = random.Random(SEED)
    today = today or datetime.now(UTC).date()
    owners = (
        Owner("301", 9001, "sam.csm@portal-vendor.example", "Sam", "Carter"),
        Owner("302", 9002, "jo.csm@portal-vendor.example", "Jo", "Nakamura"),
        Owner("303", 9003, "lee.csm@portal-vendor.example", "Lee", "Okafor"),
    )
    companies: list[Company] = []
    for index, plan in enumerate(_PLANS):
        grow = scale if plan.scaled else 1
        parent = next((c.hubspot_id for c in companies if c.name == plan.parent), None)
        companies.append(
            Company(
                hubspot_id=str(1001 + index),
                name=plan.name,
                domain=plan.domain,
                phone=f"+1 555 01{index:02d}",
                address=Address(
                    street=f"{10 + index * 7} Market Street",
                    city=plan.city,
                    postal_code=plan.postal_code,
                    state=plan.state,
                    country=plan.country,
                ),
                lifecycle_stage="customer",
                tier=plan.tier,
                owner_id=owners[index % len(owners)].id,
                parent_id=parent,
                currency=plan.currency,
                stripe_customer_id="cus_" + token(rng, 14),
                zendesk_organization_id=360_000_000_001 + index,
                drive_folder_id="1F" + token(rng, 31, string.ascii_letters + string.digits + "_-"),
                logo_url=f"https://{plan.domain}/logo.png",
                primary_color=f"#{rng.randrange(0x1000000):06x}",
                invoice_count=plan.invoices * grow,
                ticket_count=plan.tickets * grow,
                file_count=plan.files * grow,
                created_at=datetime(2023, 1 + index, 3, 9, 0, tzinfo=UTC),
            )
        )
    people = _build_people(rng, companies, scale)
    return Backbone(scale, today, owners, tuple(companies), tuple(people))


def _build_people(rng: random.Random, companies: list[Company], scale: int) -> list[Person]:
    people: list[Person] = []
    seen_emails: set[str] = set()
    for company, plan in zip(companies, _PLANS, strict=True):
        count = plan.people * (scale if plan.scaled else 1)
        for seat in range(count):
            if seat < len(_FIXED_SEATS):
                role, status = _FIXED_SEATS[seat]
            else:
                role = rng.choices(PORTAL_ROLES, weights=(2, 6, 2))[0]
                status = rng.choices(PORTAL_STATUSES, weights=(1, 8, 1))[0]
            first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
            email = _unique_email(first, last, company.domain, seen_emails)
            people.append(
                Person(
                    contact_id=str(2001 + len(people)),
                    zendesk_user_id=380_000_000_001 + len(people),
                    first_name=first,
                    last_name=last,
                    email=email,
                    phone=f"+4420{rng.randrange(10**7, 10**8)}",
                    job_title=rng.choice(_JOB_TITLES),
                    role=role,
                    status=status,
                    company_ids=(company.hubspot_id,),
                    created_at=company.created_at.replace(day=10 + seat % 15),
                )
            )
    # One outside consultant works for two unrelated clients: a viewer with two accounts.
    initech, umbrella = companies[4].hubspot_id, companies[5].hubspot_id
    people.append(
        Person(
            contact_id=str(2001 + len(people)),
            zendesk_user_id=380_000_000_001 + len(people),
            first_name="Morgan",
            last_name="Reyes",
            email="morgan.reyes@consultants.example",
            phone="+14155550199",
            job_title="Fractional CFO",
            role="USER",
            status="ACTIVE",
            company_ids=(initech, umbrella),
            created_at=companies[4].created_at,
        )
    )
    return people


def _unique_email(first: str, last: str, domain: str, seen: set[str]) -> str:
    folded = unicodedata.normalize("NFKD", f"{first}.{last}".lower())
    local = "".join(ch for ch in folded if ch.isascii() and (ch.isalnum() or ch == "."))
    local = local.strip(".") or "user"
    candidate, n = f"{local}@{domain}", 1
    while candidate in seen:
        n += 1
        candidate = f"{local}{n}@{domain}"
    seen.add(candidate)
    return candidate
