"""`/metrics` after real requests: latency by operation and route, upstream calls by vendor
and endpoint template (as many as the sandbox saw), retries, breaker state, cache lookups,
webhook deliveries and rate-limit refusals; who may scrape; and no unbounded label values."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from config import Settings
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member
from tests.gateway.queries import DASHBOARD

Series = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
async def client(
    settings: Settings, sandbox: SandboxControl, backbone: Backbone
) -> AsyncIterator[GatewayClient]:
    """The usual gateway, with a deadline no loaded CI machine reaches: these tests count
    every upstream call, and a timed-out attempt would be retried."""
    app = create_app(replace(settings, request_deadline_s=30.0))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            sandbox.clear_requests()
            yield GatewayClient(http, app.state.gateway, backbone, settings.outbox_dir)


async def scrape(http: httpx.AsyncClient, token: str = "") -> Series:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def total(series: Series, name: str, **labels: str) -> float:
    return sum(
        value for (found, pairs), value in series.items()
        if found == name and labels.items() <= dict(pairs).items()
    )  # fmt: skip


def delta(before: Series, after: Series, name: str, **labels: str) -> float:
    return total(after, name, **labels) - total(before, name, **labels)


def label_values(series: Series) -> Iterator[tuple[str, str]]:
    for name, pairs in series:
        if name.startswith("portal_"):
            yield from pairs


async def test_a_dashboard_shows_in_the_series(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    before = await scrape(client.http)
    sandbox.clear_requests()

    body = await client.query(DASHBOARD, as_=admin)

    assert "errors" not in body
    sent = sandbox.call_counts()
    after = await scrape(client.http)
    assert delta(before, after, "portal_graphql_operation_duration_seconds_count",
                 operation="Dashboard", outcome="ok") == 1  # fmt: skip
    assert delta(before, after, "portal_http_request_duration_seconds_count",
                 route="/graphql", method="POST", status="200") == 1  # fmt: skip
    for vendor, count in sent.items():
        assert delta(before, after, "portal_upstream_calls_total", vendor=vendor) == count
        assert delta(before, after, "portal_upstream_call_duration_seconds_count",
                     vendor=vendor) == count  # fmt: skip
        assert total(after, "portal_upstream_breaker_state", vendor=vendor) == 0
        assert total(after, "portal_upstream_retry_budget_tokens", vendor=vendor) > 0
    assert delta(before, after, "portal_upstream_calls_total", vendor="stripe",
                 endpoint="/v1/invoices", outcome="2xx") == 1  # fmt: skip
    assert delta(before, after, "portal_cache_lookups_total", family="stripe:invoices",
                 result="miss") == 1  # fmt: skip
    assert delta(before, after, "portal_cache_lookups_total", result="hit") >= 0

    # Another member of the account: the account's records come from the shared cache.
    colleague = member(client.backbone, ACME, "READ_ONLY")
    again = await client.query(DASHBOARD, as_=colleague)
    assert "errors" not in again
    warm = await scrape(client.http)
    assert delta(after, warm, "portal_cache_lookups_total", family="stripe:invoices",
                 result="hit") >= 1  # fmt: skip
    assert delta(after, warm, "portal_cache_lookups_total", family="stripe:invoices",
                 result="miss") == 0  # fmt: skip
    # No label names a record, a person or a raw path.
    people = {p.email for p in client.backbone.people_of(ACME)}
    for name, value in label_values(warm):
        assert value not in people and "@" not in value, (name, value)
        if name not in ("le", "status", "outcome"):  # numbers by nature
            assert not re.search(r"\d", re.sub(r"/v\d+/", "/", value)), (name, value)


async def test_upstream_failures_count_by_outcome_and_open_the_breaker(
    client: GatewayClient, sandbox: SandboxControl
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    sandbox["zendesk"].set_knobs(outage=True)
    before = await scrape(client.http)
    sandbox.clear_requests()

    for _ in range(3):
        await client.query(DASHBOARD, as_=admin)

    after = await scrape(client.http)
    failed = len(sandbox["zendesk"].requests())
    assert delta(before, after, "portal_upstream_calls_total", vendor="zendesk",
                 outcome="5xx") == failed > 0  # fmt: skip
    assert delta(before, after, "portal_upstream_retries_total", vendor="zendesk",
                 decision="taken") > 0  # fmt: skip
    assert total(after, "portal_upstream_breaker_state", vendor="zendesk") == 2  # open
    assert delta(before, after, "portal_graphql_operation_duration_seconds_count",
                 operation="Dashboard", outcome="partial") == 3  # fmt: skip


@asynccontextmanager
async def gateway(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            yield http


async def test_scrapes_need_the_token_when_one_is_set_and_production_needs_one(
    settings: Settings, sandbox: SandboxControl
) -> None:
    async with gateway(replace(settings, metrics_token="scrape-me")) as http:
        assert (await http.get("/metrics")).status_code == 401
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert await scrape(http, token="scrape-me")
    async with gateway(replace(settings, environment="production")) as http:
        assert (await http.get("/metrics")).status_code == 404
    async with gateway(replace(settings, metrics_port=9464)) as http:
        assert (await http.get("/metrics")).status_code == 404  # served on its own port


async def test_rate_limit_refusals_and_webhook_deliveries_are_counted(
    settings: Settings, sandbox: SandboxControl
) -> None:
    # Anonymous traffic (webhooks included) shares the per-address limit (issue 11).
    limited = replace(settings, rate_limit_anonymous_per_ip=2, stripe_webhook_secret="whsec_test")
    async with gateway(limited) as http:
        before = await scrape(http)
        query = {"query": "{ __typename }"}
        unsigned = await http.post("/webhooks/stripe", content=b"{}")
        assert unsigned.status_code == 400
        assert (await http.post("/graphql", json=query)).status_code == 200
        assert (await http.post("/graphql", json=query)).status_code == 429
        after = await scrape(http)
    assert delta(before, after, "portal_rate_limit_refusals_total", rule="ip") == 1
    assert delta(before, after, "portal_webhook_deliveries_received_total",
                 vendor="stripe", outcome="refused") == 1  # fmt: skip
    assert delta(before, after, "portal_http_request_duration_seconds_count",
                 route="/graphql", status="429") == 1  # fmt: skip
