"""What an open subscription does after it opened: each event asks again who the viewer is
(a member signed out or deactivated since hears nothing more), an event whose record cannot
be read carries a coded error in its place while the stream goes on, and a viewer holds a
bounded number of streams."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from graphql import GraphQLError

from auth.sessions import SessionManager
from cache.codec import Codec
from cache.redis_backend import RedisCache
from cache.redis_clients import connect
from resolvers.request.ids import encode_id
from resolvers.request.live_streams import MAX_STREAMS_PER_VIEWER, LiveStreams
from sandbox.accounts import Backbone, Person
from sandbox.control import SandboxControl
from tests.events.conftest import Events
from tests.gateway.people import ACME, member
from tests.gateway.team_support import BY_ID, member_id

PROTOCOL = "graphql-transport-ws"
NOTIFICATIONS = "subscription { notificationAdded { title } }"
TICKETS = "subscription($a: ID!) { ticketUpdated(accountId: $a) { number status } }"
OPEN_TICKET = """{ viewer { account { tickets(first: 1, status: [NEW, OPEN, PENDING]) {
  nodes { number } } } } }"""


async def _connected(
    http: aiohttp.ClientSession, events: Events, token: str
) -> aiohttp.ClientWebSocketResponse:
    ws = await http.ws_connect(events.url.replace("http", "ws") + "/graphql", protocols=[PROTOCOL])
    await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
    return ws


async def _subscribed(
    http: aiohttp.ClientSession, events: Events, token: str
) -> aiohttp.ClientWebSocketResponse:
    ws = await _connected(http, events, token)
    variables = {"a": encode_id("Account", ACME, ACME)}
    await ws.send_json({"id": "1", "type": "subscribe",
                        "payload": {"query": TICKETS, "variables": variables}})  # fmt: skip
    return ws


async def _open_ticket(events: Events, person: Person) -> int:
    found = await events.graphql(OPEN_TICKET, as_=person)
    number: int = found["data"]["viewer"]["account"]["tickets"]["nodes"][0]["number"]
    return number


def _set_status(sandbox: SandboxControl, number: int, status: str) -> None:
    sandbox["zendesk"].call("POST", f"/_sandbox/tickets/{number}/status", {"status": status})


async def _messages_until_complete(ws: aiohttp.ClientWebSocketResponse) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while not messages or messages[-1]["type"] != "complete":
        messages.append(await ws.receive_json(timeout=20))
    return messages


async def _sign_out(events: Events, token: str) -> None:
    """Ends the session as logging out does, on the gateway's Redis."""
    settings = events.settings
    cache = RedisCache(connect(settings.redis_url), Codec([]), prefix=settings.redis_key_prefix)
    try:
        sessions = SessionManager(settings.secret_key, cache)
        session = await sessions.verify(token, sliding=False)
        assert session is not None
        await sessions.revoke(session)
    finally:
        await cache.close()


async def test_an_event_whose_record_cannot_be_read_carries_a_coded_error_and_the_stream_goes_on(
    events: Events, sandbox: SandboxControl, backbone: Backbone
) -> None:
    admin = member(backbone, ACME, "ADMIN")
    number = await _open_ticket(events, admin)
    async with aiohttp.ClientSession() as http:
        ws = await _subscribed(http, events, await events.token_for(admin))
        # Slower than an event's own deadline: the worker still derives the event (it waits),
        # the subscription's read of the ticket gives up.
        sandbox["zendesk"].set_knobs(latency_ms=2500)
        _set_status(sandbox, number, "solved")
        failed = await ws.receive_json(timeout=20)
        sandbox["zendesk"].set_knobs(latency_ms=0)
        _set_status(sandbox, number, "open")
        read = await ws.receive_json(timeout=20)
        await ws.close()
    assert failed["type"] == "next"
    assert failed["payload"]["data"] is None
    [error] = failed["payload"]["errors"]
    assert (error["extensions"]["code"], error["path"]) == ("UPSTREAM_TIMEOUT", ["ticketUpdated"])
    assert error["message"].startswith("Zendesk ")
    assert read["payload"] == {"data": {"ticketUpdated": {"number": number, "status": "OPEN"}}}


async def test_a_stream_ends_when_its_session_ends(
    events: Events, sandbox: SandboxControl, backbone: Backbone
) -> None:
    person = member(backbone, ACME, "USER")
    number = await _open_ticket(events, person)
    token = await events.token_for(person)
    async with aiohttp.ClientSession() as http:
        ws = await _subscribed(http, events, token)
        _set_status(sandbox, number, "solved")
        before = await ws.receive_json(timeout=20)
        await _sign_out(events, token)
        _set_status(sandbox, number, "open")
        after = await _messages_until_complete(ws)
        await ws.close()
    assert before["payload"]["data"]["ticketUpdated"]["status"] == "SOLVED"
    refused, complete = after
    assert refused["payload"]["data"] is None
    [error] = refused["payload"]["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "reason": "SESSION_EXPIRED"}
    assert complete == {"id": "1", "type": "complete"}


async def test_a_deactivated_members_stream_hears_nothing_more(
    events: Events, sandbox: SandboxControl, backbone: Backbone
) -> None:
    admin, person = member(backbone, ACME, "ADMIN"), member(backbone, ACME, "USER")
    number = await _open_ticket(events, person)
    async with aiohttp.ClientSession() as http:
        ws = await _subscribed(http, events, await events.token_for(person))
        deactivated = await events.graphql(
            BY_ID["deactivateMember"], {"id": member_id(person)}, as_=admin
        )
        assert deactivated["data"]["deactivateMember"]["member"]["status"] == "DISABLED"
        _set_status(sandbox, number, "solved")
        refused, complete = await _messages_until_complete(ws)
        await ws.close()
    assert refused["payload"]["data"] is None
    assert [e["extensions"]["code"] for e in refused["payload"]["errors"]] == ["UNAUTHENTICATED"]
    assert complete["type"] == "complete"


async def test_a_viewer_holds_at_most_twenty_live_streams_per_replica(
    events: Events, backbone: Backbone
) -> None:
    """Every event is handed to every open stream: past the cap a new one is refused
    (RATE_LIMITED) and those already open keep running."""
    admin = member(backbone, ACME, "ADMIN")
    async with aiohttp.ClientSession() as http:
        ws = await _connected(http, events, await events.token_for(admin))
        for number in range(MAX_STREAMS_PER_VIEWER + 5):
            await ws.send_json({"id": str(number), "type": "subscribe",
                                "payload": {"query": NOTIFICATIONS}})  # fmt: skip
        refused = [await ws.receive_json(timeout=10) for _ in range(10)]  # 5 of next, complete
        await ws.close()
    errors = [m["payload"]["errors"] for m in refused if m["type"] == "next"]
    assert [[e["extensions"]["code"] for e in found] for found in errors] == [["RATE_LIMITED"]] * 5
    assert [m["type"] for m in refused].count("complete") == 5


def test_live_streams_count_per_viewer_and_free_a_place_when_one_ends() -> None:
    streams = LiveStreams(per_viewer=2)
    with (
        streams.held_by("a"),
        streams.held_by("a"),
        streams.held_by("b"),
        pytest.raises(GraphQLError, match="2 live updates open"),
        streams.held_by("a"),
    ):
        pass
    with streams.held_by("a"), streams.held_by("a"):
        pass  # both places are free again


async def test_each_event_reads_the_fields_under_its_record_afresh(
    events: Events, sandbox: SandboxControl, backbone: Backbone
) -> None:
    """Nested fields (a ticket's comments) resolve with the stream's context: each event
    gives it empty loaders, or the second event would repeat the first one's comments."""
    admin = member(backbone, ACME, "ADMIN")
    number = await _open_ticket(events, admin)
    query = "subscription($a: ID!) { ticketUpdated(accountId: $a) { status comments { body } } }"
    async with aiohttp.ClientSession() as http:
        ws = await _connected(http, events, await events.token_for(admin))
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {
            "query": query, "variables": {"a": encode_id("Account", ACME, ACME)}}})  # fmt: skip
        _set_status(sandbox, number, "solved")
        first = (await ws.receive_json(timeout=20))["payload"]["data"]["ticketUpdated"]
        reply = {"body": "We have fixed it on our side.", "public": True}
        sandbox["zendesk"].call("POST", f"/_sandbox/tickets/{number}/comments", reply)
        second = (await ws.receive_json(timeout=20))["payload"]["data"]["ticketUpdated"]
        await ws.close()
    assert reply["body"] not in [c["body"] for c in first["comments"]]
    assert [c["body"] for c in second["comments"]] == [
        *(c["body"] for c in first["comments"]), reply["body"],
    ]  # fmt: skip
