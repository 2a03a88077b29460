"""The HubSpot connector against the HubSpot sandbox: records as seeded, the batch requests
the sandbox saw, and vendor errors mapped into the UpstreamError family."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from connectors import hubspot
from connectors.http import JsonService, RateLimited, Rejected, Unavailable, open_session
from sandbox.accounts import Backbone, Company, Person
from sandbox.control import SandboxControl, VendorControl
from sandbox.hubspot.seed import build_state

ACME, ACME_EUROPE, ACME_ASIA, GLOBEX, INITECH, UMBRELLA = (str(1001 + i) for i in range(6))


@pytest.fixture
def control(sandbox: SandboxControl) -> VendorControl:
    return sandbox["hubspot"]


@pytest.fixture
async def http(urls, control):
    async with open_session() as session:
        yield JsonService(
            "hubspot", urls["hubspot"], session, {"Authorization": "Bearer pat-sandbox"}
        )


@pytest.fixture(scope="module")
def seeded(backbone):
    """The sandbox's own seed, for what the backbone does not say (modification times)."""
    return build_state(backbone)


def batches(control: VendorControl) -> list[tuple[str, str, int | None]]:
    return [(c.method, c.path, c.batch_size) for c in control.requests()]


def expected_company(company: Company, seeded) -> hubspot.Company:
    return hubspot.Company(
        id=company.hubspot_id,
        name=company.name,
        domain=company.domain,
        phone=company.phone,
        street=company.address.street,
        city=company.address.city,
        postal_code=company.address.postal_code,
        state=company.address.state or None,
        country=company.address.country,
        lifecycle_stage="customer",
        tier=company.tier,
        owner_id=company.owner_id,
        stripe_customer_id=company.stripe_customer_id,
        zendesk_organization_id=str(company.zendesk_organization_id),
        drive_folder_id=company.drive_folder_id,
        logo_url=company.logo_url,
        primary_color=company.primary_color,
        created_at=company.created_at,
        updated_at=seeded.objects["companies"][company.hubspot_id].updated_at,
    )


def expected_contact(person: Person, seeded) -> hubspot.Contact:
    record = seeded.objects["contacts"][person.contact_id]
    return hubspot.Contact(
        id=person.contact_id,
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        phone=person.phone,
        job_title=person.job_title,
        portal_role=person.role,
        portal_status=person.status,
        notification_preferences=record.properties["portal_notification_preferences"],
        created_at=person.created_at,
        updated_at=record.updated_at,
    )


# Objects


async def test_companies_by_id_in_one_batch_with_none_for_unknown_ids(
    http, control, backbone: Backbone, seeded
):
    ids = [c.hubspot_id for c in backbone.companies]

    found = await hubspot.companies_by_id(http, [*ids, "999", "not-an-id", ACME])

    assert found == [
        *(expected_company(c, seeded) for c in backbone.companies),
        None,
        None,
        expected_company(backbone.company(ACME), seeded),
    ]
    # "not-an-id" cannot be a HubSpot id and is never sent; the repeated ACME is sent once.
    assert batches(control) == [("POST", "/crm/v3/objects/companies/batch/read", 7)]


async def test_150_contacts_are_two_batch_reads(http, control, backbone, seeded):
    # The seed has 60 people at scale 1: the other 90 ids are missing, hence None.
    ids = [str(2001 + i) for i in range(150)]
    people = {p.contact_id: p for p in backbone.people}

    found = await hubspot.contacts_by_id(http, ids)

    assert found == [expected_contact(people[i], seeded) if i in people else None for i in ids]
    assert sum(c is not None for c in found) == len(backbone.people)
    assert sorted(batches(control)) == [
        ("POST", "/crm/v3/objects/contacts/batch/read", 50),
        ("POST", "/crm/v3/objects/contacts/batch/read", 100),
    ]


async def test_contacts_by_email_ignore_case(http, control, backbone, seeded):
    morgan = backbone.person_by_email("morgan.reyes@consultants.example")
    first = backbone.people[0]

    found = await hubspot.contacts_by_email(
        http, ["Morgan.Reyes@Consultants.EXAMPLE", "nobody@nowhere.example", first.email]
    )

    assert found == [expected_contact(morgan, seeded), None, expected_contact(first, seeded)]
    assert batches(control) == [("POST", "/crm/v3/objects/contacts/batch/read", 3)]


async def test_no_ids_no_requests(http, control):
    assert await hubspot.companies_by_id(http, []) == []
    assert await hubspot.contact_ids_of_companies(http, []) == []
    assert await hubspot.owners_by_id(http, []) == []
    assert batches(control) == []


# Associations


async def test_team_of_every_company_in_one_request(http, control, backbone):
    ids = [c.hubspot_id for c in backbone.companies]

    teams = await hubspot.contact_ids_of_companies(http, ids)

    assert teams == [[p.contact_id for p in backbone.people_of(i)] for i in ids]
    assert batches(control) == [("POST", "/crm/v4/associations/companies/contacts/batch/read", 6)]


async def test_companies_of_contacts_primary_first(http, backbone):
    morgan = backbone.person_by_email("morgan.reyes@consultants.example")
    first = backbone.people[0]

    found = await hubspot.company_ids_of_contacts(http, [morgan.contact_id, first.contact_id, "9"])

    assert found == [[INITECH, UMBRELLA], [ACME], []]


async def test_primary_company_comes_first_even_when_its_id_is_larger(http, control, backbone):
    morgan = backbone.person_by_email("morgan.reyes@consultants.example")
    control.call("POST", f"/_sandbox/contacts/{morgan.contact_id}/portal", {"role": "ADMIN"})
    await http.request(
        "PUT",
        f"/crm/v4/objects/contacts/{morgan.contact_id}/associations/companies/{ACME}",
        json_body=[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}],
    )

    [found] = await hubspot.company_ids_of_contacts(http, [morgan.contact_id])

    assert found == [INITECH, ACME, UMBRELLA]


async def test_parent_and_children_filter_by_association_type(http, control):
    companies = [ACME, ACME_EUROPE, GLOBEX]

    children = await hubspot.child_company_ids(http, companies)
    parents = await hubspot.parent_company_ids(http, companies)
    anything = await hubspot.associated_ids(http, "companies", "companies", companies)

    assert children == [[ACME_EUROPE, ACME_ASIA], [], []]
    assert parents == [None, ACME, None]
    assert anything == [[ACME_EUROPE, ACME_ASIA], [ACME], []]
    assert (
        batches(control) == [("POST", "/crm/v4/associations/companies/companies/batch/read", 3)] * 3
    )


async def test_more_than_1000_ids_are_two_association_reads(http, control, backbone):
    ids = [str(2001 + i) for i in range(1200)]

    found = await hubspot.company_ids_of_contacts(http, ids)

    companies_of = {p.contact_id: list(p.company_ids) for p in backbone.people}
    assert found == [companies_of.get(i, []) for i in ids]
    assert sorted(batches(control)) == [
        ("POST", "/crm/v4/associations/contacts/companies/batch/read", 200),
        ("POST", "/crm/v4/associations/contacts/companies/batch/read", 1000),
    ]


async def test_a_team_larger_than_a_page_is_followed_to_the_end(http, control, backbone):
    for batch in range(6):
        await http.request(
            "POST",
            "/crm/v3/objects/contacts/batch/create",
            json_body={
                "inputs": [
                    {
                        "properties": {"email": f"bulk{batch}-{n}@globex.example"},
                        "associations": [
                            {
                                "to": {"id": GLOBEX},
                                "types": [
                                    {
                                        "associationCategory": "HUBSPOT_DEFINED",
                                        "associationTypeId": 279,
                                    }
                                ],
                            }
                        ],
                    }
                    for n in range(100)
                ]
            },
        )
    control.clear_requests()

    [team] = await hubspot.contact_ids_of_companies(http, [GLOBEX])

    assert len(team) == len(backbone.people_of(GLOBEX)) + 600
    assert len(set(team)) == len(team)
    # HubSpot answers 500 associations per record; the connector asks for the rest.
    assert (
        batches(control) == [("POST", "/crm/v4/associations/companies/contacts/batch/read", 1)] * 2
    )


# Owners and tasks


async def test_owners_by_id_with_none_for_unknown(http, control, backbone):
    sam, _, lee = backbone.owners

    found = await hubspot.owners_by_id(http, [sam.id, lee.id, "999", sam.id])

    assert found == [
        hubspot.Owner(sam.id, sam.email, "Sam", "Carter"),
        hubspot.Owner(lee.id, lee.email, "Lee", "Okafor"),
        None,
        hubspot.Owner(sam.id, sam.email, "Sam", "Carter"),
    ]
    assert Counter((c.path, c.status) for c in control.requests()) == {
        (f"/crm/v3/owners/{sam.id}", 200): 1,
        (f"/crm/v3/owners/{lee.id}", 200): 1,
        ("/crm/v3/owners/999", 404): 1,
    }


async def test_client_tasks_are_the_visible_ones_soonest_first(http, control, backbone, seeded):
    ids = [c.hubspot_id for c in backbone.companies]

    found = await hubspot.client_tasks_of_companies(http, ids)

    tasks = seeded.objects["tasks"]
    for company_id, company_tasks in zip(ids, found, strict=True):
        linked = seeded.associations.targets("companies", company_id, "tasks")
        visible = [tasks[t] for t, _ in linked if tasks[t].properties["portal_visible"] == "true"]
        assert [t.id for t in company_tasks] == [
            t.id for t in sorted(visible, key=lambda t: (t.properties["hs_timestamp"], int(t.id)))
        ]
        assert all(t.subject and t.status in ("NOT_STARTED", "COMPLETED") for t in company_tasks)
    first = found[0][0]
    assert first == hubspot.Task(
        id=first.id,
        subject=tasks[first.id].properties["hs_task_subject"],
        body=tasks[first.id].properties["hs_task_body"],
        status=tasks[first.id].properties["hs_task_status"],
        due_at=datetime.fromisoformat(tasks[first.id].properties["hs_timestamp"]),
    )
    task_count = sum(len(seeded.associations.targets("companies", i, "tasks")) for i in ids)
    assert [(c.path, c.batch_size) for c in control.requests()] == [
        ("/crm/v4/associations/companies/tasks/batch/read", 6),
        ("/crm/v3/objects/tasks/batch/read", task_count),
    ]


# Writes


async def test_update_contact_and_leave_a_note(http, backbone):
    member = backbone.people_of(GLOBEX)[1]

    updated = await hubspot.update_contact(
        http, member.contact_id, {"portal_role": "READ_ONLY", "notification_preferences": "{}"}
    )
    note_id = await hubspot.add_company_note(
        http, GLOBEX, "Role changed to READ_ONLY", datetime(2026, 1, 2, tzinfo=UTC)
    )

    assert (updated.portal_role, updated.notification_preferences) == ("READ_ONLY", "{}")
    [notes] = await hubspot.associated_ids(http, "companies", "notes", [GLOBEX])
    assert note_id in notes


# Errors


async def test_a_wrong_token_is_rejected_with_401(urls):
    async with open_session() as session:
        http = JsonService("hubspot", urls["hubspot"], session, {"Authorization": "Bearer nope"})
        with pytest.raises(Rejected) as raised:
            await hubspot.companies_by_id(http, [ACME])
    assert (raised.value.service, raised.value.status) == ("hubspot", 401)


async def test_outage_is_unavailable(http, control):
    control.set_knobs(outage=True)
    with pytest.raises(Unavailable):
        await hubspot.contact_ids_of_companies(http, [ACME])


async def test_rate_limit_carries_retry_after(http, control):
    control.set_knobs(rate_limit=0, rate_window_s=20)
    with pytest.raises(RateLimited) as raised:
        await hubspot.owners_by_id(http, ["301"])
    assert raised.value.retry_after is not None and raised.value.retry_after >= 1


async def test_an_invalid_write_is_rejected_with_400(http, backbone):
    with pytest.raises(Rejected) as raised:
        await hubspot.update_contact(http, backbone.people[0].contact_id, {"portal_role": "BOSS"})
    assert raised.value.status == 400
    assert "INVALID_OPTION" in raised.value.detail
