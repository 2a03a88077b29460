"""Live updates: a subscription opened on replica A hears of a change whose webhook reached
replica B (Redis pub/sub between them), over graphql-transport-ws and over SSE; another
account's subscription is refused; malformed or oversized messages close the socket."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from auth.sessions import SESSION_COOKIE
from resolvers.request.ids import encode_id
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.events.conftest import EMAIL_AND_APP, Events, everything, set_preferences
from tests.gateway.freshness.served import serving
from tests.gateway.people import ACME, GLOBEX, member

TICKETS = "subscription($a: ID!) { ticketUpdated(accountId: $a) { number status } }"
NOTIFICATIONS = "subscription { notificationAdded { type title read } }"
OPEN_TICKET = """{ viewer { account { tickets(first: 1, status: [NEW, OPEN, PENDING]) {
  nodes { number } } } } }"""
PROTOCOL = "graphql-transport-ws"


async def _open(
    http: aiohttp.ClientSession, url: str, token: str
) -> aiohttp.ClientWebSocketResponse:
    ws = await http.ws_connect(url.replace("http", "ws") + "/graphql", protocols=[PROTOCOL])
    await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
    return ws


async def _subscribe(
    ws: aiohttp.ClientWebSocketResponse, query: str, variables: dict[str, Any]
) -> None:
    await ws.send_json({"id": "1", "type": "subscribe",
                        "payload": {"query": query, "variables": variables}})  # fmt: skip


async def test_a_subscription_on_one_replica_hears_a_webhook_that_reached_another(
    events: Events, sandbox: SandboxControl, backbone: Backbone
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    found = await events.graphql(OPEN_TICKET, as_=admin)
    number = found["data"]["viewer"]["account"]["tickets"]["nodes"][0]["number"]
    token = await events.token_for(admin)
    # Replica B is `events.served` (the vendors' webhooks go there); A is another gateway.
    with serving(lambda url: replace(events.settings, public_url=url)) as replica_a:
        async with aiohttp.ClientSession() as http:
            ws = await _open(http, replica_a.url, token)
            await _subscribe(ws, TICKETS, {"a": encode_id("Account", ACME, ACME)})
            sandbox["zendesk"].call("POST", f"/_sandbox/tickets/{number}/status",
                                    {"status": "solved"})  # fmt: skip
            message = await ws.receive_json(timeout=20)
            await ws.close()
    assert message == {
        "id": "1", "type": "next",
        "payload": {"data": {"ticketUpdated": {"number": number, "status": "SOLVED"}}},
    }  # fmt: skip


async def test_notifications_arrive_over_sse(
    events: Events, sandbox: SandboxControl, backbone: Backbone, urls: dict[str, str]
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    set_preferences(urls, admin, everything(EMAIL_AND_APP))
    customer = backbone.company(ACME).stripe_customer_id
    headers = {
        "Authorization": f"Bearer {await events.token_for(admin)}",
        "Accept": "text/event-stream",
    }
    async with (
        httpx.AsyncClient(base_url=events.url, timeout=30) as http,
        http.stream("POST", "/graphql", json={"query": NOTIFICATIONS}, headers=headers) as stream,
    ):
        assert stream.headers["content-type"].startswith("text/event-stream")
        sandbox["stripe"].call("POST", "/_sandbox/invoices",
                                   {"customer": customer, "amount_due": 777})  # fmt: skip
        data = await _first_event(stream)
    added = data["data"]["notificationAdded"]
    assert (added["type"], added["read"]) == ("invoice.created", False)
    assert added["title"].startswith("New invoice ")


async def _first_event(stream: httpx.Response) -> dict[str, Any]:
    event = ""
    async for line in stream.aiter_lines():
        if line.startswith("event:"):
            event = line.partition(":")[2].strip()
        elif line.startswith("data:") and event == "next":
            found: dict[str, Any] = json.loads(line.partition(":")[2])
            return found
    raise AssertionError("the stream ended without an event")


async def test_another_accounts_subscription_is_refused(events: Events, backbone: Backbone) -> None:
    token = await events.token_for(member(backbone, ACME, "ADMIN"))
    async with aiohttp.ClientSession() as http:
        ws = await _open(http, events.url, token)
        await _subscribe(ws, TICKETS, {"a": encode_id("Account", GLOBEX, GLOBEX)})
        message = await ws.receive_json(timeout=10)
        await ws.close()
    # Refused as a query would be: the account is NOT_FOUND for this viewer, nothing streams.
    assert message["type"] == "next"
    assert message["payload"]["data"] is None
    assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == ["NOT_FOUND"]


async def test_malformed_or_oversized_messages_close_the_socket(
    events: Events, backbone: Backbone
) -> None:
    token = await events.token_for(member(backbone, ACME, "ADMIN"))
    async with aiohttp.ClientSession() as http:
        for bad in ("{not json", json.dumps({"type": "subscribe", "id": "1",
                                             "payload": {"query": "x" * 70_000}})):  # fmt: skip
            ws = await _open(http, events.url, token)
            await ws.send_str(bad)
            closed = await ws.receive(timeout=10)
            assert (closed.type, ws.close_code) == (aiohttp.WSMsgType.CLOSE, 4400)
            await ws.close()


async def test_without_a_viewer_nothing_is_streamed(events: Events) -> None:
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(events.url.replace("http", "ws") + "/graphql",
                                   protocols=[PROTOCOL])  # fmt: skip
        await ws.send_json({"type": "connection_init", "payload": {}})
        assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
        await _subscribe(ws, NOTIFICATIONS, {})
        message = await ws.receive_json(timeout=10)
        await ws.close()
    assert message["type"] == "next"
    assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == ["UNAUTHENTICATED"]


async def test_a_query_sent_as_a_stream_keeps_the_request_deadline(
    events: Events, sandbox: SandboxControl, backbone: Backbone
) -> None:
    """`Accept: text/event-stream` is no way around the 1.8 s deadline: with Zendesk taking
    3 s, the tickets of a query sent that way come back null with an error, in time."""
    admin = member(backbone, ACME, "ADMIN")
    headers = {
        "Authorization": f"Bearer {await events.token_for(admin)}",
        "Accept": "text/event-stream",
    }
    await events.graphql("{ __typename }", as_=admin)  # who the viewer is, read beforehand
    sandbox["zendesk"].set_knobs(latency_ms=3000)
    async with (
        httpx.AsyncClient(base_url=events.url, timeout=30) as http,
        http.stream("POST", "/graphql", json={"query": OPEN_TICKET}, headers=headers) as stream,
    ):
        data = await _first_event(stream)
    sandbox["zendesk"].set_knobs(latency_ms=0)
    assert data["data"]["viewer"]["account"]["tickets"] is None
    assert [e["path"] for e in data["errors"]] == [["viewer", "account", "tickets"]]


async def test_a_subscription_over_sse_reads_its_events_past_the_request_deadline(
    events: Events, sandbox: SandboxControl, backbone: Backbone
) -> None:
    """The stream outlives the request's 1.8 s: each event is read under a deadline of its
    own, so a change three seconds later still arrives with its record."""
    admin = member(backbone, ACME, "ADMIN")
    found = await events.graphql(OPEN_TICKET, as_=admin)
    number = found["data"]["viewer"]["account"]["tickets"]["nodes"][0]["number"]
    headers = {
        "Authorization": f"Bearer {await events.token_for(admin)}",
        "Accept": "text/event-stream",
    }
    subscription = {"query": TICKETS, "variables": {"a": encode_id("Account", ACME, ACME)}}
    async with (
        httpx.AsyncClient(base_url=events.url, timeout=30) as http,
        http.stream("POST", "/graphql", json=subscription, headers=headers) as stream,
    ):
        await asyncio.sleep(3.0)
        sandbox["zendesk"].call("POST", f"/_sandbox/tickets/{number}/status", {"status": "solved"})
        data = await _first_event(stream)
    assert data == {"data": {"ticketUpdated": {"number": number, "status": "SOLVED"}}}


async def test_browser_sessions_subscribe_only_to_trusted_documents(
    events: Events, backbone: Backbone, tmp_path: Path
) -> None:
    """A WebSocket opened with the portal's cookie is a browser session: with trusted
    documents on, a document outside the manifest gets the protocol's `error` and never runs
    (else a stolen cookie would run any document over a WebSocket)."""
    manifest = tmp_path / "trusted-documents.json"
    manifest.write_text(
        json.dumps({hashlib.sha256(NOTIFICATIONS.encode()).hexdigest(): NOTIFICATIONS})
    )
    admin = member(backbone, ACME, "ADMIN")
    cookie = f"{SESSION_COOKIE}={await events.token_for(admin)}"

    def trusted_only(url: str) -> Any:
        return replace(events.settings, public_url=url, trusted_documents_only=True,
                       trusted_documents_file=manifest)  # fmt: skip

    with serving(trusted_only) as served:
        async with aiohttp.ClientSession() as http:
            headers = {"Cookie": cookie, "Origin": served.url}
            ws = await http.ws_connect(served.url.replace("http", "ws") + "/graphql",
                                       protocols=[PROTOCOL], headers=headers)  # fmt: skip
            await ws.send_json({"type": "connection_init", "payload": {}})
            assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
            await _subscribe(ws, TICKETS, {"a": encode_id("Account", ACME, ACME)})
            refused = await ws.receive_json(timeout=10)
            await ws.send_json(
                {"id": "2", "type": "subscribe", "payload": {"query": NOTIFICATIONS}}
            )
            await ws.send_json({"id": "2", "type": "complete"})
            await ws.send_json({"type": "ping"})
            after = await ws.receive_json(timeout=10)
            await ws.close()
    assert refused["type"] == "error"
    assert [e["extensions"]["code"] for e in refused["payload"]] == ["TRUSTED_DOCUMENT_REQUIRED"]
    assert after == {"type": "pong"}  # the trusted one ran (no error) and the socket is open
