"""The Zendesk sandbox speaks Zendesk's wire format: the official SDK (zenpy) parses every
answer into its own objects and exceptions, against the seeded data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment, Ticket, TicketAudit, User
from zenpy.lib.exception import (
    APIException,
    RatelimitBudgetExceeded,
    RecordNotFoundException,
    SearchResponseLimitExceeded,
    TooManyValuesException,
)

from sandbox.accounts import Backbone
from sandbox.control import SandboxControl, VendorControl
from sandbox.zendesk.seed import GROUP_BASE_ID, build_state
from sandbox.zendesk.state import STATUSES, ZendeskState, iso, parse_iso

ACME_ORG, GLOBEX_ORG = 360_000_000_001, 360_000_000_004


@pytest.fixture
def control(sandbox: SandboxControl) -> VendorControl:
    return sandbox["zendesk"]


@pytest.fixture
def base_url(urls: dict[str, str]) -> str:
    return urls["zendesk"] + "/api/v2"


@pytest.fixture
def client(urls: dict[str, str], monkeypatch: pytest.MonkeyPatch, control: VendorControl) -> Zenpy:
    # zenpy builds https://{subdomain}.{domain}/api/v2; these two variables are its own
    # switches for pointing it elsewhere.
    monkeypatch.setenv("ZENPY_FORCE_NETLOC", urlsplit(urls["zendesk"]).netloc)
    monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
    return Zenpy(
        subdomain="sandbox", email="portal@sandbox.example", token="sandbox", disable_cache=True
    )


@pytest.fixture(scope="module")
def seed(backbone: Backbone) -> ZendeskState:
    return build_state(backbone)


def calls(control: VendorControl) -> list[tuple[str, str, int | None, int]]:
    return [(c.method, c.path, c.batch_size, c.status) for c in control.requests()]


def first_ticket(seed: ZendeskState, **wanted: object) -> dict[str, Any]:
    return next(t for t in seed.tickets.values() if all(t[k] == v for k, v in wanted.items()))


# Tickets


def test_show_ticket_matches_the_seed(client: Zenpy, seed: ZendeskState, base_url: str) -> None:
    expected = seed.tickets[7]

    ticket = client.tickets(id=7)

    assert isinstance(ticket, Ticket)
    parsed, wanted = ticket.to_dict(), {**expected, "url": f"{base_url}/tickets/7.json"}
    assert parsed.pop("via") == {"channel": "web", "source": {"from_": {}, "to": {}, "rel": None}}
    wanted.pop("via")
    assert parsed == wanted
    assert ticket.created_at.endswith("Z")


def test_org_tickets_follow_cursor_pages_to_the_end(
    client: Zenpy, seed: ZendeskState, control: VendorControl
) -> None:
    tickets = list(client.tickets.organizations(organization=ACME_ORG))
    everything = list(client.tickets(cursor_pagination=40))

    assert [t.id for t in tickets] == sorted(seed.tickets_of(ACME_ORG))
    assert [t.id for t in everything] == sorted(seed.tickets)
    pages = [c for c in calls(control) if c[1] == "/api/v2/tickets.json"]
    assert len(pages) == 4  # 150 tickets at 40 a page
    assert {c[3] for c in calls(control)} == {200}


def test_cursor_links_are_absolute_and_walk_both_ways(
    client: Zenpy, seed: ZendeskState, base_url: str
) -> None:
    url = f"{base_url}/organizations/{ACME_ORG}/tickets"
    params = {"page[size]": "10", "sort": "-updated_at"}
    first = client.tickets.session.get(url, params=params).json()
    second = client.tickets.session.get(first["links"]["next"]).json()
    back = client.tickets.session.get(second["links"]["prev"]).json()

    newest = sorted(
        seed.tickets_of(ACME_ORG),
        key=lambda i: (seed.tickets[i]["updated_at"], i),
        reverse=True,
    )
    assert [t["id"] for t in first["tickets"]] == newest[:10]
    assert [t["id"] for t in second["tickets"]] == newest[10:20]
    assert [t["id"] for t in back["tickets"]] == newest[:10]
    assert first["meta"]["has_more"] is True
    assert first["links"]["next"].startswith(f"{base_url}/organizations/{ACME_ORG}/tickets?")
    assert first["meta"]["after_cursor"] in first["links"]["next"]


def test_org_tickets_offset_pagination_counts(
    client: Zenpy, seed: ZendeskState, base_url: str
) -> None:
    url = f"{base_url}/organizations/{ACME_ORG}/tickets.json"
    page = client.tickets.session.get(url, params={"per_page": 30, "page": 2}).json()

    assert page["count"] == len(seed.tickets_of(ACME_ORG)) == 35
    assert [t["id"] for t in page["tickets"]] == sorted(seed.tickets_of(ACME_ORG))[30:]
    assert page["next_page"] is None
    assert page["previous_page"] == f"{url}?per_page=30&page=1"


def test_show_many_tickets_is_one_batch_request(
    client: Zenpy, seed: ZendeskState, control: VendorControl
) -> None:
    ids = [3, 1, 2, 999_999]

    tickets = list(client.tickets(ids=ids))

    assert [t.id for t in tickets] == [3, 1, 2]
    assert [t.subject for t in tickets] == [seed.tickets[i]["subject"] for i in (3, 1, 2)]
    assert calls(control) == [("GET", "/api/v2/tickets/show_many.json", 4, 200)]


def test_show_many_refuses_more_than_100_ids(client: Zenpy) -> None:
    with pytest.raises(TooManyValuesException) as caught:
        list(client.tickets(ids=range(1, 102)))

    assert caught.value.response.status_code == 400


def test_slas_side_load_sets_breach_at_on_open_urgent_tickets(
    client: Zenpy, seed: ZendeskState, base_url: str
) -> None:
    urgent = first_ticket(seed, priority="urgent", status="new")  # no agent reply yet
    normal = first_ticket(seed, priority="normal")
    url = f"{base_url}/tickets/{urgent['id']}.json"

    body = client.tickets.session.get(url, params={"include": "slas"}).json()
    plain = client.tickets.session.get(f"{base_url}/tickets/{normal['id']}?include=slas").json()

    created = parse_iso(urgent["created_at"])
    assert body["ticket"]["slas"] == {
        "policy_metrics": [
            {
                "breach_at": iso(created + timedelta(hours=1)),
                "stage": "active",
                "metric": "first_reply_time",
                "hours": 1,
            },
            {
                "breach_at": iso(created + timedelta(days=1)),
                "stage": "active",
                "metric": "requester_wait_time",
                "days": 1,
            },
        ]
    }
    assert plain["ticket"]["slas"] == {"policy_metrics": []}
    parsed = client.tickets(id=urgent["id"], include=["slas"])
    assert parsed.slas["policy_metrics"][0]["stage"] == "active"


def test_comments_carry_public_and_private_with_the_flag(client: Zenpy, seed: ZendeskState) -> None:
    ticket = next(t for t in seed.tickets.values() if len(seed.comments[t["id"]]) >= 4)
    expected = seed.comments[ticket["id"]]

    comments = list(client.tickets.comments(ticket=ticket["id"]))

    assert all(isinstance(c, Comment) for c in comments)
    assert [(c.id, c.author_id, c.public, c.body) for c in comments] == [
        (c["id"], c["author_id"], c["public"], c["body"]) for c in expected
    ]
    assert all(c.body.startswith("INTERNAL:") for c in comments if not c.public)
    assert comments[0].body == ticket["description"]
    assert comments[0].html_body.startswith('<div class="zd-comment" dir="auto"><p dir="auto">')


def test_create_ticket_with_a_new_requester(
    client: Zenpy, control: VendorControl, seed: ZendeskState
) -> None:
    billing = GROUP_BASE_ID
    new = Ticket(
        subject="Invoice PDF missing",
        comment=Comment(body="The PDF for March is missing.", public=True),
        requester=User(name="Pat Doe", email="pat.doe@acme.example"),
        organization_id=ACME_ORG,
        priority="high",
        type="question",
        group_id=billing,
        tags=["portal", "Billing Docs"],
        custom_fields=[{"id": 42, "value": "portal"}],
    )

    audit = client.tickets.create(new)

    assert isinstance(audit, TicketAudit)
    created = audit.ticket
    assert created.id == max(seed.tickets) + 1
    assert (created.status, created.priority, created.type) == ("new", "high", "question")
    assert created.tags == ["portal", "billing", "docs"]
    assert created.description == "The PDF for March is missing."
    requester = client.users(id=created.requester_id)
    assert (requester.name, requester.email, requester.role) == (
        "Pat Doe",
        "pat.doe@acme.example",
        "end-user",
    )
    assert requester.organization_id == created.organization_id == ACME_ORG
    comments = list(client.tickets.comments(ticket=created.id))
    assert [(c.author_id, c.public) for c in comments] == [(requester.id, True)]
    assert [e["type"] for e in audit.audit.events][:2] == ["Comment", "Create"]
    assert ("POST", "/api/v2/tickets.json", None, 201) in calls(control)


def test_create_ticket_for_an_existing_requester_in_their_second_organization(
    client: Zenpy, backbone: Backbone
) -> None:
    morgan = backbone.person_by_email("morgan.reyes@consultants.example")
    umbrella = backbone.company(morgan.company_ids[1]).zendesk_organization_id

    audit = client.tickets.create(
        Ticket(
            subject="Access for the Umbrella team",
            comment=Comment(body="Please add two seats."),
            requester_id=morgan.zendesk_user_id,
            organization_id=umbrella,
        )
    )

    assert (audit.ticket.requester_id, audit.ticket.organization_id) == (
        morgan.zendesk_user_id,
        umbrella,
    )
    assert audit.ticket.submitter_id == morgan.zendesk_user_id


def test_invalid_ticket_creates_are_422_record_invalid(client: Zenpy) -> None:
    with pytest.raises(APIException) as caught:
        client.tickets.create(Ticket(subject="No comment", priority="whenever"))

    assert caught.value.response.status_code == 422
    assert caught.value.response.json() == {
        "error": "RecordInvalid",
        "description": "Record validation errors",
        "details": {
            "description": [{"description": "Description: cannot be blank", "error": "BlankValue"}],
            "priority": [
                {"description": "Priority: whenever is not valid", "error": "InvalidValue"}
            ],
        },
    }


def test_update_adds_a_private_note_and_changes_status(
    client: Zenpy, seed: ZendeskState, control: VendorControl
) -> None:
    original = first_ticket(seed, status="open")
    ticket = client.tickets(id=original["id"])
    ticket.status = "pending"
    ticket.comment = Comment(body="INTERNAL: waiting for finance", public=False)

    audit = client.tickets.update(ticket)

    assert audit.ticket.status == "pending"
    assert audit.ticket.updated_at > original["updated_at"]
    comments = list(client.tickets.comments(ticket=original["id"]))
    assert (comments[-1].body, comments[-1].public) == ("INTERNAL: waiting for finance", False)
    assert len(comments) == len(seed.comments[original["id"]]) + 1
    changes = [e for e in audit.audit.events if e["type"] == "Change"]
    assert changes == [
        {
            "id": changes[0]["id"],
            "type": "Change",
            "field_name": "status",
            "value": "pending",
            "previous_value": "open",
        }
    ]
    updates = [c for c in calls(control) if c[0] == "PUT"]
    assert updates == [("PUT", f"/api/v2/tickets/{original['id']}.json", None, 200)]


def test_requester_reply_reopens_a_pending_ticket(client: Zenpy, seed: ZendeskState) -> None:
    pending = first_ticket(seed, status="pending")
    ticket = client.tickets(id=pending["id"])
    ticket.comment = Comment(body="Here is the screenshot.", author_id=pending["requester_id"])

    audit = client.tickets.update(ticket)

    assert audit.ticket.status == "open"


def test_closed_tickets_refuse_updates(client: Zenpy, seed: ZendeskState) -> None:
    ticket = client.tickets(id=first_ticket(seed, status="closed")["id"])
    ticket.status = "open"

    with pytest.raises(APIException) as caught:
        client.tickets.update(ticket)

    assert caught.value.response.status_code == 422
    assert caught.value.response.json()["error"] == "RecordInvalid"


# Users, organizations, groups


def test_users_show_many_and_search_by_email(
    client: Zenpy, backbone: Backbone, control: VendorControl
) -> None:
    people = backbone.people[:3]

    users = list(client.users(ids=[p.zendesk_user_id for p in people]))
    found = list(client.users.search(query=f"email:{people[1].email}"))

    assert [(u.id, u.name, u.email, u.external_id) for u in users] == [
        (p.zendesk_user_id, p.name, p.email, p.contact_id) for p in people
    ]
    assert [u.id for u in found] == [people[1].zendesk_user_id]
    assert calls(control)[0] == ("GET", "/api/v2/users/show_many.json", 3, 200)


def test_create_user_then_duplicate_email_is_422(client: Zenpy) -> None:
    user = client.users.create(User(name="Jamie Fox", email="jamie.fox@globex.example"))

    assert (user.name, user.role, user.organization_id) == ("Jamie Fox", "end-user", GLOBEX_ORG)
    with pytest.raises(APIException) as caught:
        client.users.create(User(name="Jamie Again", email="jamie.fox@globex.example"))
    assert caught.value.response.status_code == 422
    assert caught.value.response.json()["details"]["email"][0]["error"] == "DuplicateValue"


def test_create_or_update_user_updates_by_email(client: Zenpy, backbone: Backbone) -> None:
    person = backbone.people[0]

    user = client.users.create_or_update(User(email=person.email, phone="+15550000"))

    assert (user.id, user.name, user.phone) == (person.zendesk_user_id, person.name, "+15550000")


def test_organizations_and_groups(client: Zenpy, backbone: Backbone) -> None:
    acme = backbone.companies[0]

    org = client.organizations(id=acme.zendesk_organization_id)
    orgs = list(client.organizations())
    groups = list(client.groups())

    assert (org.name, org.domain_names, org.external_id) == (
        acme.name,
        [acme.domain],
        acme.hubspot_id,
    )
    assert [o.id for o in orgs] == [c.zendesk_organization_id for c in backbone.companies]
    assert [g.name for g in groups] == [
        "Billing",
        "Technical Support",
        "Onboarding",
        "Account Management",
    ]


# Search


def test_search_organization_and_status_below_solved(client: Zenpy, seed: ZendeskState) -> None:
    unresolved = client.search(
        type="ticket",
        organization=ACME_ORG,
        status_less_than="solved",
        sort_by="created_at",
        sort_order="asc",
    )

    expected = sorted(
        (
            seed.tickets[i]
            for i in seed.tickets_of(ACME_ORG)
            if STATUSES.index(seed.tickets[i]["status"]) < STATUSES.index("solved")
        ),
        key=lambda t: (t["created_at"], t["id"]),
    )
    results = list(unresolved)
    assert [t.id for t in results] == [t["id"] for t in expected]
    assert all(isinstance(t, Ticket) for t in results)
    assert len(unresolved) == len(expected)


def test_search_date_comparisons_and_requester(
    client: Zenpy, seed: ZendeskState, base_url: str
) -> None:
    some = seed.tickets[40]
    day = some["created_at"][:10]
    query = f"type:ticket requester:{some['requester_id']} created>={day} updated<2100-01-01"

    body = client.search.session.get(f"{base_url}/search.json", params={"query": query}).json()

    expected = [
        t
        for t in seed.tickets.values()
        if t["requester_id"] == some["requester_id"] and t["created_at"] >= day
    ]
    assert sorted(r["id"] for r in body["results"]) == sorted(t["id"] for t in expected)
    assert {r["result_type"] for r in body["results"]} == {"ticket"}
    assert body["count"] == len(expected)


def test_search_paginates_by_offset_to_the_end(
    client: Zenpy, seed: ZendeskState, control: VendorControl
) -> None:
    results = list(client.search(type="ticket"))

    assert sorted(t.id for t in results) == sorted(seed.tickets)
    assert [c[1] for c in calls(control)] == ["/api/v2/search.json"] * 2  # 150 at 100 a page


def test_search_beyond_1000_results_is_refused(client: Zenpy, base_url: str) -> None:
    response = client.search.session.get(
        f"{base_url}/search.json", params={"query": "type:ticket", "page": 11}
    )

    assert response.status_code == 422
    with pytest.raises(SearchResponseLimitExceeded):
        client.search._check_response(response)


# Errors and knobs


def test_wrong_credentials_are_401(urls: dict[str, str], client: Zenpy) -> None:
    stranger = Zenpy(subdomain="sandbox", email="not-an-email", token="x", disable_cache=True)

    with pytest.raises(APIException) as caught:
        stranger.tickets(id=1)

    assert caught.value.response.status_code == 401
    assert caught.value.response.json() == {"error": "Couldn't authenticate you"}
    assert requests.get(urls["zendesk"] + "/api/v2/groups", timeout=5).status_code == 401


def test_unknown_ticket_is_404_record_not_found(client: Zenpy) -> None:
    with pytest.raises(RecordNotFoundException) as caught:
        client.tickets(id=999_999)

    assert caught.value.response.json() == {"error": "RecordNotFound", "description": "Not found"}


def test_malformed_input_is_400(client: Zenpy, base_url: str) -> None:
    session = client.tickets.session
    bad_json = session.post(
        f"{base_url}/tickets.json", data="{", headers={"Content-Type": "application/json"}
    )
    bad_size = session.get(f"{base_url}/tickets.json", params={"page[size]": 500})
    bad_cursor = session.get(f"{base_url}/tickets.json", params={"page[after]": "nope"})

    assert [r.status_code for r in (bad_json, bad_size, bad_cursor)] == [400, 400, 400]
    assert bad_json.json()["error"] == "InvalidJSON"


def test_outage_and_rate_limit_knobs(
    client: Zenpy, control: VendorControl, base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    control.set_knobs(outage=True)
    with pytest.raises(APIException) as caught:
        client.tickets(id=1)
    assert caught.value.response.status_code == 503

    control.set_knobs(outage=False, rate_limit=1, rate_window_s=30)
    client.tickets(id=1)
    limited = client.tickets.session.get(f"{base_url}/tickets/1.json")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    # zenpy would sleep through Retry-After; a budget of one second makes it give up.
    budgeted = Zenpy(
        subdomain="sandbox", email="a@b.example", token="t", disable_cache=True, ratelimit_budget=1
    )
    with pytest.raises(RatelimitBudgetExceeded):
        budgeted.tickets(id=1)
    assert [c[3] for c in calls(control)] == [503, 200, 429, 429]


# Vendor-side changes


def test_agent_solves_and_comments_through_the_admin_api(
    client: Zenpy, control: VendorControl, seed: ZendeskState
) -> None:
    ticket = first_ticket(seed, status="open")

    control.call("POST", f"/_sandbox/tickets/{ticket['id']}/comments", {"body": "Fixed now."})
    control.call("POST", f"/_sandbox/tickets/{ticket['id']}/status", {"status": "solved"})

    solved = client.tickets(id=ticket["id"])
    comments = list(client.tickets.comments(ticket=ticket["id"]))
    assert solved.status == "solved"
    assert (comments[-1].body, comments[-1].public, comments[-1].author_id) == (
        "Fixed now.",
        True,
        ticket["assignee_id"],
    )
    changes = control.call("GET", "/_sandbox/changes")["changes"]
    assert [(c["kind"], c["action"]) for c in changes] == [
        ("ticket", "updated"),
        ("comment", "created"),
        ("ticket", "updated"),
    ]
    assert [c[0] for c in calls(control)] == ["GET", "GET"]  # admin calls are not logged
