"""One upstream at a time down, slow past the deadline, rate limiting or flapping: its
fields come back null with its code and service, everything else as when all is well; the
calls it received are bounded (counted in the sandbox's request log); its breaker opens
and, once the vendor is back, closes again."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest

from connectors.breaker import State
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member
from tests.gateway.queries import DASHBOARD
from tests.gateway.resilience.conftest import (
    BREAKER_FAILURES,
    BREAKER_RESET_S,
    DEADLINE_S,
    OpenGateway,
)

# Download links and cursors carry their expiry time, which differs from second to second.
QUERY = DASHBOARD.replace(" downloadUrl", "").replace(" endCursor", "")
VENDORS = ("hubspot", "stripe", "zendesk", "drive")
# The dashboard fields each vendor backs (documents: Drive files and Stripe invoice PDFs).
FIELDS_OF = {
    "stripe": {"invoices", "documents", "subscription", "usage"},
    "zendesk": {"tickets"},
    "drive": {"documents"},
}
MAX_ATTEMPTS = 3  # Settings.upstream_max_attempts
LATENCY_MS = DEADLINE_S * 1000 + 200  # past the deadline, and soon over after it
FAULTS: dict[str, tuple[dict[str, Any], str]] = {
    "down": ({"outage": True}, "UPSTREAM_UNAVAILABLE"),
    # Retry-After (10 s) is past the deadline: answered at once, not waited out.
    "rate-limiting": ({"rate_limit": 0, "rate_window_s": 10.0}, "UPSTREAM_RATE_LIMITED"),
    "slow": ({"latency_ms": LATENCY_MS}, "UPSTREAM_TIMEOUT"),
}


async def dashboard(gateway: GatewayClient) -> dict[str, Any]:
    return await gateway.query(QUERY, as_=member(gateway.backbone, ACME, "ADMIN"))


async def healthy(open_gateway: OpenGateway, sandbox: SandboxControl) -> tuple[Any, dict[str, int]]:
    """The dashboard and the calls per vendor when all is well, from a cold gateway."""
    async with open_gateway() as gateway:
        body = await dashboard(gateway)
    assert "errors" not in body
    counts = sandbox.call_counts()
    sandbox.clear_requests()
    return body["data"], counts


def without(data: Any, fields: set[str]) -> Any:
    expected = copy.deepcopy(data)
    for name in fields:
        expected["viewer"]["account"][name] = None
    return expected


def errors_by_field(body: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {
        e["path"][-1]: (e["extensions"]["code"], e["extensions"]["service"]) for e in body["errors"]
    }


async def let_slow_answers_land() -> None:
    # A slow vendor logs a call when it answers, after our deadline: wait for that here, so
    # that it lands in this test's log and not in the next test's.
    await asyncio.sleep((LATENCY_MS / 1000 - DEADLINE_S) + 0.3)


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("vendor", ["stripe", "zendesk", "drive"])
async def test_a_failing_vendor_nulls_only_its_own_fields(
    vendor: str, fault: str, open_gateway: OpenGateway, sandbox: SandboxControl
) -> None:
    expected, calls_when_healthy = await healthy(open_gateway, sandbox)
    knobs, code = FAULTS[fault]
    sandbox[vendor].set_knobs(**knobs)

    async with open_gateway() as gateway:
        body = await dashboard(gateway)
    if fault == "slow":
        await let_slow_answers_land()

    assert body["data"] == without(expected, FIELDS_OF[vendor])
    assert errors_by_field(body) == {name: (code, vendor) for name in FIELDS_OF[vendor]}
    calls = sandbox.call_counts()
    others = [v for v in VENDORS if v != vendor]
    assert {v: calls[v] for v in others} == {v: calls_when_healthy[v] for v in others}
    log = [(c.method, c.path, c.query) for c in sandbox[vendor].requests()]
    if fault == "down":
        # Retried, but the breaker stops it: no more than the calls of a good day plus
        # the failures it takes to open.
        assert len(log) <= calls_when_healthy[vendor] + BREAKER_FAILURES
    else:
        assert len(log) == len(set(log))  # nothing retried: no time left for it


async def test_with_hubspot_down_the_viewer_is_unavailable_and_nothing_else_is_called(
    open_gateway: OpenGateway, sandbox: SandboxControl
) -> None:
    sandbox["hubspot"].set_knobs(outage=True)

    async with open_gateway() as gateway:
        body = await dashboard(gateway)

    assert body == {
        "data": None,  # `viewer` is not nullable: nothing can be shown without HubSpot
        "errors": [
            {
                "message": "Hubspot is unavailable right now.",
                "locations": [{"line": 3, "column": 3}],
                "path": ["viewer"],
                "extensions": {"code": "UPSTREAM_UNAVAILABLE", "service": "hubspot"},
            }
        ],
    }
    calls = sandbox.call_counts()
    assert {v: calls[v] for v in ("stripe", "zendesk", "drive")} == dict.fromkeys(
        ("stripe", "zendesk", "drive"), 0
    )
    # The viewer's two concurrent reads, retried until the breaker opened.
    assert 2 <= calls["hubspot"] <= BREAKER_FAILURES + 2


@pytest.mark.parametrize(
    ("knobs", "code"),
    [
        ({"rate_limit": 0, "rate_window_s": 10.0}, "UPSTREAM_RATE_LIMITED"),
        ({"latency_ms": LATENCY_MS}, "UPSTREAM_TIMEOUT"),
    ],
    ids=["rate-limiting", "slow"],
)
async def test_with_hubspot_failing_the_viewer_says_how(
    knobs: dict[str, Any], code: str, open_gateway: OpenGateway, sandbox: SandboxControl
) -> None:
    sandbox["hubspot"].set_knobs(**knobs)

    async with open_gateway() as gateway:
        body = await dashboard(gateway)
    if "latency_ms" in knobs:
        await let_slow_answers_land()

    assert body["data"] is None
    assert [e["extensions"] for e in body["errors"]] == [{"code": code, "service": "hubspot"}]
    log = [(c.method, c.path, c.query) for c in sandbox["hubspot"].requests()]
    assert len(log) == len(set(log))  # nothing retried


async def test_a_flapping_vendor_costs_at_most_its_retries_and_nulls_only_its_fields(
    open_gateway: OpenGateway, sandbox: SandboxControl
) -> None:
    expected, calls_when_healthy = await healthy(open_gateway, sandbox)
    sandbox["zendesk"].set_knobs(error_rate=0.5)

    async with open_gateway() as gateway:
        bodies = [await dashboard(gateway) for _ in range(4)]

    for body in bodies:
        # Whatever failed (the ticket list, or a ticket's group or requester) is Zendesk's.
        for error in body.get("errors", []):
            assert error["extensions"] == {"code": "UPSTREAM_UNAVAILABLE", "service": "zendesk"}
            assert error["path"][:3] == ["viewer", "account", "tickets"]
        assert without(body["data"], {"tickets"}) == without(expected, {"tickets"})
    # Each of the 4 requests' Zendesk calls at most MAX_ATTEMPTS times, never more.
    assert sandbox.call_counts()["zendesk"] <= 4 * calls_when_healthy["zendesk"] * MAX_ATTEMPTS


async def test_the_breaker_fails_fast_while_open_and_closes_when_the_vendor_is_back(
    open_gateway: OpenGateway, sandbox: SandboxControl
) -> None:
    expected, _ = await healthy(open_gateway, sandbox)
    zendesk = sandbox["zendesk"]
    zendesk.set_knobs(outage=True)

    async with open_gateway() as gateway:
        breaker = gateway.gateway.services.upstreams.zendesk.guard.breaker  # type: ignore[union-attr]
        first = await dashboard(gateway)
        opened = breaker.state
        calls_to_open = len(zendesk.requests())
        zendesk.clear_requests()

        while_open = await dashboard(gateway)
        assert zendesk.requests() == []  # failed fast: not one call

        zendesk.set_knobs(outage=False)
        await asyncio.sleep(BREAKER_RESET_S + 0.05)  # the breaker's reset time
        after = await dashboard(gateway)

    assert calls_to_open <= BREAKER_FAILURES + 1
    for body in (first, while_open):
        assert errors_by_field(body) == {"tickets": ("UPSTREAM_UNAVAILABLE", "zendesk")}
        assert body["data"] == without(expected, {"tickets"})
    assert after == {"data": expected}
    assert (opened, breaker.state) == (State.OPEN, State.CLOSED)
