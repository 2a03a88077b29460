"""Defect 1: a small document whose fragments each spread the one below twice froze the
gateway (validation walked every expansion, on the event loop). Each fragment is now
measured once, spreads and fields are capped before any rule runs, and validation runs off
the event loop under a CPU budget."""

from __future__ import annotations

import asyncio
import uuid

from graphql import specified_rules

from schema.extensions.document_gate import DocumentChecker
from schema.extensions.document_shape import DocumentLimits
from schema.schema import schema
from tests.gateway.conftest import GatewayClient


def fragment_bomb(levels: int) -> str:
    fragments = ["fragment F0 on Query { __typename }"]
    fragments += [
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)
    ]
    return f"{{ ...F{levels} }} " + " ".join(fragments)


async def graphql_errors(client: GatewayClient, query: str) -> list[dict[str, object]]:
    response = await client.http.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    errors: list[dict[str, object]] = response.json()["errors"]
    return errors


async def test_a_fragment_bomb_is_refused_by_counting_each_fragment_once(
    client: GatewayClient,
) -> None:
    errors = await graphql_errors(client, fragment_bomb(20))

    # 2^20 fields where the fragments are spread: measured without spreading them.
    assert errors == [
        {
            "message": "'anonymous' selects more fields than the limit of 500.",
            "extensions": {"code": "BAD_USER_INPUT"},
        }
    ]


async def test_fragment_spreads_are_capped_before_any_rule_runs(client: GatewayClient) -> None:
    spreads = " ".join(["...A"] * 101)

    errors = await graphql_errors(client, f"{{ {spreads} }} fragment A on Query {{ __typename }}")

    assert errors == [
        {
            "message": "The document spreads fragments 101 times; at most 100 are allowed.",
            "extensions": {"code": "BAD_USER_INPUT"},
        }
    ]


async def test_depth_and_aliases_through_fragments_are_counted_where_they_are_spread(
    client: GatewayClient,
) -> None:
    # Eight levels in a fragment, spread four levels down: twelve, over the limit of ten.
    nested = "subAccounts { " * 8 + "name" + " }" * 8
    deep = (
        "{ viewer { account { subAccounts { subAccounts { ...Deep } } } } }"
        f" fragment Deep on Account {{ {nested} }}"
    )
    aliases = " ".join(f"a{i}: __typename" for i in range(16))
    aliased = f"{{ ...Two ...Two }} fragment Two on Query {{ {aliases} }}"

    assert [e["message"] for e in await graphql_errors(client, deep)] == [
        "'anonymous' exceeds maximum operation depth of 10."
    ]
    assert [e["message"] for e in await graphql_errors(client, aliased)] == [
        "'anonymous' has more aliases than the limit of 30."
    ]


async def test_a_costly_new_document_does_not_hold_up_other_requests(
    client: GatewayClient,
) -> None:
    # Within every limit, yet the costliest kind to validate: 497 fields of one name, which
    # the overlapping-fields rule compares pairwise (~0.1 s of CPU), and one unknown field,
    # so that nothing runs after validation. New to the gateway, so nothing is cached.
    costly = f"# {uuid.uuid4()}\n{{ " + "__typename " * 497 + "nope }"
    validating = asyncio.create_task(client.http.post("/graphql", json={"query": costly}))
    await asyncio.sleep(0.01)  # the costly request is being validated
    health = asyncio.create_task(client.http.get("/healthz"))

    first, _ = await asyncio.wait([validating, health], return_when=asyncio.FIRST_COMPLETED)

    # Answered while the costly document was still being validated (off the event loop).
    assert first == {health}
    assert (await health).status_code == 200
    assert (await validating).json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_validation_over_its_cpu_budget_is_refused_with_a_code() -> None:
    costly = "{ " + "__typename " * 497 + "}"
    checker = DocumentChecker(
        DocumentLimits(10, 30, 500, 100), max_tokens=2000, cpu_budget_s=0.0, wait_s=30.0
    )
    document = await checker.parsed(costly)

    errors = await checker.errors(schema._schema, costly, document, specified_rules)

    assert [(e.message, e.extensions) for e in errors] == [
        (
            "The document took over 0 ms of CPU to check; send a smaller one.",
            {"code": "BAD_USER_INPUT"},
        )
    ]
