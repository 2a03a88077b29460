"""Exports a BI tool types without help: NDJSON numbers and nulls, both ids on every row,
one enum casing with GraphQL, the same documents as the API, usage capped like the API,
`X-Total-Count`, and the README's DuckDB and pandas examples run on a real export."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sandbox.accounts import Person
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member

README = Path(__file__).resolve().parents[2] / "README.md"
INVOICES = """
query($after: String) { viewer { account { invoices(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { id status total { decimal currency } }
} } } }"""
DOCUMENTS = """
query($after: String) { viewer { account { documents(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { id type }
} } } }"""


async def every_node(client: GatewayClient, query: str, field: str, as_: Person) -> list[Any]:
    nodes: list[Any] = []
    after = None
    while True:
        body = await client.query(query, {"after": after}, as_=as_)
        page = body["data"]["viewer"]["account"][field]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def export(
    client: GatewayClient, name: str, as_: Person, **params: str
) -> tuple[int, dict[str, str], str]:
    headers = {"Authorization": f"Bearer {await client.token_for(as_)}"}
    response = await client.http.get(f"/export/{name}", params=params, headers=headers)
    return response.status_code, dict(response.headers), response.text


async def test_ndjson_invoices_are_typed_and_match_graphql_ids_and_enums(
    client: GatewayClient,
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    graphql = await every_node(client, INVOICES, "invoices", admin)

    status, _, text = await export(client, "invoices.ndjson", admin)

    assert status == 200
    rows = [json.loads(line, parse_float=Decimal) for line in text.splitlines()]
    by_id = {r["id"]: r for r in rows}
    assert sorted(by_id) == sorted(n["id"] for n in graphql)
    for node in graphql:
        row = by_id[node["id"]]
        assert row["status"] == node["status"]  # one casing: GraphQL's
        assert row["total"] == Decimal(node["total"]["decimal"])  # a JSON number, exact
        assert row["currency"] == node["total"]["currency"]
        assert isinstance(row["invoice_id"], str) and isinstance(row["account_id"], str)
    assert all(r["paid_at"] is None for r in rows if r["status"] != "PAID")
    assert '"total":"' not in text


async def test_the_documents_export_holds_the_same_documents_as_graphql(
    client: GatewayClient,
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    graphql = await every_node(client, DOCUMENTS, "documents", admin)

    _, _, text = await export(client, "documents.ndjson", admin)

    rows = [json.loads(line) for line in text.splitlines()]
    assert sorted((r["id"], r["type"]) for r in rows) == sorted(
        (n["id"], n["type"]) for n in graphql
    )
    assert {r["source"] for r in rows if r["type"] == "INVOICE"} == {"INVOICE"}
    _, _, only_invoices = await export(client, "documents.ndjson", admin, type="invoice")
    assert len(only_invoices.splitlines()) == sum(n["type"] == "INVOICE" for n in graphql) > 0


async def test_usage_export_is_capped_like_the_api_and_counted(client: GatewayClient) -> None:
    admin = member(client.backbone, ACME, "ADMIN")

    status, _, text = await export(client, "usage.ndjson", admin, **{"from": "2020-01-01"})
    capped, headers, rows = await export(
        client, "usage.csv", admin, **{"from": "2026-01-01", "to": "2026-01-10"}
    )

    assert status == 400
    assert json.loads(text) == {
        "error": "BAD_USER_INPUT",
        "message": "This export spans at most 366 days, as the API does: ask for `from` and "
        "`to` at most 366 days apart.",
    }
    assert capped == 200
    assert headers["x-total-count"] == str(3 * 10) == str(len(rows.splitlines()) - 1)


async def test_tickets_export_tells_its_total(client: GatewayClient) -> None:
    admin = member(client.backbone, ACME, "ADMIN")

    _, headers, text = await export(client, "tickets.ndjson", admin)
    _, filtered, _ = await export(client, "tickets.ndjson", admin, status="open")

    assert headers["x-total-count"] == str(len(text.splitlines()))
    assert "x-total-count" not in filtered


def readme_example(name: str) -> str:
    found = re.search(
        rf"<!-- bi-example:{name} -->\n```python\n(.*?)```", README.read_text(), re.DOTALL
    )
    assert found, f"README has no {name} example"
    return found.group(1)


@pytest.mark.parametrize("tool", ["duckdb", "pandas"])
async def test_the_readme_bi_examples_sum_an_export(
    client: GatewayClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tool: str
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    for name in ("invoices.ndjson", "invoices.csv"):
        _, _, text = await export(client, name, admin)
        (tmp_path / name).write_text(text, encoding="utf-8")
    rows = [json.loads(line, parse_float=Decimal) for line in
            (tmp_path / "invoices.ndjson").read_text().splitlines()]  # fmt: skip
    expected: dict[tuple[str, str], Decimal] = {}
    for row in rows:
        key = (row["status"], row["currency"])
        expected[key] = expected.get(key, Decimal(0)) + row["total"]
    monkeypatch.chdir(tmp_path)

    scope: dict[str, Any] = {}
    exec(readme_example(tool), scope)  # noqa: S102 - the README's own example

    if tool == "duckdb":
        found = {(s, c): Decimal(str(t)) for s, c, t, _ in scope["totals"]}
    else:
        found = {key: Decimal(str(t)) for key, t in scope["totals"].items()}
    assert found == expected
