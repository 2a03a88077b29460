"""Tenant isolation as a property: any active viewer, any id of any account's record, real or
forged, through every field and mutation that takes an id → data only of accounts the viewer
may see, and nothing of any other account anywhere in the response.

The table-driven suite (test_isolation.py) pins the exact answers for chosen cases; this one
lets hypothesis pick the combinations: viewers of every role and company (the consultant of
two companies and sub-accounts' members too), every record of every account, and forgeries
that pair one account with another's record. Expected visibility comes from the seed.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from config import Settings
from resolvers.request.ids import NODE_TYPES
from sandbox.accounts import Backbone, Person
from sandbox.control import SandboxControl
from sandbox.drive.seed import build_state as drive_seed
from sandbox.stripe.seed import build_state as stripe_seed
from sandbox.zendesk.seed import build_state as zendesk_seed
from tests.gateway.conftest import GatewayClient
from tests.gateway.test_isolation import (
    ACCOUNT,
    MUTATIONS,
    NODE,
    Seeds,
    global_id,
    upstream_writes,
)

Json = dict[str, Any]

# No such company: a claim to it must be refused like any other account's.
NO_ACCOUNT = "1999"

# The updateAccountDetails below, with no field to change: a user error that shows the
# account, and never a write, so allowed calls are safe to repeat across examples.
UPDATE_NOTHING = """mutation($account: ID!) {
  updateAccountDetails(input: {accountId: $account}) {
    account { id name domain subAccounts { id name } } userErrors { message } } }"""


@dataclass(frozen=True)
class Field:
    """A field that takes an id: its document, variable and the node type it accepts."""

    query: str
    variable: str
    type_name: str | None  # None: any node type (`node`)
    is_mutation: bool
    destructive: bool = False  # only refusals are drawn (see above)


# Team mutations. Allowed calls of the first three change nothing a later example checks (an
# invalid email writes nothing; a resent invitation or a reactivation changes no account's
# records); the others would (roles decide what a viewer sees, removal what an account
# owns), so for them only refusals are drawn.
INVITE_NOBODY = """mutation($account: ID!) { inviteMember(input: {accountId: $account,
  email: "not-an-email", firstName: "A", lastName: "B", role: USER}) {
    member { id email } userErrors { message } } }"""
TEAM_MUTATION = """mutation($member: ID!) {{ {name}(memberId: $member{more}) {{
  member {{ id email name role status }} userErrors {{ message }} }} }}"""


def team_field(name: str, *, destructive: bool, more: str = "") -> Field:
    query = TEAM_MUTATION.format(name=name, more=more)
    return Field(query, "member", "TeamMember", True, destructive)


FIELDS = {
    "node": Field(NODE, "id", None, False),
    "account": Field(ACCOUNT, "id", "Account", False),
    # Allowed calls of these add a comment, a ticket or a token: nothing a later example
    # checks, so they run for visible accounts too.
    "addTicketComment": Field(MUTATIONS["addTicketComment"][0], "ticket", "Ticket", True),
    "createTicket": Field(MUTATIONS["createTicket"][0], "account", "Account", True),
    "createApiToken": Field(MUTATIONS["createApiToken"][0], "account", "Account", True),
    "revokeApiToken": Field(MUTATIONS["revokeApiToken"][0], "account", "Account", True),
    "updateAccountDetails": Field(UPDATE_NOTHING, "account", "Account", True),
    "inviteMember": Field(INVITE_NOBODY, "account", "Account", True),
    "resendInvitation": team_field("resendInvitation", destructive=False),
    "reactivateMember": team_field("reactivateMember", destructive=False),
    "revokeInvitation": team_field("revokeInvitation", destructive=True),
    "changeMemberRole": team_field("changeMemberRole", destructive=True, more=", role: ADMIN"),
    "deactivateMember": team_field("deactivateMember", destructive=True),
    "removeMember": team_field("removeMember", destructive=True),
}


@dataclass(frozen=True)
class Record:
    """One upstream record as a global id names it, and the accounts it belongs to (the
    consultant is a team member of two; a trashed or internal Drive file of none)."""

    type_name: str
    upstream_id: str
    owners: frozenset[str]


@dataclass(frozen=True, repr=False)
class Case:
    viewer: Person
    field: str
    record: Record
    claimed: str  # the account the id names: an owner, or a forgery

    @property
    def asked(self) -> str:
        return global_id(self.record.type_name, self.claimed, self.record.upstream_id)

    def __repr__(self) -> str:
        v, r = self.viewer, self.record
        return (
            f"Case({v.email} {v.role} of {','.join(v.company_ids)}: {self.field} of"
            f" {r.type_name}:{self.claimed}:{r.upstream_id}, owned by {sorted(r.owners)})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        terse(self, printer)


def terse(value: object, printer: Any) -> None:
    """Hypothesis pretty-prints a failing example's arguments field by field, ignoring
    `__repr__`; the gateway and the seeds run to megabytes, which warns (an error under
    filterwarnings=error) in mid-replay and turns the real failure into a confusing
    FlakyStrategyDefinition. `_repr_pretty_` is its hook to print an object its own way."""
    printer.text(repr(value))


def records(seeds: Seeds) -> list[Record]:
    """Every record of every account after a reset, and the Drive files and folders of none
    (trashed, internal, the account folders themselves)."""
    found: dict[tuple[str, str], set[str]] = {}
    for company in seeds.backbone.companies:
        number = company.hubspot_id
        invoices = seeds.invoices(number)
        ids = {
            "Account": [number],
            "TeamMember": [p.contact_id for p in seeds.backbone.people_of(number)],
            "Invoice": [i["id"] for i in invoices],
            "Document": [f"drive-{f.id}" for f in seeds.files(number)]
            + [f"invoice-{i['id']}" for i in invoices if i["invoice_pdf"]],
            "Ticket": [str(t["id"]) for t in seeds.tickets(number)],
            "Subscription": [seeds.subscription(number)["id"]],
        }
        for type_name, upstream_ids in ids.items():
            for upstream_id in upstream_ids:
                found.setdefault((type_name, upstream_id), set()).add(number)
    for file in seeds.drive.files.values():
        found.setdefault(("Document", f"drive-{file.id}"), set())
    return [Record(t, u, frozenset(owners)) for (t, u), owners in sorted(found.items())]


def visible(backbone: Backbone, viewer: Person, number: str) -> bool:
    """Own companies; for an ADMIN also their sub-accounts (the rule, restated from the seed)."""
    if number in viewer.company_ids:
        return True
    parent = next((c.parent_id for c in backbone.companies if c.hubspot_id == number), None)
    return viewer.role == "ADMIN" and parent in viewer.company_ids


@dataclass(frozen=True)
class World:
    """The seed as the property needs it, computed once per module."""

    seeds: Seeds
    numbers: list[str]
    secrets: dict[str, set[str]]
    ownerless_names: set[str]  # names of the files no account shows
    cases: st.SearchStrategy[Case]


@pytest.fixture(scope="module")
def world(backbone: Backbone) -> World:
    seeds = Seeds(backbone, stripe_seed(backbone), zendesk_seed(backbone), drive_seed(backbone))
    numbers = [c.hubspot_id for c in backbone.companies]
    all_records = records(seeds)
    ownerless = {r.upstream_id.removeprefix("drive-") for r in all_records if not r.owners}
    return World(
        seeds,
        numbers,
        {n: seeds.secrets(n) for n in numbers},
        {f.name for f in seeds.drive.files.values() if f.id in ownerless and not f.is_folder},
        cases(backbone, all_records),
    )


def cases(backbone: Backbone, all_records: list[Record]) -> st.SearchStrategy[Case]:
    """Half the draws stay near the viewer (its accounts' records, forgeries naming its own
    accounts), so allowed answers are checked about as often as refusals."""
    viewers = [p for p in backbone.people if p.status == "ACTIVE"]
    accounts = [c.hubspot_id for c in backbone.companies] + [NO_ACCOUNT]

    @st.composite
    def case(draw: st.DrawFn) -> Case:
        viewer = draw(st.sampled_from(viewers))
        sees = [n for n in accounts if visible(backbone, viewer, n)]
        field = draw(st.sampled_from(sorted(FIELDS)))
        type_name = FIELDS[field].type_name
        pool = [r for r in all_records if type_name in (None, r.type_name)]
        near = [r for r in pool if r.owners & set(sees)]
        nearby = bool(near) and draw(st.booleans())
        record = draw(st.sampled_from(near if nearby else pool))
        # The record's own account; or a forgery naming one the viewer sees, or any.
        claims = [sorted(record.owners) or sees, sees, accounts]
        return Case(viewer, field, record, draw(st.sampled_from(draw(st.sampled_from(claims)))))

    return case()


def ids_in(value: Any) -> Iterator[str]:
    """Every `id` string anywhere in a response's data."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "id" and isinstance(item, str):
                yield item
            else:
                yield from ids_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from ids_in(item)


def account_of(gid: str) -> str | None:
    """The account a global id names; None for ids of other kinds (API tokens, comments)."""
    try:
        raw = base64.urlsafe_b64decode(gid + "=" * (-len(gid) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    parts = raw.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] in NODE_TYPES else None


def codes(body: Json) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


@dataclass(frozen=True, repr=False)
class Portal:
    """The test's one fixture, printed tersely (see `terse`)."""

    client: GatewayClient
    sandbox: SandboxControl
    world: World

    def __repr__(self) -> str:
        return "Portal()"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        terse(self, printer)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The conftest's, with rate limits above the examples' count: one viewer and one
    address send them all, and the limiter has tests of its own."""
    return replace(settings, rate_limit_per_viewer=100_000, rate_limit_per_ip=100_000)


@pytest.fixture
def portal(client: GatewayClient, sandbox: SandboxControl, world: World) -> Portal:
    return Portal(client, sandbox, world)


# derandomize: CI runs the same examples every time, so a failure reproduces from its log
# alone and the run time stays put; database=None: nothing is written into the tree.
# The function-scoped fixtures (one sandbox reset, one gateway) are shared by all examples
# on purpose, hence the health check off: each example clears the request log itself, and
# the only writes it allows (a comment, a ticket, an API token of a visible account) change
# nothing a later example asserts on, so examples do not depend on each other.
@examples(
    max_examples=1500,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
async def test_no_viewer_ever_gets_data_of_an_account_it_may_not_see(
    portal: Portal, data: st.DataObject
) -> None:
    client, sandbox, world = portal.client, portal.sandbox, portal.world
    case = data.draw(world.cases, label="case")
    field = FIELDS[case.field]
    sees = {n for n in world.numbers if visible(client.backbone, case.viewer, n)}
    allowed = case.claimed in case.record.owners and case.claimed in sees
    # A destructive team mutation runs only where it is refused (or by a non-ADMIN: FORBIDDEN).
    assume(not (field.destructive and allowed and case.viewer.role == "ADMIN"))
    # Shown by --hypothesis-show-statistics: how the examples spread over fields and answers.
    event(f"{case.field}: {'allowed' if allowed else 'refused'}")
    sandbox.clear_requests()

    body = await client.query(field.query, {field.variable: case.asked}, as_=case.viewer)
    if not field.is_mutation:
        # Twice: the second answer may come from the response cache, shared with viewers
        # who see the same accounts: it must be the very same answer.
        again = await client.query(field.query, {field.variable: case.asked}, as_=case.viewer)
        assert again == body, (body, again)

    # Secrets of accounts the viewer may not see (less those shared with one it may, like
    # the consultant's email), and the asked id aside, as errors echo it.
    text = json.dumps(body, ensure_ascii=False).replace(case.asked, "")
    shared = set().union(*(world.secrets[n] for n in sees))
    hidden = set().union(*(world.secrets[n] for n in world.numbers if n not in sees)) - shared
    assert {s for s in hidden | world.ownerless_names if s in text} == set(), body
    shown = {account_of(gid) for gid in ids_in(body.get("data"))} - {None}
    assert shown <= sees, body
    if not allowed:
        assert body.get("data") is None, body
        refusals = {"NOT_FOUND", "FORBIDDEN"} if field.is_mutation else {"NOT_FOUND"}
        assert codes(body) and set(codes(body)) <= refusals, body
        assert upstream_writes(sandbox) == [], body
    elif not field.is_mutation:
        assert "errors" not in body, body
        assert body["data"][case.field]["id"] == case.asked, body
