"""The edge of the API: body size, rate limits per address and per credential, what
production hides (introspection, GraphiQL, "did you mean"), CORS, security headers and the
one structured log line per request."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from config import Settings
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member
from tests.gateway.resilience.conftest import OpenGateway

TYPO = "{ viewer { acount { name } } }"
INTROSPECTION = "{ __schema { queryType { name } } }"
ORIGIN = "https://portal.example.com"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(
        settings,
        max_body_bytes=10_000,
        rate_limit_anonymous_per_ip=8,
        rate_limit_per_viewer=3,
        cors_origins=(ORIGIN,),
    )


def production(settings: Settings) -> Settings:
    return replace(settings, environment="production", introspection=False, graphiql=False)


async def post(client: GatewayClient, query: str, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.http.post("/graphql", json={"query": query}, headers=headers)


async def test_a_body_over_the_limit_is_413_even_without_a_declared_length(
    client: GatewayClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(20):
            yield b"x" * 1000
        yield b'"}'

    declared = await client.http.post(
        "/graphql", content=b"x" * 10_001, headers={"Content-Type": "application/json"}
    )
    chunked = await client.http.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    small = await post(client, "{ __typename }")

    assert (declared.status_code, declared.text) == (413, "Request body over 10000 bytes.")
    assert (chunked.status_code, chunked.text) == (413, "Request body over 10000 bytes.")
    assert small.json() == {"data": {"__typename": "Query"}}


async def test_each_credential_is_rate_limited_on_its_own(client: GatewayClient) -> None:
    first = await client.token_for(member(client.backbone, ACME, "ADMIN"))
    second = await client.token_for(member(client.backbone, ACME, "USER"))

    answers = [await post(client, "{ __typename }", first) for _ in range(4)]
    other = await post(client, "{ __typename }", second)

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].headers["Retry-After"] == "60"
    assert answers[-1].json() == {
        "errors": [{"message": "Too many requests.", "extensions": {"code": "RATE_LIMITED"}}]
    }
    assert other.status_code == 200


async def test_each_address_is_rate_limited_whatever_the_credentials(
    client: GatewayClient,
) -> None:
    answers = [await post(client, "{ __typename }") for _ in range(9)]

    assert [a.status_code for a in answers] == [200] * 8 + [429]
    # Sign-in and health checks are not /graphql: they keep working.
    assert (await client.http.get("/healthz")).status_code == 200


async def test_development_shows_the_schema_and_suggests_fields(client: GatewayClient) -> None:
    token = await client.token_for(member(client.backbone, ACME, "ADMIN"))

    introspected = (await post(client, INTROSPECTION, token)).json()
    typo = (await post(client, TYPO, token)).json()

    assert introspected == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    assert typo["errors"][0]["message"] == (
        "Cannot query field 'acount' on type 'Viewer'. Did you mean 'account' or 'accounts'?"
    )


async def test_production_hides_the_schema(settings: Settings, open_gateway: OpenGateway) -> None:
    async with open_gateway(production(settings)) as client:
        token = await client.token_for(member(client.backbone, ACME, "ADMIN"))
        introspected = (await post(client, INTROSPECTION, token)).json()
        typo = (await post(client, TYPO, token)).json()
        typename = (await post(client, "{ __typename }", token)).json()
        ide = await client.http.get("/graphql", headers={"Accept": "text/html"})

    assert introspected["data"] is None
    assert [e["message"] for e in introspected["errors"]] == [
        "GraphQL introspection has been disabled, but the requested query contained the"
        f" field '{name}'."
        for name in ("__schema", "queryType")
    ]
    assert {e["extensions"]["code"] for e in introspected["errors"]} == {"BAD_USER_INPUT"}
    assert [e["message"] for e in typo["errors"]] == [
        "Cannot query field 'acount' on type 'Viewer'."
    ]
    assert typename == {"data": {"__typename": "Query"}}
    assert ide.status_code == 404


def test_production_settings_switch_introspection_and_graphiql_off_unless_asked() -> None:
    plain = Settings.from_env({})
    prod = Settings.from_env({"PORTAL_ENV": "production"})
    opened = Settings.from_env(
        {"PORTAL_ENV": "production", "PORTAL_INTROSPECTION": "true", "PORTAL_GRAPHIQL": "1"}
    )

    assert (plain.is_production, plain.introspection, plain.graphiql) == (False, True, True)
    assert (prod.is_production, prod.introspection, prod.graphiql) == (True, False, False)
    assert (opened.introspection, opened.graphiql) == (True, True)


async def test_cors_answers_allowed_origins_only(client: GatewayClient) -> None:
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}  # fmt: skip
    allowed = await client.http.options("/graphql", headers={"Origin": ORIGIN, **preflight})
    refused = await client.http.options(
        "/graphql", headers={"Origin": "https://evil.example", **preflight}
    )
    simple = await client.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://evil.example"}
    )

    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    assert refused.status_code == 400
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert "Access-Control-Allow-Origin" not in simple.headers


async def test_every_answer_carries_the_security_headers_and_a_request_id(
    client: GatewayClient,
) -> None:
    for response in (
        await post(client, "{ __typename }"),
        await client.http.get("/healthz"),
        await client.http.post("/graphql", content=b"x" * 20_000),  # refused early: 413
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Content-Security-Policy"] == (
            "default-src 'none'; frame-ancestors 'none'"
        )
        assert len(response.headers["X-Request-Id"]) == 32


async def test_one_json_log_line_per_request_without_secrets(
    client: GatewayClient, sandbox: SandboxControl, caplog: pytest.LogCaptureFixture
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    token = await client.token_for(admin)
    caplog.set_level(logging.INFO, logger="portal.access")

    response = await client.http.post(
        "/graphql?token=secret-in-query",
        json={"query": "{ viewer { member { email } } }"},
        headers={"Authorization": f"Bearer {token}"},
    )

    lines = [r.getMessage() for r in caplog.records if r.name == "portal.access"]
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert line == {
        "method": "POST",
        "path": "/graphql",
        "status": 200,
        "duration_ms": line["duration_ms"],
        "request_id": response.headers["X-Request-Id"],
        "viewer_id": admin.contact_id,
        "trace_id": None,  # tracing is off (tests/operations/test_tracing.py has it on)
        "route": "/graphql",
        "operation": None,  # an anonymous query
        "upstream_calls": sum(sandbox.call_counts().values()),
    }
    assert line["upstream_calls"] == 2  # the viewer: their contact, their companies
    for secret in (token, admin.email, "secret-in-query"):
        assert secret not in lines[0]
