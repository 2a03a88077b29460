"""Tenant isolation: a viewer reaches its own accounts' records and nothing else.

Another account's ids, and forged ids that pair the viewer's account with another's record,
are NOT_FOUND (never FORBIDDEN), and nothing of that account appears anywhere in the
response. Expected data comes from the sandbox seeds, not from the gateway.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from sandbox.accounts import Backbone, Person
from sandbox.control import SandboxControl
from sandbox.drive.files import StoredFile
from sandbox.drive.seed import INTERNAL_FILE_NAME
from sandbox.drive.seed import build_state as drive_seed
from sandbox.drive.state import DriveState
from sandbox.stripe.seed import build_state as stripe_seed
from sandbox.stripe.state import StripeState
from sandbox.zendesk.seed import build_state as zendesk_seed
from sandbox.zendesk.state import ZendeskState
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import (
    ACME,
    ACME_ASIA,
    ACME_EUROPE,
    GLOBEX,
    INITECH,
    UMBRELLA,
    company,
    member,
)

Json = dict[str, Any]

ROLES = ("ADMIN", "USER", "READ_ONLY")
CONSULTANT = "morgan.reyes@consultants.example"
PRIVATE_NOTE = "INTERNAL:"
# Every node type, Document twice: a Drive file and a Stripe invoice PDF.
KINDS = (
    "Account", "TeamMember", "Invoice", "Document:drive", "Document:invoice", "Ticket",
    "Subscription",
)  # fmt: skip

# Fields of each node type that would show another account's data, were it leaked.
NODE_FIELDS = """
fragment Fields on Node {
  id
  ... on Account { name domain team(first: 100) { nodes { id name email } } }
  ... on TeamMember { memberName: name email }
  ... on Invoice { number pdfUrl: downloadUrl total { amount currency } }
  ... on Document { documentName: name type downloadUrl }
  ... on Ticket { subject requester { name email } comments { body } }
  ... on Subscription { plan status }
}
"""
NODE = "query Node($id: ID!) { node(id: $id) { ...Fields } }" + NODE_FIELDS

ACCOUNT = """
query Account($id: ID!) {
  account(id: $id) {
    id name domain
    parent { id name }
    subAccounts { id name }
    team(first: 100) { nodes { id name email } }
    invoices(first: 100) { nodes { id number } }
    documents(first: 100) { nodes { id name } }
    tickets(first: 100) { nodes { id number subject } }
    subscription { id plan }
  }
}
"""

ACCOUNTS = """
query Accounts {
  viewer {
    account { id name parent { id name } subAccounts { id name } }
    accounts { id name parent { id name } subAccounts { id name } }
  }
}
"""

LISTS = """
query Lists {
  viewer {
    accounts {
      id
      team(first: 100) { nodes { email } }
      invoices(first: 100) { nodes { number } }
      tickets(first: 100) { nodes { number } }
      documents(first: 100) { nodes { name } }
    }
  }
}
"""

# Mutations that name an account or a record, each with the variables to name another's.
MUTATIONS = {
    "addTicketComment": (
        """mutation($ticket: ID!) { addTicketComment(input: {ticketId: $ticket, body: "Hi"}) {
          ticket { id subject } userErrors { message } } }""",
        "Ticket",
    ),
    "createTicket": (
        """mutation($account: ID!) { createTicket(input: {accountId: $account, subject: "S",
          description: "D", category: BILLING}) { ticket { id } userErrors { message } } }""",
        "Account",
    ),
    "updateAccountDetails": (
        """mutation($account: ID!) {
          updateAccountDetails(input: {accountId: $account, name: "Taken over"}) {
            userErrors { message } } }""",
        "Account",
    ),
    "createApiToken": (
        """mutation($account: ID!) { createApiToken(name: "BI", accountId: $account) {
          __typename } }""",
        "Account",
    ),
    "revokeApiToken": (
        """mutation($account: ID!) { revokeApiToken(id: "dG9rZW4", accountId: $account) {
          __typename } }""",
        "Account",
    ),
}
READ_POSTS = ("/batch/read", "/search")  # HubSpot reads that are POSTs

TICKET_COMMENTS = """
query Comments {
  viewer {
    accounts { id tickets(first: 100) { nodes { number comments { body } } } }
  }
}
"""


def nodes_query(aliases: Iterable[str]) -> str:
    """`node` once per alias, each with the id in the variable of the same name."""
    names = list(aliases)
    variables = ", ".join(f"${a}: ID!" for a in names)
    fields = " ".join(f"{a}: node(id: ${a}) {{ ...Fields }}" for a in names)
    return f"query Nodes({variables}) {{ {fields} }}" + NODE_FIELDS


def alias(kind: str) -> str:
    return kind.replace(":", "_")


def type_of(kind: str) -> str:
    return kind.partition(":")[0]


def global_id(type_name: str, account_id: str, upstream_id: str) -> str:
    """The id's wire format, written out here so that a change to it fails these tests."""
    raw = f"{type_name}:{account_id}:{upstream_id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class Seeds:
    """What the sandbox serves after a reset, read from its seed modules."""

    backbone: Backbone
    stripe: StripeState
    zendesk: ZendeskState
    drive: DriveState

    def invoices(self, number: str) -> list[Json]:
        customer = company(self.backbone, number).stripe_customer_id
        return [i for i in self.stripe.invoices.values() if i["customer"] == customer]

    def subscription(self, number: str) -> Json:
        customer = company(self.backbone, number).stripe_customer_id
        return next(s for s in self.stripe.subscriptions.values() if s["customer"] == customer)

    def tickets(self, number: str) -> list[Json]:
        organization = company(self.backbone, number).zendesk_organization_id
        return [t for t in self.zendesk.tickets.values() if t["organization_id"] == organization]

    def private_notes(self, ticket: Json) -> list[str]:
        return [c["body"] for c in self.zendesk.comments[ticket["id"]] if not c["public"]]

    def public_comments(self, ticket: Json) -> list[str]:
        return [c["body"] for c in self.zendesk.comments[ticket["id"]] if c["public"]]

    def files(self, number: str) -> list[StoredFile]:
        folder = company(self.backbone, number).drive_folder_id
        return [f for f in self.drive.children(folder) if not f.trashed]

    def record(self, number: str, kind: str) -> tuple[str, str]:
        """(type name, upstream id) of one record of that kind of the account."""
        invoice = next(i for i in self.invoices(number) if i["invoice_pdf"])
        upstream = {
            "Account": number,
            "TeamMember": member(self.backbone, number, "ADMIN").contact_id,
            "Invoice": invoice["id"],
            "Document:drive": f"drive-{self.files(number)[0].id}",
            "Document:invoice": f"invoice-{invoice['id']}",
            "Ticket": str(next(t for t in self.tickets(number) if self.private_notes(t))["id"]),
            "Subscription": self.subscription(number)["id"],
        }[kind]
        return type_of(kind), upstream

    def id_of(self, number: str, kind: str) -> str:
        type_name, upstream_id = self.record(number, kind)
        return global_id(type_name, number, upstream_id)

    def secrets(self, number: str) -> set[str]:
        """Strings that only a viewer of the account may see: names, emails, upstream ids."""
        c = company(self.backbone, number)
        people = self.backbone.people_of(number)
        return {
            c.name, c.domain, c.stripe_customer_id, c.drive_folder_id,
            str(c.zendesk_organization_id),
            *(p.email for p in people), *(p.name for p in people),
            *(i["id"] for i in self.invoices(number)),
            *(i["number"] for i in self.invoices(number) if i["number"]),
            *(t["subject"] for t in self.tickets(number)),
            *(f.id for f in self.files(number)), *(f.name for f in self.files(number)),
            self.subscription(number)["id"],
            *(self.id_of(number, kind) for kind in KINDS),
        }  # fmt: skip

    def leaked(
        self, body: Json, hidden: list[str], visible: list[str], asked: Iterable[str] = ()
    ) -> set[str]:
        """The secrets of `hidden` accounts (less any the `visible` ones share) in the body;
        the ids the client asked for are echoed in errors, so they do not count."""
        text = json.dumps(body, ensure_ascii=False)
        for gid in asked:
            text = text.replace(gid, "")
        shared = set().union(*(self.secrets(a) for a in visible))
        secrets = set().union(*(self.secrets(a) for a in hidden)) - shared
        return {s for s in secrets if s in text}


@pytest.fixture(scope="module")
def seeds(backbone: Backbone) -> Seeds:
    return Seeds(backbone, stripe_seed(backbone), zendesk_seed(backbone), drive_seed(backbone))


def consultant(backbone: Backbone) -> Person:
    return backbone.person_by_email(CONSULTANT)


def account_gid(number: str) -> str:
    return global_id("Account", number, number)


def assert_not_found(body: Json, type_name: str, asked: str, field: str = "node") -> None:
    """The whole body: no data, one NOT_FOUND error that echoes the id asked, nothing more."""
    errors = [{k: v for k, v in e.items() if k != "locations"} for e in body.get("errors", [])]
    assert body.get("data") is None, body
    assert errors == [
        {
            "message": f"No {type_name} with id '{asked}'.",
            "path": [field],
            "extensions": {"code": "NOT_FOUND"},
        }
    ]


def upstream_writes(sandbox: SandboxControl) -> list[str]:
    return [
        f"{vendor} {call.method} {call.path}"
        for vendor in ("hubspot", "stripe", "zendesk", "drive")
        for call in sandbox[vendor].requests()
        if call.method in ("PUT", "PATCH", "DELETE")
        or (call.method == "POST" and not call.path.endswith(READ_POSTS))
    ]


def ids_of(accounts: list[Json]) -> list[str]:
    return [a["id"] for a in accounts]


async def test_each_id_resolves_for_a_member_of_its_account(
    client: GatewayClient, seeds: Seeds
) -> None:
    # The ids the other tests refuse are real: their own account's members get them.
    asked = {alias(kind): seeds.id_of(GLOBEX, kind) for kind in KINDS}

    body = await client.query(
        nodes_query(asked), asked, as_=member(client.backbone, GLOBEX, "USER")
    )

    assert "errors" not in body
    assert {a: node["id"] for a, node in body["data"].items()} == asked


@pytest.mark.parametrize("role", ROLES)
async def test_node_with_another_accounts_ids_is_not_found_and_shows_nothing_of_it(
    client: GatewayClient, seeds: Seeds, role: str
) -> None:
    # Acme Holdings is a parent company: even its ADMIN, who sees sub-accounts, is a stranger.
    viewer = member(client.backbone, ACME, role)
    for kind in KINDS:
        asked = seeds.id_of(GLOBEX, kind)

        body = await client.query(NODE, {"id": asked}, as_=viewer)

        assert_not_found(body, type_of(kind), asked)
        assert seeds.leaked(body, [GLOBEX], [], [asked]) == set()


@pytest.mark.parametrize("role", ROLES)
async def test_account_with_another_accounts_id_is_not_found_and_shows_nothing_of_it(
    client: GatewayClient, seeds: Seeds, role: str
) -> None:
    viewer = member(client.backbone, ACME, role)
    for other in (GLOBEX, INITECH, UMBRELLA):
        asked = account_gid(other)

        body = await client.query(ACCOUNT, {"id": asked}, as_=viewer)

        assert_not_found(body, "Account", asked, "account")
        assert seeds.leaked(body, [other], [], [asked]) == set()


async def test_a_forged_id_pairing_the_viewers_account_with_anothers_record_is_not_found(
    client: GatewayClient, seeds: Seeds
) -> None:
    viewer = member(client.backbone, GLOBEX, "ADMIN")
    for kind in KINDS:
        type_name, upstream_id = seeds.record(INITECH, kind)
        forged = global_id(type_name, GLOBEX, upstream_id)

        body = await client.query(NODE, {"id": forged}, as_=viewer)

        assert_not_found(body, type_name, forged)
        assert seeds.leaked(body, [INITECH], [GLOBEX], [forged]) == set()


async def test_account_with_a_forged_account_id_is_not_found(
    client: GatewayClient, seeds: Seeds
) -> None:
    forged = global_id("Account", GLOBEX, INITECH)

    body = await client.query(ACCOUNT, {"id": forged}, as_=member(client.backbone, GLOBEX, "ADMIN"))

    assert_not_found(body, "Account", forged, "account")


async def test_a_sub_accounts_records_are_found_under_its_own_account_id_only(
    client: GatewayClient, seeds: Seeds
) -> None:
    records = {alias(kind): seeds.record(ACME_EUROPE, kind) for kind in KINDS}
    own = {a: global_id(t, ACME_EUROPE, upstream) for a, (t, upstream) in records.items()}
    parent_admin = member(client.backbone, ACME, "ADMIN")

    found = await client.query(nodes_query(own), own, as_=parent_admin)

    assert "errors" not in found
    assert {a: node["id"] for a, node in found["data"].items()} == own
    for type_name, upstream_id in records.values():
        under_parent = global_id(type_name, ACME, upstream_id)
        refused = await client.query(NODE, {"id": under_parent}, as_=parent_admin)
        assert_not_found(refused, type_name, under_parent)


@pytest.mark.parametrize(
    "file_name", [INTERNAL_FILE_NAME, "Acme Holdings — Draft MSA (superseded).pdf"]
)
async def test_drive_files_outside_the_accounts_folder_or_trashed_are_not_found(
    client: GatewayClient, seeds: Seeds, file_name: str
) -> None:
    # The company's internal folder and the trash of Acme's own folder.
    file = next(f for f in seeds.drive.files.values() if f.name == file_name)
    asked = global_id("Document", ACME, f"drive-{file.id}")

    body = await client.query(NODE, {"id": asked}, as_=member(client.backbone, ACME, "ADMIN"))

    assert_not_found(body, "Document", asked)
    assert file_name not in json.dumps(body, ensure_ascii=False)


@pytest.mark.parametrize("role", ROLES)
async def test_a_sub_accounts_member_does_not_see_the_parent_or_siblings(
    client: GatewayClient, seeds: Seeds, role: str
) -> None:
    viewer = member(client.backbone, ACME_EUROPE, role)
    europe: Json = {"id": account_gid(ACME_EUROPE), "name": "Acme Europe", "parent": None,
              "subAccounts": []}  # fmt: skip

    accounts = await client.query(ACCOUNTS, as_=viewer)
    parent = await client.query(ACCOUNT, {"id": account_gid(ACME)}, as_=viewer)
    sibling = await client.query(ACCOUNT, {"id": account_gid(ACME_ASIA)}, as_=viewer)

    assert accounts == {"data": {"viewer": {"account": europe, "accounts": [europe]}}}
    assert_not_found(parent, "Account", account_gid(ACME), "account")
    assert_not_found(sibling, "Account", account_gid(ACME_ASIA), "account")
    assert seeds.leaked(accounts, [ACME, ACME_ASIA], [ACME_EUROPE]) == set()


async def test_the_parents_admin_sees_the_sub_accounts_and_their_records(
    client: GatewayClient, seeds: Seeds
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    subs = [{"id": account_gid(ACME_EUROPE), "name": "Acme Europe"},
            {"id": account_gid(ACME_ASIA), "name": "Acme Asia"}]  # fmt: skip

    accounts = await client.query(ACCOUNTS, as_=admin)
    europe = await client.query(ACCOUNT, {"id": account_gid(ACME_EUROPE)}, as_=admin)

    assert "errors" not in accounts
    viewer = accounts["data"]["viewer"]
    assert ids_of(viewer["accounts"]) == [account_gid(a) for a in (ACME, ACME_EUROPE, ACME_ASIA)]
    assert viewer["account"]["subAccounts"] == subs
    assert "errors" not in europe
    account = europe["data"]["account"]
    assert account["parent"] == {"id": account_gid(ACME), "name": "Acme Holdings"}
    assert {i["number"] for i in account["invoices"]["nodes"]} == {
        i["number"] for i in seeds.invoices(ACME_EUROPE)
    }
    assert {t["number"] for t in account["tickets"]["nodes"]} == {
        t["id"] for t in seeds.tickets(ACME_EUROPE)
    }
    assert {m["email"] for m in account["team"]["nodes"]} == {
        p.email for p in client.backbone.people_of(ACME_EUROPE)
    }


@pytest.mark.parametrize("role", ["USER", "READ_ONLY"])
async def test_the_parents_other_members_do_not_see_the_sub_accounts(
    client: GatewayClient, seeds: Seeds, role: str
) -> None:
    viewer = member(client.backbone, ACME, role)
    acme: Json = {
        "id": account_gid(ACME),
        "name": "Acme Holdings",
        "parent": None,
        "subAccounts": [],
    }
    sub_invoice = seeds.id_of(ACME_EUROPE, "Invoice")

    accounts = await client.query(ACCOUNTS, as_=viewer)
    europe = await client.query(ACCOUNT, {"id": account_gid(ACME_EUROPE)}, as_=viewer)
    invoice = await client.query(NODE, {"id": sub_invoice}, as_=viewer)

    assert accounts == {"data": {"viewer": {"account": acme, "accounts": [acme]}}}
    assert_not_found(europe, "Account", account_gid(ACME_EUROPE), "account")
    assert_not_found(invoice, "Invoice", sub_invoice)
    assert seeds.leaked(accounts, [ACME_EUROPE, ACME_ASIA], [ACME]) == set()


async def test_the_consultant_sees_both_of_their_companies_and_nothing_else(
    client: GatewayClient, seeds: Seeds
) -> None:
    morgan = consultant(client.backbone)
    own, others = (INITECH, UMBRELLA), (ACME, ACME_EUROPE, ACME_ASIA, GLOBEX)

    accounts = await client.query(ACCOUNTS, as_=morgan)
    found = [await client.query(ACCOUNT, {"id": account_gid(a)}, as_=morgan) for a in own]
    refused = [await client.query(ACCOUNT, {"id": account_gid(a)}, as_=morgan) for a in others]

    assert "errors" not in accounts
    assert ids_of(accounts["data"]["viewer"]["accounts"]) == [account_gid(a) for a in own]
    for body, number in zip(found, own, strict=True):
        assert "errors" not in body
        assert body["data"]["account"]["name"] == company(client.backbone, number).name
        assert CONSULTANT in [m["email"] for m in body["data"]["account"]["team"]["nodes"]]
    for body, number in zip(refused, others, strict=True):
        assert_not_found(body, "Account", account_gid(number), "account")
    for body in (accounts, *found):
        assert seeds.leaked(body, list(others), list(own)) == set()


async def test_the_consultant_is_a_team_member_of_each_company_under_its_own_id(
    client: GatewayClient, seeds: Seeds
) -> None:
    morgan = consultant(client.backbone)
    stranger = member(client.backbone, GLOBEX, "ADMIN")

    for number in (INITECH, UMBRELLA):
        asked = global_id("TeamMember", number, morgan.contact_id)
        body = await client.query(NODE, {"id": asked}, as_=morgan)
        refused = await client.query(NODE, {"id": asked}, as_=stranger)

        assert body == {
            "data": {"node": {"id": asked, "memberName": morgan.name, "email": CONSULTANT}}
        }
        assert_not_found(refused, "TeamMember", asked)


async def test_every_list_holds_only_its_own_accounts_records(
    client: GatewayClient, seeds: Seeds
) -> None:
    body = await client.query(LISTS, as_=member(client.backbone, ACME, "ADMIN"))

    assert "errors" not in body
    accounts = body["data"]["viewer"]["accounts"]
    assert ids_of(accounts) == [account_gid(a) for a in (ACME, ACME_EUROPE, ACME_ASIA)]
    for number, account in zip((ACME, ACME_EUROPE, ACME_ASIA), accounts, strict=True):
        file_names = {f.name for f in seeds.files(number)}
        invoice_names = {
            f"Invoice {i['number']}.pdf" for i in seeds.invoices(number) if i["invoice_pdf"]
        }
        assert {m["email"] for m in account["team"]["nodes"]} == {
            p.email for p in client.backbone.people_of(number)
        }
        assert {i["number"] for i in account["invoices"]["nodes"]} == {
            i["number"] for i in seeds.invoices(number)
        }
        assert {t["number"] for t in account["tickets"]["nodes"]} == {
            t["id"] for t in seeds.tickets(number)
        }
        names = [d["name"] for d in account["documents"]["nodes"]]
        assert len(names) == min(100, len(file_names) + len(invoice_names))
        assert set(names) <= file_names | invoice_names


@pytest.mark.parametrize(
    "numbers",
    [(ACME, ACME_EUROPE, ACME_ASIA), (GLOBEX,), (INITECH, UMBRELLA)],
    ids=["acme-group", "globex", "consultant"],
)
async def test_private_comments_never_appear_in_any_tickets_comments(
    client: GatewayClient, seeds: Seeds, numbers: tuple[str, ...]
) -> None:
    # Between them, these three viewers see every account, so every seeded ticket.
    viewer = (
        consultant(client.backbone) if numbers == (INITECH, UMBRELLA)
        else member(client.backbone, numbers[0], "ADMIN")
    )  # fmt: skip
    tickets = [t for number in numbers for t in seeds.tickets(number)]
    assert sum(len(seeds.private_notes(t)) for t in tickets) >= 10  # the check has teeth

    body = await client.query(TICKET_COMMENTS, as_=viewer)

    assert "errors" not in body
    assert PRIVATE_NOTE not in json.dumps(body, ensure_ascii=False)
    shown = {
        t["number"]: [c["body"] for c in t["comments"]]
        for account in body["data"]["viewer"]["accounts"]
        for t in account["tickets"]["nodes"]
    }
    assert shown == {t["id"]: seeds.public_comments(t) for t in tickets}


async def test_a_ticket_fetched_by_id_shows_no_private_comments(
    client: GatewayClient, seeds: Seeds
) -> None:
    tickets = [t for t in seeds.tickets(GLOBEX) if seeds.private_notes(t)][:20]
    aliases = "\n".join(
        f't{t["id"]}: node(id: "{global_id("Ticket", GLOBEX, str(t["id"]))}") '
        "{ ... on Ticket { comments { body } } }"
        for t in tickets
    )

    body = await client.query(f"{{ {aliases} }}", as_=member(client.backbone, GLOBEX, "USER"))

    assert "errors" not in body
    assert PRIVATE_NOTE not in json.dumps(body, ensure_ascii=False)
    assert body["data"] == {
        f"t{t['id']}": {"comments": [{"body": b} for b in seeds.public_comments(t)]}
        for t in tickets
    }


@pytest.mark.parametrize(
    ("mutation", "forged"),
    [
        pytest.param(m, forged, id=f"{m}-{'forged' if forged else 'own'}-id")
        for m in MUTATIONS
        for forged in (False, True)
    ],
)  # fmt: skip
async def test_a_mutation_naming_another_accounts_record_is_not_found_and_writes_nothing(
    client: GatewayClient, seeds: Seeds, sandbox: SandboxControl, mutation: str, forged: bool
) -> None:
    query, kind = MUTATIONS[mutation]
    type_name, upstream_id = seeds.record(INITECH, kind)
    asked = global_id(type_name, GLOBEX if forged else INITECH, upstream_id)
    variables = {"ticket": asked} if kind == "Ticket" else {"account": asked}

    body = await client.query(query, variables, as_=member(client.backbone, GLOBEX, "ADMIN"))

    assert_not_found(body, type_name, asked, mutation)
    assert upstream_writes(sandbox) == []


async def test_a_permitted_mutation_is_seen_writing_upstream(
    client: GatewayClient, seeds: Seeds, sandbox: SandboxControl
) -> None:
    # The control for the test above: its write detector sees a real write.
    query, _ = MUTATIONS["addTicketComment"]
    ticket = next(t for t in seeds.tickets(GLOBEX) if t["status"] == "open")
    asked = global_id("Ticket", GLOBEX, str(ticket["id"]))

    body = await client.query(query, {"ticket": asked}, as_=member(client.backbone, GLOBEX, "USER"))

    assert "errors" not in body
    assert upstream_writes(sandbox) != []
