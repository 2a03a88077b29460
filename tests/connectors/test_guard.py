"""The upstream guard against the sandbox: which calls are retried and how often (counted in
the vendor's request log), the retry budget, Retry-After within the deadline, the circuit
breaker, and a keyed Stripe write retried after timeouts without a duplicate."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from connectors import deadline
from connectors.breaker import CircuitBreaker, State
from connectors.guard import CircuitOpen, RetryPolicy, Timeouts, UpstreamGuard
from connectors.http import JsonService, RateLimited, Unavailable, UpstreamTimeout, open_session
from connectors.retry_budget import RetryBudget
from connectors.stripe import CustomerChanges, stripe_client, update_customer
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl, VendorControl

OWNER = "/crm/v3/owners/301"
BATCH_READ = "/crm/v3/objects/companies/batch/read"


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with open_session() as opened:
        yield opened


def hubspot(
    urls: dict[str, str], session: aiohttp.ClientSession, guard: UpstreamGuard
) -> JsonService:
    return JsonService("hubspot", urls["hubspot"], session, {"Authorization": "Bearer pat-sandbox"},
                       guard=guard)  # fmt: skip


def guard(
    *,
    attempts: int = 3,
    breaker: CircuitBreaker | None = None,
    budget: RetryBudget | None = None,
    read_s: float = 8.0,
) -> UpstreamGuard:
    return UpstreamGuard(
        "hubspot",
        timeouts=Timeouts(connect_s=1.0, read_s=read_s),
        retries=RetryPolicy(max_attempts=attempts, backoff_base_s=0.01),
        breaker=breaker or CircuitBreaker(failure_threshold=100),
        budget=budget or RetryBudget(),
        read_posts=("/batch/read",),
    )


def logged(control: VendorControl) -> list[tuple[str, str, int]]:
    return [(c.method, c.path, c.status) for c in control.requests()]


async def settled(control: VendorControl, count: int) -> list[tuple[str, str, int]]:
    """The log once `count` requests are in it: a slow vendor logs a call when it answers."""
    for _ in range(100):
        if len(control.requests()) >= count:
            break
        await asyncio.sleep(0.05)
    return logged(control)


async def test_a_read_is_retried_up_to_the_attempt_limit(
    urls: dict[str, str], session: aiohttp.ClientSession, sandbox: SandboxControl
) -> None:
    sandbox["hubspot"].set_knobs(outage=True)

    with pytest.raises(Unavailable):
        await hubspot(urls, session, guard()).request("GET", OWNER)

    assert logged(sandbox["hubspot"]) == [("GET", OWNER, 503)] * 3


async def test_a_post_that_only_reads_is_retried_like_a_read(
    urls: dict[str, str], session: aiohttp.ClientSession, sandbox: SandboxControl
) -> None:
    sandbox["hubspot"].set_knobs(outage=True)

    with pytest.raises(Unavailable):
        await hubspot(urls, session, guard()).request("POST", BATCH_READ, json_body={"inputs": []})

    assert logged(sandbox["hubspot"]) == [("POST", BATCH_READ, 503)] * 3


async def test_a_write_without_an_idempotency_key_is_never_retried(
    urls: dict[str, str], session: aiohttp.ClientSession, sandbox: SandboxControl
) -> None:
    sandbox["hubspot"].set_knobs(outage=True)
    note = {"properties": {"hs_note_body": "x", "hs_timestamp": "2026-01-01T00:00:00Z"}}

    with pytest.raises(Unavailable):
        await hubspot(urls, session, guard()).request(
            "POST", "/crm/v3/objects/notes", json_body=note
        )

    assert logged(sandbox["hubspot"]) == [("POST", "/crm/v3/objects/notes", 503)]


async def test_the_retry_budget_caps_retries_across_calls(
    urls: dict[str, str], session: aiohttp.ClientSession, sandbox: SandboxControl
) -> None:
    sandbox["hubspot"].set_knobs(outage=True)
    http = hubspot(urls, session, guard(budget=RetryBudget(ratio=0.0, burst=1.0)))

    for _ in range(3):
        with pytest.raises(Unavailable):
            await http.request("GET", OWNER)

    # One retry in the budget: 3 first attempts and 1 retry, not 3 x 3.
    assert len(logged(sandbox["hubspot"])) == 4


async def test_a_retry_after_that_fits_the_deadline_is_waited_out(
    urls: dict[str, str], session: aiohttp.ClientSession, sandbox: SandboxControl
) -> None:
    sandbox["hubspot"].set_knobs(rate_limit=1, rate_window_s=1.0)
    http = hubspot(urls, session, guard())

    with deadline.within(1.8):
        await http.request("GET", OWNER)
        owner = await http.request("GET", OWNER)

    assert owner["id"] == "301"
    assert logged(sandbox["hubspot"]) == [("GET", OWNER, 200), ("GET", OWNER, 429),
                                          ("GET", OWNER, 200)]  # fmt: skip


async def test_a_retry_after_beyond_the_deadline_fails_at_once(
    urls: dict[str, str], session: aiohttp.ClientSession, sandbox: SandboxControl
) -> None:
    sandbox["hubspot"].set_knobs(rate_limit=0, rate_window_s=10.0)

    with deadline.within(1.8), pytest.raises(RateLimited) as raised:
        await hubspot(urls, session, guard()).request("GET", OWNER)

    # What is left of the 10 s window, in whole seconds (9 when the machine is slow enough
    # that a second passes first): either way beyond the 1.8 s deadline.
    assert raised.value.retry_after in (9.0, 10.0)
    assert logged(sandbox["hubspot"]) == [("GET", OWNER, 429)]


async def test_a_slow_call_ends_at_the_deadline_without_retries(
    urls: dict[str, str], session: aiohttp.ClientSession, sandbox: SandboxControl
) -> None:
    sandbox["hubspot"].set_knobs(latency_ms=600)

    with deadline.within(0.3), pytest.raises(UpstreamTimeout):
        await hubspot(urls, session, guard()).request("GET", OWNER)

    assert await settled(sandbox["hubspot"], 1) == [("GET", OWNER, 200)]


async def test_no_call_is_made_once_the_deadline_has_passed(
    urls: dict[str, str], session: aiohttp.ClientSession, sandbox: SandboxControl
) -> None:
    with deadline.within(0.0), pytest.raises(UpstreamTimeout):
        await hubspot(urls, session, guard()).request("GET", OWNER)

    assert logged(sandbox["hubspot"]) == []


async def test_the_breaker_opens_fails_fast_and_closes_after_a_good_probe(
    urls: dict[str, str], session: aiohttp.ClientSession, sandbox: SandboxControl
) -> None:
    breaker = CircuitBreaker(failure_threshold=2, reset_after_s=0.2)
    http = hubspot(urls, session, guard(attempts=1, breaker=breaker))
    states = []
    sandbox["hubspot"].set_knobs(outage=True)

    for _ in range(2):
        with pytest.raises(Unavailable):
            await http.request("GET", OWNER)
    with pytest.raises(CircuitOpen):
        await http.request("GET", OWNER)
    states.append(breaker.state)
    assert len(logged(sandbox["hubspot"])) == 2  # the third call never left

    await asyncio.sleep(0.25)  # the breaker's reset time: the one wait this test needs
    with pytest.raises(Unavailable):  # the probe fails: open again
        await http.request("GET", OWNER)
    states.append(breaker.state)
    assert len(logged(sandbox["hubspot"])) == 3

    sandbox["hubspot"].set_knobs(outage=False)
    await asyncio.sleep(0.25)
    owner = await http.request("GET", OWNER)

    states.append(breaker.state)
    assert owner["id"] == "301"
    assert states == [State.OPEN, State.OPEN, State.CLOSED]
    assert len(logged(sandbox["hubspot"])) == 4


async def test_a_keyed_stripe_write_retried_after_timeouts_is_applied_once(
    urls: dict[str, str],
    session: aiohttp.ClientSession,
    sandbox: SandboxControl,
    backbone: Backbone,
) -> None:
    customer_id = backbone.companies[0].stripe_customer_id
    stripe = sandbox["stripe"]
    impatient = UpstreamGuard(
        "stripe",
        timeouts=Timeouts(connect_s=1.0, read_s=0.2),
        retries=RetryPolicy(max_attempts=3, backoff_base_s=0.01),
    )
    client = stripe_client("sk_test_sandbox", urls["stripe"], session, impatient)
    changes = CustomerChanges(name="Acme Renamed")
    stripe.set_knobs(latency_ms=300)

    # Each attempt times out after Stripe has (or will have) applied it: the truth the
    # caller gets is "timed out", and the write happened once.
    with pytest.raises(UpstreamTimeout):
        await update_customer(client, customer_id, changes, "key-1")
    path = f"/v1/customers/{customer_id}"
    assert await settled(stripe, 3) == [("POST", path, 200)] * 3
    assert applied(stripe, customer_id) == 1

    stripe.set_knobs(latency_ms=0)
    updated = await update_customer(client, customer_id, changes, "key-1")

    assert updated.name == "Acme Renamed"
    assert applied(stripe, customer_id) == 1


def applied(stripe: VendorControl, customer_id: str) -> int:
    changes = stripe.call("GET", "/_sandbox/changes")
    return sum(1 for c in changes if c["object_id"] == customer_id)
