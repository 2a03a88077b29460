"""`totalCount` where the upstream tells it cheaply (README, "Counts"): exact for the team,
Zendesk's count for tickets, filtered or not; null for invoices and documents."""

from __future__ import annotations

from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, company, member

COUNTS = """{ viewer { account {
  team(first: 1) { totalCount }
  all: tickets(first: 1) { totalCount }
  solved: tickets(first: 1, status: [SOLVED]) { totalCount }
  invoices(first: 1) { totalCount }
  documents(first: 1) { totalCount }
} } }"""


async def test_every_connection_counts_where_its_upstream_can(client: GatewayClient) -> None:
    acme = company(client.backbone, ACME)

    body = await client.query(COUNTS, as_=member(client.backbone, ACME, "ADMIN"))

    assert "errors" not in body
    account = body["data"]["viewer"]["account"]
    assert account["team"]["totalCount"] == len(client.backbone.people_of(ACME))
    assert account["all"]["totalCount"] == acme.ticket_count
    assert 0 < account["solved"]["totalCount"] < acme.ticket_count
    assert account["invoices"]["totalCount"] is None
    assert account["documents"]["totalCount"] is None
