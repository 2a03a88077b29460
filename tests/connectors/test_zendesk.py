"""The Zendesk connector against the Zendesk sandbox: records equal to the seed, the calls the
sandbox saw (pages, show_many batches), and vendor errors mapped to `UpstreamError`s."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from connectors import zendesk
from connectors.http import JsonService, NotFound, RateLimited, Rejected, Unavailable, open_session
from connectors.zendesk import Comment, Group, Organization, Ticket, User
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl, VendorControl
from sandbox.zendesk.seed import build_state
from sandbox.zendesk.sla import TARGETS
from sandbox.zendesk.state import ZendeskState

ACME_ORG = "360000000001"


@pytest.fixture
def control(sandbox: SandboxControl) -> VendorControl:
    return sandbox["zendesk"]


@pytest.fixture
async def http(urls: dict[str, str]) -> AsyncIterator[JsonService]:
    session = open_session()
    yield zendesk.service(session, urls["zendesk"], "portal@sandbox.example", "sandbox")
    await session.close()


@pytest.fixture(scope="module")
def seed(backbone: Backbone) -> ZendeskState:
    return build_state(backbone)


def when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def expected_ticket(seed: ZendeskState, ticket_id: int) -> Ticket:
    raw = seed.tickets[ticket_id]
    return Ticket(
        id=str(ticket_id),
        subject=raw["subject"],
        description=raw["description"],
        status=raw["status"],
        priority=raw["priority"],
        type=raw["type"],
        requester_id=str(raw["requester_id"]),
        organization_id=str(raw["organization_id"]),
        group_id=None if raw["group_id"] is None else str(raw["group_id"]),
        created_at=when(raw["created_at"]),
        updated_at=when(raw["updated_at"]),
        tags=tuple(raw["tags"]),
        assignee_id=None if raw["assignee_id"] is None else str(raw["assignee_id"]),
        sla_breach_at=expected_breach(seed, raw),
    )


def expected_breach(seed: ZendeskState, raw: dict[str, Any]) -> datetime | None:
    """The sandbox's SLA policy: first reply runs until an agent replies in public, requester
    wait time while the ticket is new or open; both stop when it is solved."""
    targets = TARGETS.get(raw["priority"] or "")
    if targets is None or raw["status"] in ("solved", "closed"):
        return None
    agents = seed.agent_ids()
    replied = any(c["public"] and c["author_id"] in agents for c in seed.comments[raw["id"]])
    running = [] if replied else [targets["first_reply_time"]]
    if raw["status"] in ("new", "open"):
        running.append(targets["requester_wait_time"])
    created = when(raw["created_at"])
    return min((created + timedelta(minutes=m) for m in running), default=None)


def calls(control: VendorControl) -> list[tuple[str, str, str, int | None, int]]:
    return [(c.method, c.path, c.query, c.batch_size, c.status) for c in control.requests()]


# Tickets


async def test_first_page_of_an_organization_matches_the_seed(
    http: JsonService, seed: ZendeskState, control: VendorControl
) -> None:
    page = await zendesk.tickets_of_organization(http, ACME_ORG, page_size=5)

    newest = sorted(
        seed.tickets_of(int(ACME_ORG)),
        key=lambda i: (seed.tickets[i]["updated_at"], i),
        reverse=True,
    )
    assert page.tickets == tuple(expected_ticket(seed, i) for i in newest[:5])
    assert page.has_more is True
    assert page.after_cursor is not None
    [(method, path, query, _, status)] = calls(control)
    assert (method, path, status) == ("GET", f"/api/v2/organizations/{ACME_ORG}/tickets", 200)
    assert "page%5Bsize%5D=5" in query or "page[size]=5" in query


async def test_cursor_pagination_runs_to_the_end(
    http: JsonService, seed: ZendeskState, control: VendorControl
) -> None:
    seen: list[str] = []
    after: str | None = None
    while True:
        page = await zendesk.tickets_of_organization(
            http, ACME_ORG, page_size=10, after=after, sort="id"
        )
        seen += [t.id for t in page.tickets]
        if not page.has_more:
            break
        after = page.after_cursor

    assert seen == [str(i) for i in sorted(seed.tickets_of(int(ACME_ORG)))]
    assert len(calls(control)) == 4  # 35 tickets, 10 a page


async def test_page_size_is_held_to_zendesks_limit(http: JsonService, seed: ZendeskState) -> None:
    page = await zendesk.tickets_of_organization(http, ACME_ORG, page_size=500)

    assert len(page.tickets) == len(seed.tickets_of(int(ACME_ORG))) == 35
    assert page.has_more is False


async def test_tickets_by_id_chunks_150_ids_into_two_requests(
    http: JsonService, seed: ZendeskState, control: VendorControl
) -> None:
    ids = [str(i) for i in range(1, 151)]
    asked = [*ids, "999999", "not-an-id", "7"]

    tickets = await zendesk.tickets_by_id(http, asked)

    assert tickets == [expected_ticket(seed, int(i)) for i in ids] + [
        None,
        None,
        expected_ticket(seed, 7),
    ]
    batches = sorted((c[1], c[3], c[4]) for c in calls(control))
    assert batches == [
        ("/api/v2/tickets/show_many", 51, 200),
        ("/api/v2/tickets/show_many", 100, 200),
    ]


async def test_tickets_by_id_carry_the_next_sla_breach(
    http: JsonService, seed: ZendeskState
) -> None:
    urgent = next(
        t for t in seed.tickets.values() if t["priority"] == "urgent" and t["status"] == "new"
    )

    [ticket] = await zendesk.tickets_by_id(http, [str(urgent["id"])])

    assert ticket is not None
    assert ticket.sla_breach_at == when(urgent["created_at"]) + timedelta(hours=1)


async def test_no_ids_no_requests(http: JsonService, control: VendorControl) -> None:
    assert await zendesk.tickets_by_id(http, []) == []
    assert await zendesk.users_by_id(http, ["x"]) == [None]
    assert calls(control) == []


async def test_comments_come_public_and_private_with_their_flag(
    http: JsonService, seed: ZendeskState, control: VendorControl
) -> None:
    ticket_id = next(i for i, c in seed.comments.items() if any(not x["public"] for x in c))

    comments = await zendesk.comments_of_ticket(http, str(ticket_id))

    assert comments == [
        Comment(
            id=str(c["id"]),
            author_id=str(c["author_id"]),
            body=c["body"],
            html_body=c["html_body"],
            public=c["public"],
            created_at=when(c["created_at"]),
        )
        for c in seed.comments[ticket_id]
    ]
    assert any(not c.public and c.body.startswith("INTERNAL:") for c in comments)
    assert [c[1] for c in calls(control)] == [f"/api/v2/tickets/{ticket_id}/comments"]


async def test_all_comments_pages_are_read(
    http: JsonService, control: VendorControl, seed: ZendeskState
) -> None:
    ticket_id = next(i for i, t in seed.tickets.items() if t["status"] == "open")
    for n in range(100):
        control.call("POST", f"/_sandbox/tickets/{ticket_id}/comments", {"body": f"Note {n}"})

    comments = await zendesk.comments_of_ticket(http, str(ticket_id))

    assert len(comments) == len(seed.comments[ticket_id]) + 100
    assert comments[-1].body == "Note 99"
    assert len(calls(control)) == 2


async def test_create_ticket_and_reply(
    http: JsonService, backbone: Backbone, seed: ZendeskState
) -> None:
    person = backbone.people[0]

    created = await zendesk.create_ticket(
        http,
        subject="Where is my invoice?",
        body="I cannot find the March invoice.",
        requester_id=str(person.zendesk_user_id),
        organization_id=ACME_ORG,
        priority="urgent",
        type="question",
        tags=["portal"],
    )
    replied = await zendesk.add_comment(
        http, created.id, body="Found it, thanks.", author_id=str(person.zendesk_user_id)
    )
    comments = await zendesk.comments_of_ticket(http, created.id)

    assert created.id == str(max(seed.tickets) + 1)
    assert (created.status, created.priority, created.requester_id, created.tags) == (
        "new",
        "urgent",
        str(person.zendesk_user_id),
        ("portal",),
    )
    assert replied.updated_at > created.updated_at
    assert [(c.body, c.public, c.author_id) for c in comments] == [
        ("I cannot find the March invoice.", True, str(person.zendesk_user_id)),
        ("Found it, thanks.", True, str(person.zendesk_user_id)),
    ]


async def test_invalid_create_is_rejected_with_422(http: JsonService) -> None:
    with pytest.raises(Rejected) as caught:
        await zendesk.create_ticket(
            http, subject="x", body="y", requester_id="1", priority="whenever"
        )

    assert caught.value.status == 422
    assert "RecordInvalid" in caught.value.detail


# Users, organizations, groups


async def test_users_by_id_aligned_in_two_batches(
    http: JsonService, backbone: Backbone, control: VendorControl
) -> None:
    people = backbone.people
    ids = [str(p.zendesk_user_id) for p in people] + [str(i) for i in range(1, 151 - len(people))]

    users = await zendesk.users_by_id(http, ids)

    assert users[: len(people)] == [
        User(str(p.zendesk_user_id), p.name, p.email, organization_id, "end-user")
        for p in people
        for organization_id in [str(backbone.company(p.company_ids[0]).zendesk_organization_id)]
    ]
    assert users[len(people) :] == [None] * (150 - len(people))
    assert sorted(c[3] or 0 for c in calls(control)) == [50, 100]


async def test_user_by_email(http: JsonService, backbone: Backbone) -> None:
    person = backbone.people[3]

    found = await zendesk.user_by_email(http, person.email.upper())
    missing = await zendesk.user_by_email(http, "nobody@nowhere.example")

    assert found is not None and found.id == str(person.zendesk_user_id)
    assert missing is None


async def test_organizations_by_id(http: JsonService, backbone: Backbone) -> None:
    acme, globex = backbone.companies[0], backbone.companies[3]
    ids = [str(globex.zendesk_organization_id), "42", str(acme.zendesk_organization_id)]

    organizations = await zendesk.organizations_by_id(http, ids)

    assert organizations == [
        Organization(ids[0], globex.name, (globex.domain,)),
        None,
        Organization(ids[2], acme.name, (acme.domain,)),
    ]


async def test_groups_by_id_is_one_list_call(http: JsonService, control: VendorControl) -> None:
    groups = await zendesk.groups_by_id(http, ["370000000002", "1", "370000000001"])

    assert groups == [
        Group("370000000002", "Technical Support"),
        None,
        Group("370000000001", "Billing"),
    ]
    assert [(c[0], c[1]) for c in calls(control)] == [("GET", "/api/v2/groups")]


# Errors


async def test_unknown_organization_is_not_found(http: JsonService) -> None:
    with pytest.raises(NotFound) as caught:
        await zendesk.tickets_of_organization(http, "999", page_size=10)

    assert caught.value.service == "zendesk"
    with pytest.raises(NotFound):
        await zendesk.comments_of_ticket(http, "../users")


async def test_bad_credentials_are_rejected_401(urls: dict[str, str]) -> None:
    session = open_session()
    try:
        http = zendesk.service(session, urls["zendesk"], "not an email", "")
        with pytest.raises(Rejected) as caught:
            await zendesk.tickets_by_id(http, ["1"])
    finally:
        await session.close()

    assert caught.value.status == 401
    assert "Couldn't authenticate you" in caught.value.detail


@pytest.mark.parametrize(
    ("knobs", "error"),
    [({"outage": True}, Unavailable), ({"rate_limit": 0, "rate_window_s": 30}, RateLimited)],
)
async def test_outage_and_rate_limit_map_to_upstream_errors(
    http: JsonService, control: VendorControl, knobs: dict[str, Any], error: type[Exception]
) -> None:
    control.set_knobs(**knobs)

    with pytest.raises(error) as caught:
        await zendesk.groups_by_id(http, ["1"])

    if isinstance(caught.value, RateLimited):
        assert caught.value.retry_after is not None and caught.value.retry_after >= 1
