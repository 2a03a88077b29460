"""The HubSpot sandbox speaks HubSpot's wire format: the official SDK (hubspot-api-client)
parses every answer into its own models, against the seeded data."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace
from typing import Any

import hubspot
import pytest
from hubspot.crm import companies, contacts, owners
from hubspot.crm.associations import v4
from hubspot.crm.associations.v4 import (
    AssociationSpec,
    BatchInputPublicFetchAssociationsBatchRequest,
    BatchResponsePublicAssociationMultiWithLabel,
    BatchResponsePublicAssociationMultiWithLabelWithErrors,
    PublicFetchAssociationsBatchRequest,
)
from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchReadInputSimplePublicObjectId,
    BatchResponseSimplePublicObject,
    BatchResponseSimplePublicObjectWithErrors,
    Error,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from urllib3.util.retry import Retry

from sandbox.accounts import Backbone
from sandbox.control import SandboxControl, VendorControl
from sandbox.hubspot.seed import build_state

# Each SDK package raises its own ApiException class.
ApiException = (
    hubspot.crm.objects.ApiException,
    companies.ApiException,
    contacts.ApiException,
    owners.ApiException,
    v4.ApiException,
)
ACME, ACME_EUROPE, ACME_ASIA, GLOBEX, INITECH, UMBRELLA = (str(1001 + i) for i in range(6))


# urllib3 would otherwise sleep through a 429's Retry-After and ask again.
NO_RETRIES = Retry(total=0, respect_retry_after_header=False)


@pytest.fixture
def client(urls: dict[str, str]) -> hubspot.Client:
    return hubspot.Client.create(access_token="pat-sandbox", host=urls["hubspot"], retry=NO_RETRIES)


@pytest.fixture
def control(sandbox: SandboxControl) -> VendorControl:
    return sandbox["hubspot"]


def calls(control: VendorControl) -> list[tuple[str, str, int | None, int]]:
    return [(c.method, c.path, c.batch_size, c.status) for c in control.requests()]


def error_of(exc: Any, client: hubspot.Client) -> Error:
    """The error body, parsed into the SDK's own `Error` model."""
    api_client = client.crm.objects.basic_api.api_client
    parsed: Error = api_client.deserialize(SimpleNamespace(data=exc.body), "Error")
    return parsed


# Objects


def test_company_by_id_has_the_requested_and_default_properties(client, backbone: Backbone):
    company = backbone.company(ACME_EUROPE)
    names = [
        "name",
        "domain",
        "city",
        "zip",
        "state",
        "country",
        "hubspot_owner_id",
        "portal_tier",
        "stripe_customer_id",
        "zendesk_organization_id",
        "drive_folder_id",
        "portal_logo_url",
        "portal_primary_color",
        "no_such_property",
    ]

    found = client.crm.companies.basic_api.get_by_id(
        ACME_EUROPE, properties=names, associations=["companies"]
    )

    assert found.id == ACME_EUROPE
    assert found.created_at == company.created_at
    assert found.archived is False
    assert found.properties == {
        "name": "Acme Europe",
        "domain": "acme-eu.example",
        "city": "Berlin",
        "zip": "10115",
        "state": None,
        "country": "DE",
        "hubspot_owner_id": company.owner_id,
        "portal_tier": "ENTERPRISE",
        "stripe_customer_id": company.stripe_customer_id,
        "zendesk_organization_id": str(company.zendesk_organization_id),
        "drive_folder_id": company.drive_folder_id,
        "portal_logo_url": "https://acme-eu.example/logo.png",
        "portal_primary_color": company.primary_color,
        "createdate": "2023-02-03T09:00:00.000Z",
        "hs_lastmodifieddate": found.properties["hs_lastmodifieddate"],
        "hs_object_id": ACME_EUROPE,
    }
    parent_links = found.associations["companies"].results
    assert [(a.id, a.type) for a in parent_links] == [
        (ACME, "child_to_parent_company"),
        (ACME, "company_to_company"),
    ]


def test_a_read_without_properties_returns_hubspots_defaults(client, backbone):
    person = backbone.people[0]

    found = client.crm.contacts.basic_api.get_by_id(person.contact_id)

    assert set(found.properties) == {
        "createdate",
        "email",
        "firstname",
        "hs_lastmodifieddate",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    }
    assert (found.properties["email"], found.properties["firstname"]) == (
        person.email,
        person.first_name,
    )


def test_listing_contacts_pages_to_the_end(client, control, backbone):
    contacts = client.crm.contacts.get_all(properties=["email", "portal_role"])

    assert [c.id for c in contacts] == [p.contact_id for p in backbone.people]
    assert {c.properties["email"]: c.properties["portal_role"] for c in contacts} == {
        p.email: p.role for p in backbone.people
    }
    pages = math.ceil(len(backbone.people) / 100)
    assert calls(control) == [("GET", "/crm/v3/objects/contacts", None, 200)] * pages


def test_batch_read_counts_its_ids_and_reports_missing_ones_with_207(client, control, backbone):
    people = backbone.people[:3]
    request = BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id=p.contact_id) for p in people]
        + [SimplePublicObjectId(id="999999")],
        properties=["email", "portal_status"],
        properties_with_history=[],
    )

    answer = client.crm.objects.batch_api.read("contacts", request)

    assert isinstance(answer, BatchResponseSimplePublicObjectWithErrors)
    assert answer.status == "COMPLETE"
    assert {r.id: r.properties["portal_status"] for r in answer.results} == {
        p.contact_id: p.status for p in people
    }
    assert answer.num_errors == 1
    [error] = answer.errors
    assert (error.category, error.context) == ("OBJECT_NOT_FOUND", {"ids": ["999999"]})
    assert calls(control) == [("POST", "/crm/v3/objects/contacts/batch/read", 4, 207)]


def test_batch_read_by_email_ignores_case_and_answers_200(client, backbone):
    morgan = backbone.person_by_email("morgan.reyes@consultants.example")
    request = BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id="Morgan.Reyes@CONSULTANTS.example")],
        properties=["email", "portal_role"],
        properties_with_history=[],
        id_property="email",
    )

    answer = client.crm.objects.batch_api.read("contacts", request)

    assert isinstance(answer, BatchResponseSimplePublicObject)
    [found] = answer.results
    assert (found.id, found.properties["portal_role"]) == (morgan.contact_id, "USER")


def test_batch_read_refuses_more_than_100_ids(client):
    request = BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id=str(2001 + i)) for i in range(101)],
        properties=["email"],
        properties_with_history=[],
    )

    with pytest.raises(ApiException) as raised:
        client.crm.objects.batch_api.read("contacts", request)

    assert raised.value.status == 400
    assert error_of(raised.value, client).category == "VALIDATION_ERROR"


def test_create_update_and_archive_a_contact(client, control):
    created = client.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={
                "email": "New.Member@Acme.example",
                "firstname": "New",
                "portal_role": "USER",
                "portal_status": "INVITED",
            },
            associations=[
                {
                    "to": {"id": ACME},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}],
                }
            ],
        )
    )
    assert created.properties["email"] == "new.member@acme.example"
    assert created.properties["hs_object_id"] == created.id

    updated = client.crm.contacts.basic_api.update(
        created.id, SimplePublicObjectInput(properties={"portal_status": "ACTIVE"})
    )
    assert updated.properties["portal_status"] == "ACTIVE"
    assert updated.updated_at >= created.updated_at

    links = client.crm.associations.v4.basic_api.get_page("contacts", created.id, "companies")
    assert [(r.to_object_id, [t.type_id for t in r.association_types]) for r in links.results] == [
        (ACME, [279])
    ]

    client.crm.contacts.basic_api.archive(created.id)
    with pytest.raises(ApiException) as raised:
        client.crm.contacts.basic_api.get_by_id(created.id)
    assert raised.value.status == 404
    assert [c[3] for c in calls(control)] == [201, 200, 200, 204, 404]


def test_a_second_contact_with_the_same_email_is_a_conflict(client, backbone):
    existing = backbone.people[0]
    with pytest.raises(ApiException) as raised:
        client.crm.contacts.basic_api.create(
            SimplePublicObjectInputForCreate(properties={"email": existing.email.upper()})
        )
    assert raised.value.status == 409
    error = error_of(raised.value, client)
    assert (error.category, error.message) == (
        "CONFLICT",
        f"Contact already exists. Existing ID: {existing.contact_id}",
    )


def test_batch_create_and_update_tasks(client, control):
    created = client.crm.objects.batch_api.create(
        "tasks",
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(
                    properties={
                        "hs_task_subject": f"Step {n}",
                        "portal_visible": "true",
                        "hs_timestamp": "1767225600000",
                    },
                )
                for n in range(2)
            ]
        ),
    )
    assert [t.properties["hs_task_subject"] for t in created.results] == ["Step 0", "Step 1"]
    assert created.results[0].properties["hs_timestamp"] == "2026-01-01T00:00:00.000Z"

    updated = client.crm.objects.batch_api.update(
        "tasks",
        BatchInputSimplePublicObjectBatchInput(
            inputs=[
                SimplePublicObjectBatchInput(id=t.id, properties={"hs_task_status": "COMPLETED"})
                for t in created.results
            ]
        ),
    )
    assert isinstance(updated, BatchResponseSimplePublicObject)
    assert {t.properties["hs_task_status"] for t in updated.results} == {"COMPLETED"}
    assert [(c[1], c[2]) for c in calls(control)] == [
        ("/crm/v3/objects/tasks/batch/create", 2),
        ("/crm/v3/objects/tasks/batch/update", 2),
    ]


def test_an_invalid_property_value_is_hubspots_400(client, backbone):
    with pytest.raises(ApiException) as raised:
        client.crm.contacts.basic_api.update(
            backbone.people[0].contact_id,
            SimplePublicObjectInput(properties={"portal_role": "OWNER", "shoe_size": "44"}),
        )
    assert raised.value.status == 400
    error = error_of(raised.value, client)
    assert error.category == "VALIDATION_ERROR"
    assert error.message.startswith("Property values were not valid: ")
    problems = json.loads(error.message.removeprefix("Property values were not valid: "))
    assert [(p["name"], p["error"]) for p in problems] == [
        ("portal_role", "INVALID_OPTION"),
        ("shoe_size", "PROPERTY_DOESNT_EXIST"),
    ]


# Search


def search_request(filters: list[dict[str, Any]], **options: Any) -> PublicObjectSearchRequest:
    return PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=[Filter(**f) for f in filters])], **options
    )


def test_search_filters_sorts_and_pages_to_the_end(client, backbone):
    acme = [p for p in backbone.people_of(ACME) if p.status == "ACTIVE"]
    filters = [
        {"property_name": "email", "operator": "CONTAINS_TOKEN", "value": "*@acme.example"},
        {"property_name": "portal_status", "operator": "EQ", "value": "active"},
    ]
    found, after = [], None
    while True:
        page = client.crm.contacts.search_api.do_search(
            search_request(
                filters,
                sorts=[{"propertyName": "hs_object_id", "direction": "DESCENDING"}],
                properties=["email"],
                limit=4,
                after=after,
            )
        )
        assert page.total == len(acme)
        found += [c.properties["email"] for c in page.results]
        if page.paging is None:
            break
        after = page.paging.next.after

    assert found == [p.email for p in sorted(acme, key=lambda p: -int(p.contact_id))]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            [{"property_name": "portal_tier", "operator": "IN", "values": ["GROWTH", "STARTER"]}],
            [GLOBEX, INITECH, UMBRELLA],
        ),
        (
            [
                {"property_name": "portal_tier", "operator": "NEQ", "value": "ENTERPRISE"},
                {"property_name": "country", "operator": "EQ", "value": "US"},
            ],
            [INITECH],
        ),
        (
            [{"property_name": "hs_parent_company_id", "operator": "HAS_PROPERTY"}],
            [ACME_EUROPE, ACME_ASIA],
        ),
        (
            [{"property_name": "state", "operator": "NOT_HAS_PROPERTY"}],
            [ACME_EUROPE, ACME_ASIA, GLOBEX, UMBRELLA],
        ),
        # 2023-04-01T00:00:00Z in epoch milliseconds, as HubSpot takes datetimes
        (
            [{"property_name": "createdate", "operator": "GTE", "value": "1680307200000"}],
            [GLOBEX, INITECH, UMBRELLA],
        ),
        (
            [{"property_name": "createdate", "operator": "LT", "value": "2023-03-01T00:00:00Z"}],
            [ACME, ACME_EUROPE],
        ),
        (
            [{"property_name": "name", "operator": "CONTAINS_TOKEN", "value": "acme"}],
            [ACME, ACME_EUROPE, ACME_ASIA],
        ),
    ],
)
def test_search_operators(client, filters, expected):
    page = client.crm.companies.search_api.do_search(search_request(filters, limit=200))
    assert [c.id for c in page.results] == expected
    assert page.total == len(expected)


def test_search_by_association_finds_a_companys_client_visible_tasks(client, backbone):
    seeded = build_state(backbone)
    tasks = seeded.objects["tasks"]
    linked = [t for t, _ in seeded.associations.targets("companies", GLOBEX, "tasks")]
    visible = [t for t in linked if tasks[t].properties["portal_visible"] == "true"]

    found = client.crm.objects.tasks.search_api.do_search(
        search_request(
            [
                {"property_name": "associations.company", "operator": "EQ", "value": GLOBEX},
                {"property_name": "portal_visible", "operator": "EQ", "value": "true"},
            ],
            properties=["hs_task_subject", "portal_visible"],
            limit=200,
        )
    )

    assert 2 <= len(visible) < len(linked) <= 6
    assert found.total == len(visible)
    assert {t.id: t.properties["hs_task_subject"] for t in found.results} == {
        t: tasks[t].properties["hs_task_subject"] for t in visible
    }


def test_search_free_text_query_matches_default_properties(client, backbone):
    found = client.crm.contacts.search_api.do_search(
        PublicObjectSearchRequest(query="morgan rey", properties=["email"])
    )
    morgan = backbone.person_by_email("morgan.reyes@consultants.example")
    assert [(c.id, c.properties["email"]) for c in found.results] == [
        (morgan.contact_id, morgan.email)
    ]


def test_search_limit_is_at_most_200(client):
    with pytest.raises(ApiException) as raised:
        client.crm.companies.search_api.do_search(search_request([], limit=201))
    assert raised.value.status == 400


# Associations


def test_v4_batch_read_of_company_hierarchy(client, control):
    request = BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[PublicFetchAssociationsBatchRequest(id=i) for i in (ACME, ACME_EUROPE, GLOBEX)]
    )

    answer = client.crm.associations.v4.batch_api.get_page("companies", "companies", request)

    assert isinstance(answer, BatchResponsePublicAssociationMultiWithLabelWithErrors)
    links = {
        r._from.id: [
            (t.to_object_id, {a.type_id: a.label for a in t.association_types}) for t in r.to
        ]
        for r in answer.results
    }
    assert links == {
        ACME: [
            (ACME_EUROPE, {13: "Child Company", 450: None}),
            (ACME_ASIA, {13: "Child Company", 450: None}),
        ],
        ACME_EUROPE: [(ACME, {14: "Parent Company", 450: None})],
    }
    [error] = answer.errors
    assert error.message == f"No company is associated with company {GLOBEX}."
    assert calls(control) == [
        ("POST", "/crm/v4/associations/companies/companies/batch/read", 3, 207)
    ]


def test_v4_contact_companies_with_primary_first(client, backbone):
    morgan = backbone.person_by_email("morgan.reyes@consultants.example")
    request = BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[PublicFetchAssociationsBatchRequest(id=morgan.contact_id)]
    )

    answer = client.crm.associations.v4.batch_api.get_page("contact", "company", request)

    assert isinstance(answer, BatchResponsePublicAssociationMultiWithLabel)
    [result] = answer.results
    assert [
        (t.to_object_id, sorted(a.type_id for a in t.association_types)) for t in result.to
    ] == [
        (INITECH, [1, 279]),
        (UMBRELLA, [279]),
    ]


def test_v4_create_default_and_labelled_associations(client):
    v4 = client.crm.associations.v4.basic_api

    default = v4.create_default("companies", UMBRELLA, "contacts", "2001")
    assert [
        (r._from.id, r.to.id, r.association_spec.association_type_id) for r in default.results
    ] == [(UMBRELLA, "2001", 280), ("2001", UMBRELLA, 279)]

    labelled = v4.create(
        "companies",
        INITECH,
        "companies",
        GLOBEX,
        [AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=13)],
    )
    assert (labelled.from_object_type_id, labelled.to_object_type_id) == ("0-2", "0-2")
    assert labelled.labels == ["Child Company"]

    page = v4.get_page("companies", GLOBEX, "companies")
    assert [(r.to_object_id, [a.type_id for a in r.association_types]) for r in page.results] == [
        (INITECH, [14, 450])
    ]
    globex = client.crm.companies.basic_api.get_by_id(GLOBEX, properties=["hs_parent_company_id"])
    assert globex.properties["hs_parent_company_id"] == INITECH


def test_v4_association_page_of_a_missing_record_is_404(client):
    with pytest.raises(ApiException) as raised:
        client.crm.associations.v4.basic_api.get_page("companies", "999", "contacts")
    assert raised.value.status == 404


# Owners


def test_owners_list_and_read(client, backbone):
    owners = client.crm.owners.owners_api.get_page(limit=2)
    assert [o.email for o in owners.results] == [o.email for o in backbone.owners[:2]]
    rest = client.crm.owners.owners_api.get_page(after=owners.paging.next.after)
    assert [o.id for o in rest.results] == [backbone.owners[2].id]

    sam = client.crm.owners.owners_api.get_by_id(int(backbone.owners[0].id))
    assert (sam.first_name, sam.last_name, sam.user_id, sam.type) == (
        "Sam",
        "Carter",
        9001,
        "PERSON",
    )


# Errors, knobs and admin changes


@pytest.mark.parametrize("token", [None, "sk_test_wrong"])
def test_wrong_credentials_are_hubspots_401(urls, token):
    client = hubspot.Client.create(access_token=token, host=urls["hubspot"], retry=NO_RETRIES)
    with pytest.raises(ApiException) as raised:
        client.crm.companies.basic_api.get_by_id(ACME)
    assert raised.value.status == 401
    assert error_of(raised.value, client).category == "INVALID_AUTHENTICATION"


def test_unknown_company_is_hubspots_404(client):
    with pytest.raises(ApiException) as raised:
        client.crm.companies.basic_api.get_by_id("4242")
    assert raised.value.status == 404
    error = error_of(raised.value, client)
    assert error.category == "OBJECT_NOT_FOUND"
    assert error.correlation_id


def test_outage_is_503_and_rate_limit_is_429_with_retry_after(client, control):
    control.set_knobs(outage=True)
    with pytest.raises(ApiException) as raised:
        client.crm.companies.basic_api.get_by_id(ACME)
    assert raised.value.status == 503

    control.set_knobs(outage=False, rate_limit=1, rate_window_s=30)
    ok = client.crm.companies.basic_api.get_by_id_with_http_info(ACME)
    assert ok[2]["X-HubSpot-RateLimit-Max"] == "1"
    assert ok[2]["X-HubSpot-RateLimit-Remaining"] == "0"
    with pytest.raises(ApiException) as raised:
        client.crm.companies.basic_api.get_by_id(ACME)
    assert raised.value.status == 429
    assert int(raised.value.headers["Retry-After"]) >= 1
    assert error_of(raised.value, client).category == "RATE_LIMITS"


def test_admin_changes_are_seen_through_the_api(client, control, backbone):
    member = backbone.people_of(GLOBEX)[1]
    control.call("POST", f"/_sandbox/contacts/{member.contact_id}/portal", {"role": "ADMIN"})
    control.call(
        "POST", f"/_sandbox/companies/{GLOBEX}", {"properties": {"portal_tier": "ENTERPRISE"}}
    )

    contact = client.crm.contacts.basic_api.get_by_id(member.contact_id, properties=["portal_role"])
    company = client.crm.companies.basic_api.get_by_id(GLOBEX, properties=["portal_tier"])

    assert (contact.properties["portal_role"], company.properties["portal_tier"]) == (
        "ADMIN",
        "ENTERPRISE",
    )
    assert [
        (c["subscriptionType"], c["objectId"], c["propertyName"])
        for c in control.call("GET", "/_sandbox/changes")
    ] == [
        ("contact.propertyChange", member.contact_id, "portal_role"),
        ("company.propertyChange", GLOBEX, "portal_tier"),
    ]


def test_each_company_has_onboarding_tasks_and_notes(client, backbone):
    request = BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[PublicFetchAssociationsBatchRequest(id=c.hubspot_id) for c in backbone.companies]
    )
    v4 = client.crm.associations.v4.batch_api
    tasks = {r._from.id: len(r.to) for r in v4.get_page("companies", "tasks", request).results}
    notes = {r._from.id: len(r.to) for r in v4.get_page("companies", "notes", request).results}

    assert set(tasks) == set(notes) == {c.hubspot_id for c in backbone.companies}
    assert all(3 <= n <= 6 for n in tasks.values())
    assert all(2 <= n <= 3 for n in notes.values())


def test_a_person_joins_and_leaves_a_company_as_the_team_calls_do(client, control):
    """The team mutations' calls, through the SDK: contact-to-company default link (v4 PUT),
    a search of the company's members by association, role, status and text, the portal's
    datetime properties, and the link archived (v4 DELETE) with the contact kept."""
    person = client.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={"email": "Lena.Lead@Example.com", "firstname": "Lena",
                        "portal_role": "USER", "portal_status": "INVITED",
                        "portal_invited_at": "2026-11-30T09:00:00.000Z",
                        "portal_invited_by": "Dmitri Schmidt"},
        )
    )  # fmt: skip
    v4 = client.crm.associations.v4.basic_api
    joined = v4.create_default("contacts", person.id, "companies", ACME)
    assert [(r._from.id, r.to.id) for r in joined.results] == [(person.id, ACME), (ACME, person.id)]

    def members(text: str) -> Any:
        return client.crm.contacts.search_api.do_search(
            search_request(
                [
                    {"property_name": "associations.company", "operator": "EQ", "value": ACME},
                    {"property_name": "portal_role", "operator": "IN", "values": ["USER"]},
                    {"property_name": "portal_status", "operator": "IN", "values": ["INVITED"]},
                ],
                query=text,
                properties=["email", "portal_invited_at", "portal_last_sign_in_at"],
                limit=10,
            )
        )

    found = members("lena")
    assert [(r.id, r.properties["email"]) for r in found.results] == [
        (person.id, "lena.lead@example.com")
    ]
    assert found.total == 1
    assert found.results[0].properties["portal_invited_at"] == "2026-11-30T09:00:00.000Z"

    v4.archive("contacts", person.id, "companies", ACME)

    assert v4.get_page("contacts", person.id, "companies").results == []
    assert members("lena").total == 0
    assert client.crm.contacts.basic_api.get_by_id(person.id).id == person.id
