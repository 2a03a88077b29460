"""Bad input is BAD_USER_INPUT with a message that says what to fix: never INTERNAL, never a
500. GraphQL errors come back with HTTP 200 and no stack trace; no session is UNAUTHENTICATED.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from auth.viewer import AuthRefusal
from sandbox.accounts import Person
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, ACME_EUROPE, GLOBEX, member

Json = dict[str, Any]

CONNECTIONS = ("team", "invoices", "documents", "tickets")
SIGN_IN = "Sign in first: send the session cookie or an `Authorization: Bearer` token."
NOT_A_CURSOR = "`after` is not a cursor this API gave out, or it expired."
ANOTHER_LIST = "`after` is a cursor of another list or filter."
# What a response may carry: the GraphQL error shape and our extensions, nothing else.
ERROR_KEYS = {"message", "locations", "path", "extensions"}
EXTENSION_KEYS = {"code", "argument", "reason"}
TRACE_MARKERS = ("Traceback", 'File "', "site-packages", ".py", "stacktrace", "exception")


def global_id(type_name: str, account_id: str, upstream_id: str) -> str:
    raw = f"{type_name}:{account_id}:{upstream_id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def account_gid(number: str) -> str:
    return global_id("Account", number, number)


async def ask(
    client: GatewayClient,
    query: str,
    variables: Json | None = None,
    *,
    as_: Person | None = None,
    token: str | None = None,
) -> Json:
    """POSTs the query; asserts HTTP 200 and errors with no internals in them."""
    if as_ is not None:
        token = await client.token_for(as_)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert not [m for m in TRACE_MARKERS if m in response.text], response.text
    body: Json = response.json()
    for error in body.get("errors", []):
        assert set(error) <= ERROR_KEYS, error
        assert set(error["extensions"]) <= EXTENSION_KEYS, error
    return body


def errors_of(body: Json) -> list[Json]:
    """The errors without their locations (which only say where in the query text)."""
    return [{k: v for k, v in e.items() if k != "locations"} for e in body["errors"]]


def bad_input(message: str, path: list[str] | None = None, argument: str | None = None) -> Json:
    error: Json = {"message": message}
    if path is not None:
        error["path"] = path
    error["extensions"] = {"code": "BAD_USER_INPUT"}
    if argument is not None:
        error["extensions"]["argument"] = argument
    return error


def connection_query(connection: str, arguments: str) -> str:
    """The account's `connection`, reached from the viewer, with `arguments` (may be "")."""
    return f"""
    query List($after: String) {{
      viewer {{ account {{ id {connection}(after: $after{arguments}) {{
        nodes {{ id }} pageInfo {{ endCursor }}
      }} }} }}
    }}
    """


async def a_cursor(client: GatewayClient, viewer: Person, connection: str, arguments: str) -> str:
    """A real cursor of the viewer's account's `connection` (with those arguments)."""
    body = await ask(client, connection_query(connection, ", first: 1" + arguments), as_=viewer)
    assert "errors" not in body
    cursor: str = body["data"]["viewer"]["account"][connection]["pageInfo"]["endCursor"]
    assert cursor
    return cursor


def tampered(cursor: str) -> str:
    """The cursor with its payload changed and its signature kept."""
    body, _, mac = cursor.partition(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["p"] = 0 if payload["p"] != 0 else 1
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + "." + mac


def expired(client: GatewayClient, cursor: str) -> str:
    """The cursor re-signed by the gateway's own signer, with an expiry in the past."""
    signer = client.gateway.services.cursor_signer
    payload = signer.unsign(cursor)
    return signer.sign({**payload, "exp": int(time.time()) - 60})


# ids


MALFORMED_IDS = (
    "",
    "not an id!",
    "1004",  # a bare HubSpot id
    "Account:1004:1004",  # the right text, not encoded
    global_id("Widget", GLOBEX, "1"),  # an unknown type
    global_id("Account", GLOBEX, ""),  # no upstream id
    base64.urlsafe_b64encode(b"Invoice").decode(),  # no account
)


@pytest.mark.parametrize("field", ["account", "node"])
async def test_a_malformed_id_is_bad_user_input(client: GatewayClient, field: str) -> None:
    viewer = member(client.backbone, GLOBEX, "ADMIN")
    for value in MALFORMED_IDS:
        body = await ask(
            client, f"query($id: ID!) {{ {field}(id: $id) {{ id }} }}", {"id": value}, as_=viewer
        )

        assert body["data"] is None
        assert errors_of(body) == [
            bad_input(f"{value!r} is not an id this API gave out.", [field], "id")
        ]


async def test_account_with_the_id_of_another_type_is_bad_user_input(
    client: GatewayClient,
) -> None:
    viewer = member(client.backbone, GLOBEX, "ADMIN")
    others = {"TeamMember": "2001", "Invoice": "in_1", "Document": "drive-1", "Ticket": "1",
              "Subscription": "sub_1"}  # fmt: skip
    for type_name, upstream_id in others.items():
        value = global_id(type_name, GLOBEX, upstream_id)

        body = await ask(client, "query($id: ID!) { account(id: $id) { id } }", {"id": value},
                         as_=viewer)  # fmt: skip

        assert body["data"] is None
        assert errors_of(body) == [
            bad_input(f"{value!r} is not the id of an Account.", ["account"], "id")
        ]


# first


@pytest.mark.parametrize("first", [101, -1])
@pytest.mark.parametrize("connection", CONNECTIONS)
async def test_first_out_of_range_is_bad_user_input(
    client: GatewayClient, connection: str, first: int
) -> None:
    query = connection_query(connection, f", first: {first}")

    body = await ask(client, query, as_=member(client.backbone, GLOBEX, "USER"))

    assert body["data"] == {"viewer": {"account": {"id": account_gid(GLOBEX), connection: None}}}
    assert errors_of(body) == [
        bad_input(
            f"`first` must be between 0 and 100; got {first}.",
            ["viewer", "account", connection],
            "first",
        )
    ]


@pytest.mark.parametrize("connection", CONNECTIONS)
async def test_first_at_either_bound_is_accepted(client: GatewayClient, connection: str) -> None:
    query = f"""{{ viewer {{ account {{
      none: {connection}(first: 0) {{ nodes {{ id }} }}
      most: {connection}(first: 100) {{ nodes {{ id }} }}
    }} }} }}"""

    body = await ask(client, query, as_=member(client.backbone, GLOBEX, "USER"))

    assert "errors" not in body
    account = body["data"]["viewer"]["account"]
    assert account["none"] == {"nodes": []}
    assert 0 < len(account["most"]["nodes"]) <= 100


# cursors


MADE_UP_CURSORS = {"random": "bm90LWEtY3Vyc29y.c2ln", "empty": "", "non-ascii": "cursor.é"}


@pytest.mark.parametrize("forgery", [*MADE_UP_CURSORS, "tampered", "expired"])
async def test_a_cursor_this_api_did_not_give_out_is_bad_user_input(
    client: GatewayClient, forgery: str
) -> None:
    viewer = member(client.backbone, GLOBEX, "USER")
    for connection in CONNECTIONS:
        if forgery in ("tampered", "expired"):
            real = await a_cursor(client, viewer, connection, "")
            cursor = tampered(real) if forgery == "tampered" else expired(client, real)
        else:
            cursor = MADE_UP_CURSORS[forgery]

        body = await ask(client, connection_query(connection, ""), {"after": cursor}, as_=viewer)

        account = {"id": account_gid(GLOBEX), connection: None}
        assert body["data"] == {"viewer": {"account": account}}
        assert errors_of(body) == [
            bad_input(NOT_A_CURSOR, ["viewer", "account", connection], "after")
        ]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("team", "invoices"),
        ("invoices", "documents"),
        ("documents", "tickets"),
        ("tickets", "team"),
    ],
)
async def test_a_cursor_of_another_list_is_bad_user_input(
    client: GatewayClient, source: str, target: str
) -> None:
    viewer = member(client.backbone, GLOBEX, "USER")
    cursor = await a_cursor(client, viewer, source, "")

    body = await ask(client, connection_query(target, ""), {"after": cursor}, as_=viewer)

    assert body["data"] == {"viewer": {"account": {"id": account_gid(GLOBEX), target: None}}}
    assert errors_of(body) == [bad_input(ANOTHER_LIST, ["viewer", "account", target], "after")]


@pytest.mark.parametrize(
    ("connection", "source", "target"),
    [
        ("invoices", ", status: PAID", ", status: OPEN"),
        ("invoices", ", status: PAID", ""),
        ("invoices", "", ', createdFrom: "2025-01-01T00:00:00Z"'),
        ("tickets", ", status: [SOLVED, CLOSED]", ", status: [OPEN]"),
        ("tickets", "", ", status: [SOLVED, CLOSED]"),
        ("documents", ", filter: {types: [CONTRACT]}", ", filter: {types: [REPORT]}"),
        ("documents", "", ', filter: {nameContains: "Report"}'),
    ],
    ids=[
        "invoices-status", "invoices-status-dropped", "invoices-created-added",
        "tickets-status", "tickets-status-added", "documents-types", "documents-name-added",
    ],
)  # fmt: skip
async def test_a_cursor_of_another_filter_is_bad_user_input(
    client: GatewayClient, connection: str, source: str, target: str
) -> None:
    viewer = member(client.backbone, GLOBEX, "USER")
    cursor = await a_cursor(client, viewer, connection, source)

    body = await ask(client, connection_query(connection, target), {"after": cursor}, as_=viewer)

    assert body["data"] == {"viewer": {"account": {"id": account_gid(GLOBEX), connection: None}}}
    assert errors_of(body) == [bad_input(ANOTHER_LIST, ["viewer", "account", connection], "after")]


@pytest.mark.parametrize("connection", CONNECTIONS)
async def test_a_cursor_of_another_accounts_list_is_bad_user_input(
    client: GatewayClient, connection: str
) -> None:
    # The parent's ADMIN may page both lists, but not one with the other's cursor.
    admin = member(client.backbone, ACME, "ADMIN")
    cursor = await a_cursor(client, admin, connection, "")
    query = f"""query($id: ID!, $after: String) {{
      account(id: $id) {{ id {connection}(after: $after) {{ nodes {{ id }} }} }}
    }}"""

    body = await ask(client, query, {"id": account_gid(ACME_EUROPE), "after": cursor}, as_=admin)

    assert body["data"] == {"account": {"id": account_gid(ACME_EUROPE), connection: None}}
    assert errors_of(body) == [bad_input(ANOTHER_LIST, ["account", connection], "after")]


# enums and scalars


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            "invoices(status: PAYED)",
            "Value 'PAYED' does not exist in 'InvoiceStatus' enum. "
            "Did you mean the enum value 'PAID'?",
        ),
        (
            "invoices(status: paid)",
            "Value 'paid' does not exist in 'InvoiceStatus' enum. "
            "Did you mean the enum value 'PAID' or 'VOID'?",
        ),
        (
            "tickets(status: [OPEN, CLOSD])",
            "Value 'CLOSD' does not exist in 'TicketStatus' enum. "
            "Did you mean the enum value 'CLOSED'?",
        ),
        (
            "documents(filter: {types: [INVOICES]})",
            "Value 'INVOICES' does not exist in 'DocumentType' enum. "
            "Did you mean the enum value 'INVOICE'?",
        ),
    ],
    ids=["invoice-status", "lower-case", "ticket-status-in-list", "document-type-in-filter"],
)
async def test_an_unknown_enum_value_is_bad_user_input(
    client: GatewayClient, arguments: str, message: str
) -> None:
    query = f"{{ viewer {{ account {{ {arguments} {{ nodes {{ id }} }} }} }} }}"

    body = await ask(client, query, as_=member(client.backbone, GLOBEX, "USER"))

    assert body["data"] is None
    assert errors_of(body) == [bad_input(message)]


async def test_an_unknown_enum_value_in_a_variable_is_bad_user_input(
    client: GatewayClient,
) -> None:
    query = """query($status: InvoiceStatus) {
      viewer { account { invoices(status: $status) { nodes { id } } } }
    }"""

    body = await ask(
        client, query, {"status": "PAYED"}, as_=member(client.backbone, GLOBEX, "USER")
    )

    assert body["data"] is None
    assert errors_of(body) == [
        bad_input(
            "Variable '$status' has invalid value: Value 'PAYED' does not exist in "
            "'InvoiceStatus' enum. Did you mean the enum value 'PAID'?"
        )
    ]


@pytest.mark.parametrize(
    ("declaration", "field", "value", "says"),
    [
        ("DateTime", "invoices(createdFrom: $v) { nodes { id } }", "yesterday", "DateTime"),
        ("Date", "usage(from: $v) { key }", "2026-02-30", "Date"),
        ("Int", "team(first: $v) { nodes { id } }", "ten", "Int"),
        ("Int", "team(first: $v) { nodes { id } }", 2**40, "Int"),
        ("[TicketStatus!]", "tickets(status: $v) { nodes { id } }", [None], "TicketStatus!"),
    ],
    ids=["datetime", "date", "int-text", "int-too-big", "null-in-list"],
)
async def test_a_variable_of_the_wrong_shape_is_bad_user_input(
    client: GatewayClient, declaration: str, field: str, value: object, says: str
) -> None:
    query = f"query($v: {declaration}) {{ viewer {{ account {{ {field} }} }} }}"

    body = await ask(client, query, {"v": value}, as_=member(client.backbone, GLOBEX, "USER"))

    assert body["data"] is None
    [error] = errors_of(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["message"].startswith("Variable '$v' ")
    assert says in error["message"]


async def test_a_missing_required_variable_is_bad_user_input(client: GatewayClient) -> None:
    body = await ask(
        client,
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": None},
        as_=member(client.backbone, GLOBEX, "USER"),
    )

    assert body["data"] is None
    assert errors_of(body) == [
        bad_input(
            "Variable '$id' has invalid value: "
            "Expected value of non-null type 'ID!' not to be None."
        )
    ]


# usage period


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-05-01", "2026-04-30", "`to` must not be before `from`."),
        ("2024-01-01", "2025-12-31", "A usage period spans at most 366 days."),
    ],
)
async def test_a_usage_period_that_cannot_be_is_bad_user_input(
    client: GatewayClient, start: str, end: str, message: str
) -> None:
    query = """query($from: Date, $to: Date) {
      viewer { account { id usage(from: $from, to: $to) { key } } }
    }"""

    body = await ask(
        client, query, {"from": start, "to": end}, as_=member(client.backbone, GLOBEX, "USER")
    )

    assert body["data"] == {"viewer": {"account": {"id": account_gid(GLOBEX), "usage": None}}}
    assert errors_of(body) == [bad_input(message, ["viewer", "account", "usage"], "period")]


# no session


@pytest.mark.parametrize("token", [None, "not-a-session"], ids=["no-token", "bad-token"])
@pytest.mark.parametrize(
    ("field", "query"),
    [
        ("viewer", "{ viewer { account { id name } } }"),
        ("account", f'{{ account(id: "{account_gid(GLOBEX)}") {{ id name }} }}'),
        ("account", '{ account(id: "not an id") { id name } }'),
        ("node", f'{{ node(id: "{account_gid(GLOBEX)}") {{ id }} }}'),
        ("node", '{ node(id: "not an id") { id } }'),
    ],
    ids=["viewer", "account", "account-malformed-id", "node", "node-malformed-id"],
)
async def test_without_a_session_every_root_field_is_unauthenticated(
    client: GatewayClient, field: str, query: str, token: str | None
) -> None:
    body = await ask(client, query, token=token)

    reason = "MISSING_CREDENTIALS" if token is None else "MALFORMED_CREDENTIALS"
    assert body["data"] is None
    assert errors_of(body) == [
        {
            "message": SIGN_IN if token is None else AuthRefusal.MALFORMED_CREDENTIALS.message,
            "path": [field],
            "extensions": {"code": "UNAUTHENTICATED", "reason": reason},
        }
    ]


# not GraphQL at all


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{ viewer { account { id } } }", "Unable to parse request body as JSON"),
        (b'{"variables": {}}', "No GraphQL query found in the request"),
        (
            b'{"query": "{ viewer { account { id } } }", "variables": "x"}',
            "The GraphQL operation's `variables` must be an object or null, if provided.",
        ),
    ],
    ids=["not-json", "no-query", "variables-not-object"],
)
async def test_a_request_that_is_not_graphql_is_a_400_not_a_500(
    client: GatewayClient, content: bytes, message: str
) -> None:
    response = await client.http.post(
        "/graphql", content=content, headers={"content-type": "application/json"}
    )

    assert (response.status_code, response.text) == (400, message)
