"""`GET /export/{table}.{format}`: complete, streamed, paced, owned, and Excel-safe."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Message

from app import create_app
from config import SANDBOX_CREDENTIALS, Settings
from resolvers.exports.formats import BOM
from resolvers.exports.tables import TABLES
from sandbox.accounts import Person
from sandbox.control import SandboxControl
from sandbox.runner import SandboxConfig, SandboxThread
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, GLOBEX, member

STRIPE_LIMIT_PER_S = 25  # Stripe's test-mode limit, enforced by the sandbox below
EXPORT_RATE_PER_S = 20.0
ALL_INVOICES = """
query Invoices($after: String) {
  viewer { account { invoices(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } nodes { id }
  } } }
}
"""


async def bearer(client: GatewayClient, person: Person) -> dict[str, str]:
    return {"Authorization": f"Bearer {await client.token_for(person)}"}


def parsed_csv(response: httpx.Response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))


def header_of(table: str) -> list[str]:
    return [c.name for c in TABLES[table].columns]


# --- the tables, as a member sees them ------------------------------------------------------


async def test_invoices_csv_holds_every_invoice_graphql_pages_to(client: GatewayClient) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    graphql_ids: list[str] = []
    after = None
    while True:
        body = await client.query(ALL_INVOICES, {"after": after}, as_=admin)
        page = body["data"]["viewer"]["account"]["invoices"]
        graphql_ids += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    response = await client.http.get("/export/invoices.csv", headers=await bearer(client, admin))

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="invoices-1001-'
    )
    header, *rows = parsed_csv(response)
    assert header == header_of("invoices")
    assert len(rows) == len(graphql_ids) == client.backbone.company(ACME).invoice_count
    record = dict(zip(header, rows[0], strict=True))
    assert record["account_id"] == "1001"
    assert record["invoice_id"].startswith("in_")
    assert record["currency"] == "USD"
    assert record["created_at"].endswith("Z")
    whole, _, cents = record["total"].partition(".")
    assert whole.lstrip("-").isdigit() and len(cents) == 2


async def test_filters_narrow_by_status_and_inclusive_dates(client: GatewayClient) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    everything = parsed_csv(
        await client.http.get("/export/invoices.csv", headers=await bearer(client, admin))
    )[1:]
    days = sorted(r[10][:10] for r in everything)
    low, high = days[len(days) // 4], days[len(days) // 2]

    response = await client.http.get(
        "/export/invoices.ndjson",
        params={"from": low, "to": high, "status": "paid,void"},
        headers=await bearer(client, admin),
    )

    rows = [json.loads(line) for line in response.text.splitlines()]
    expected = [r[0] for r in everything if low <= r[10][:10] <= high and r[4] in ("PAID", "VOID")]
    assert response.headers["content-type"] == "application/x-ndjson"
    assert [r["invoice_id"] for r in rows] == expected
    assert expected


@pytest.mark.parametrize("table", ["tickets", "documents", "usage", "team"])
async def test_every_table_exports_in_both_formats_with_its_columns(
    client: GatewayClient, table: str
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")

    as_csv = await client.http.get(f"/export/{table}.csv", headers=await bearer(client, admin))
    as_ndjson = await client.http.get(
        f"/export/{table}.ndjson", headers=await bearer(client, admin)
    )

    header, *rows = parsed_csv(as_csv)
    records = [json.loads(line) for line in as_ndjson.text.splitlines()]
    assert header == header_of(table)
    assert rows and len(rows) == len(records)
    assert all(list(r) == header for r in records)
    assert all(r["account_id"] == ACME for r in records)


async def test_counts_match_the_seed(client: GatewayClient) -> None:
    acme = client.backbone.company(ACME)
    admin = member(client.backbone, ACME, "ADMIN")

    async def count(table: str, **params: str) -> int:
        response = await client.http.get(
            f"/export/{table}.ndjson", params=params, headers=await bearer(client, admin)
        )
        return len(response.text.splitlines())

    assert await count("tickets") == acme.ticket_count
    drive_types = "contract,statement_of_work,report,other"
    assert await count("documents", type=drive_types) == acme.file_count
    assert await count("team") == len(client.backbone.people_of(ACME))


async def test_a_portal_user_exports_with_the_session_cookie(client: GatewayClient) -> None:
    user = member(client.backbone, ACME, "READ_ONLY")
    client.http.cookies.set("portal_session", await client.token_for(user))

    response = await client.http.get("/export/tickets.csv", params={"status": "solved,closed"})

    assert response.status_code == 200
    statuses = {row[3] for row in parsed_csv(response)[1:]}
    assert statuses and statuses <= {"SOLVED", "CLOSED"}


# --- CSV that survives Excel and Python's csv module --------------------------------------------


async def test_awkward_text_round_trips_through_csv(
    client: GatewayClient, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    awkward = {
        "firstname": 'Zoë "Z", the 1st',
        "lastname": "Åström\nO'Brien; 李小龍",
        "jobtitle": '=HYPERLINK("http://evil.example")',
    }
    async with httpx.AsyncClient() as hubspot:
        changed = await hubspot.patch(
            f"{urls['hubspot']}/crm/v3/objects/contacts/{admin.contact_id}",
            json={"properties": awkward},
            headers={"Authorization": f"Bearer {SANDBOX_CREDENTIALS['HUBSPOT_ACCESS_TOKEN']}"},
        )
    assert changed.status_code == 200

    response = await client.http.get("/export/team.csv", headers=await bearer(client, admin))

    header, *rows = parsed_csv(response)
    [row] = [dict(zip(header, r, strict=True)) for r in rows if r[0] == admin.contact_id]
    assert row["first_name"] == awkward["firstname"]
    assert row["last_name"] == awkward["lastname"]
    # A cell Excel would run as a formula is kept as text.
    assert row["job_title"] == "'" + awkward["jobtitle"]
    assert b"\r\n" in response.content  # RFC 4180 line ends
    ndjson = await client.http.get("/export/team.ndjson", headers=await bearer(client, admin))
    [record] = [
        r for r in map(json.loads, ndjson.text.splitlines()) if r["member_id"] == row["member_id"]
    ]
    assert record["last_name"] == awkward["lastname"]
    assert record["job_title"] == awkward["jobtitle"]  # JSON needs no guard


async def test_an_empty_result_is_a_header_only_file(client: GatewayClient) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    params = {"from": "2001-01-01", "to": "2001-12-31"}

    as_csv = await client.http.get(
        "/export/invoices.csv", params=params, headers=await bearer(client, admin)
    )
    as_ndjson = await client.http.get(
        "/export/invoices.ndjson", params=params, headers=await bearer(client, admin)
    )

    assert as_csv.status_code == 200
    assert as_csv.content == (BOM + ",".join(header_of("invoices")) + "\r\n").encode()
    assert as_ndjson.status_code == 200 and as_ndjson.content == b""


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/export/bills.csv", "/export/invoices.xlsx", "/export/invoices"])
async def test_unknown_tables_and_formats_list_the_valid_ones(
    client: GatewayClient, path: str
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")

    response = await client.http.get(path, headers=await bearer(client, admin))

    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "NOT_FOUND"
    assert body["tables"] == ["invoices", "tickets", "documents", "usage", "team"]
    assert body["formats"] == ["csv", "ndjson"]
    assert "/export/usage.ndjson" in body["exports"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2024-13-01"}, "`from` must be a date in the format YYYY-MM-DD (an ISO 8601 "
         "date); got '2024-13-01'."),
        ({"to": "yesterday"}, "`to` must be a date in the format YYYY-MM-DD (an ISO 8601 date); "
         "got 'yesterday'."),
        ({"from": "2024-02-01", "to": "2024-01-01"}, "`from` must not be after `to`."),
        ({"status": "paid,lost"}, "Unknown status lost; expected some of draft, open, paid, "
         "uncollectible, void, comma-separated."),
        ({"since": "2024-01-01"}, "Unknown parameter since; this export accepts account, from, "
         "status, to."),
    ],
)  # fmt: skip
async def test_bad_filters_say_what_is_expected(
    client: GatewayClient, sandbox: SandboxControl, params: dict[str, str], message: str
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")

    response = await client.http.get(
        "/export/invoices.csv", params=params, headers=await bearer(client, admin)
    )

    assert response.status_code == 400
    assert response.json() == {"error": "BAD_USER_INPUT", "message": message}
    assert sandbox.call_counts()["stripe"] == 0


async def test_without_credentials_an_export_is_refused(client: GatewayClient) -> None:
    response = await client.http.get("/export/invoices.csv")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


# --- 10,000 invoices ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def large_sandbox() -> Iterator[SandboxThread]:
    with SandboxThread(SandboxConfig(scale=100, port_base=0)) as running:
        yield running


@dataclass
class StreamedBody:
    """An ASGI client that reads a response body chunk by chunk and keeps none of it
    (httpx's ASGI transport keeps the whole body, which would hide what the server holds)."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    chunks: int = 0
    rows: int = 0

    async def get(self, app: Starlette, path: str, token: str) -> None:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
            "root_path": "", "client": ("127.0.0.1", 50000), "server": ("localhost", 80),
            "headers": [(b"host", b"localhost"), (b"authorization", f"Bearer {token}".encode())],
        }  # fmt: skip
        requested = False

        async def receive() -> Message:
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.Event().wait()  # the client never disconnects
            raise AssertionError("unreachable")

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
                self.headers = {k.decode(): v.decode() for k, v in message["headers"]}
            elif message["type"] == "http.response.body" and message.get("body"):
                self.chunks += 1
                self.take(message["body"].decode("utf-8"))

        await app(scope, receive, send)

    def take(self, chunk: str) -> None:
        """Every chunk is one whole CSV record (the header first): it must parse alone."""
        [record] = list(csv.reader(io.StringIO(chunk.removeprefix(BOM), newline="")))
        if self.chunks == 1:
            assert record == header_of("invoices")
            return
        assert record[0].startswith("in_") and record[2] == GLOBEX
        self.rows += 1


async def test_ten_thousand_invoices_stream_in_flat_memory_within_the_rate_limit(
    large_sandbox: SandboxThread, tmp_path: Path
) -> None:
    control = SandboxControl(large_sandbox.urls)
    control.reset()
    control["stripe"].set_knobs(rate_limit=STRIPE_LIMIT_PER_S, rate_window_s=1.0)
    settings = replace(
        Settings().with_sandbox(large_sandbox.urls),
        secret_key="k",
        outbox_dir=tmp_path,
        export_rate_stripe=EXPORT_RATE_PER_S,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        admin = member(large_sandbox.backbone, GLOBEX, "ADMIN")
        token = await app.state.gateway.sessions.issue(admin.contact_id)
        control.clear_requests()
        body = StreamedBody()
        tracemalloc.start()
        try:
            await body.get(app, "/export/invoices.csv", token)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    assert body.status == 200
    assert body.rows == large_sandbox.backbone.company(GLOBEX).invoice_count == 10_000
    assert body.chunks == 10_001  # streamed: a chunk per row, after the header
    stripe_calls = control["stripe"].call("GET", "/_sandbox/requests")
    assert [c["path"] for c in stripe_calls] == ["/v1/invoices"] * 100
    assert all(c["status"] == 200 for c in stripe_calls)  # never a 429
    times = [c["at"] for c in stripe_calls]
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= STRIPE_LIMIT_PER_S
    # Gateway and sandbox (both in this process) hold a few pages at once: ~5 MB measured.
    # The 10,000 invoices held whole would take ~16 MB as records, far more as SDK objects.
    assert peak < 10_000_000, f"peak {peak / 1e6:.1f} MB"
