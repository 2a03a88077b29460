"""The dashboard query: exactly the seeded data, at a fixed number of upstream calls."""

from __future__ import annotations

from collections import Counter

from sandbox.control import SandboxControl
from sandbox.drive.seed import build_state as drive_seed
from sandbox.zendesk.seed import build_state as zendesk_seed
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, company, member
from tests.gateway.queries import DASHBOARD

OPEN_STATUSES = ("new", "open", "pending", "hold")


async def test_the_dashboard_shows_the_viewers_account_as_seeded(client: GatewayClient) -> None:
    backbone = client.backbone
    admin = member(backbone, ACME, "ADMIN")
    acme = company(backbone, ACME)

    body = await client.query(DASHBOARD, as_=admin)

    assert "errors" not in body
    viewer = body["data"]["viewer"]
    assert viewer["member"] == {
        "id": viewer["member"]["id"],
        "name": admin.name,
        "email": admin.email,
        "role": "ADMIN",
        "status": "ACTIVE",
    }
    account = viewer["account"]
    assert account["name"] == acme.name
    assert account["domain"] == acme.domain
    assert account["tier"] == acme.tier
    assert account["billingAddress"] == {
        "street": acme.address.street,
        "city": acme.address.city,
        "postalCode": acme.address.postal_code,
        "state": acme.address.state,
        "country": acme.address.country,
    }
    owner = next(o for o in backbone.owners if o.id == acme.owner_id)
    assert account["accountManager"] == {
        "name": f"{owner.first_name} {owner.last_name}",
        "email": owner.email,
    }
    team = account["team"]
    assert team["totalCount"] == len(backbone.people_of(ACME))
    assert [m["email"] for m in team["nodes"]] == [p.email for p in backbone.people_of(ACME)]
    assert Counter(m["role"] for m in team["nodes"]) == Counter(
        p.role for p in backbone.people_of(ACME)
    )


async def test_tickets_are_the_organizations_open_ones_newest_first_with_names(
    client: GatewayClient,
) -> None:
    backbone = client.backbone
    acme = company(backbone, ACME)
    seed = zendesk_seed(backbone)
    expected = sorted(
        (t for t in seed.tickets.values()
         if t["organization_id"] == acme.zendesk_organization_id
         and t["status"] in OPEN_STATUSES),
        key=lambda t: (t["updated_at"], t["id"]),
        reverse=True,
    )  # fmt: skip

    body = await client.query(DASHBOARD, as_=member(backbone, ACME, "USER"))

    tickets = body["data"]["viewer"]["account"]["tickets"]
    assert tickets["totalCount"] == len(expected)
    assert [t["number"] for t in tickets["nodes"]] == [t["id"] for t in expected[:10]]
    first, seeded = tickets["nodes"][0], expected[0]
    assert first["subject"] == seeded["subject"]
    assert first["requester"]["name"] == seed.users[seeded["requester_id"]]["name"]
    assert first["group"] == seed.groups[seeded["group_id"]]["name"]


async def test_documents_merge_drive_files_and_invoice_pdfs_newest_first(
    client: GatewayClient,
) -> None:
    backbone = client.backbone
    acme = company(backbone, ACME)
    drive = drive_seed(backbone)
    files = [f for f in drive.children(acme.drive_folder_id) if not f.trashed]

    body = await client.query(DASHBOARD, as_=member(backbone, ACME, "READ_ONLY"))

    documents = body["data"]["viewer"]["account"]["documents"]["nodes"]
    invoices = body["data"]["viewer"]["account"]["invoices"]["nodes"]
    assert len(documents) == 10
    created = [d["createdAt"] for d in documents]
    assert created == sorted(created, reverse=True)
    drive_names = {f.name for f in files}
    invoice_names = {f"Invoice {i['number']}.pdf" for i in invoices}
    assert all(d["name"] in drive_names | invoice_names for d in documents)
    newest_file = max(files, key=lambda f: f.created_time)
    assert newest_file.name in [d["name"] for d in documents]


async def test_the_dashboard_makes_a_fixed_number_of_upstream_calls_then_none(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")

    await client.query(DASHBOARD, as_=admin)
    cold = sandbox.call_counts()
    sandbox.clear_requests()
    await client.query(DASHBOARD, as_=admin)
    warm = sandbox.call_counts()

    assert cold == DASHBOARD_CALLS
    assert warm == {"hubspot": 0, "stripe": 0, "zendesk": 0, "drive": 0}


# Cold dashboard, per upstream. HubSpot: viewer contact + company links (1 round trip),
# company, team links, team contacts, CSM owner. Stripe: invoices (one list serves the
# invoices and the documents' PDFs), subscription + its products, meters + metered prices,
# three meters' daily summaries and the storage gauge's period figure (its last reading).
# Zendesk: search, users, groups. Drive: one files.list.
DASHBOARD_CALLS = {"hubspot": 6, "stripe": 9, "zendesk": 3, "drive": 1}
