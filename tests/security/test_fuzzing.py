"""Issue 11, item 13: a fuzzing suite whose cases nobody here wrote. Schemathesis (GraphQL
mode, on Hypothesis) builds queries and mutations from `schema.graphql` and sends them to a
gateway served over real HTTP, signed in as each role and as nobody: no answer may be a
5xx, carry a traceback or an INTERNAL error, or take longer than far past the deadline.

Bounded: a few examples per operation and role (MAX_EXAMPLES), derandomized, so that the
whole suite stays within a couple of minutes and runs the same way every time."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from config import Settings
from sandbox.runner import SandboxThread
from tests.gateway.freshness.served import Served, serving
from tests.gateway.people import ACME, member

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"
MAX_EXAMPLES = 12
ROLES = ("ADMIN", "USER", "READ_ONLY", None)
TRACE_MARKERS = ("Traceback", 'File "', "site-packages")
# "Never a hang": far above any answer's time, so only a hang (or a frozen loop) trips it.
SLOWEST_ANSWER_S = 10.0

schema = schemathesis.graphql.from_path(str(SDL))


@pytest.fixture(scope="module")
def served(
    sandbox_thread: SandboxThread, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    fuzzed = replace(
        Settings().with_sandbox(sandbox_thread.urls),
        secret_key="fuzzing-secret-key",
        outbox_dir=tmp_path_factory.mktemp("outbox"),
        rate_limit_per_viewer=1_000_000,
        rate_limit_anonymous_per_ip=1_000_000,
    )
    with serving(lambda url: replace(fuzzed, public_url=url)) as gateway:
        yield gateway


@pytest.fixture(scope="module", params=ROLES, ids=lambda role: role or "anonymous")
def headers(
    request: pytest.FixtureRequest, served: Served, sandbox_thread: SandboxThread
) -> dict[str, str]:
    role = request.param
    if role is None:
        return {}
    person = member(sandbox_thread.backbone, ACME, role)
    # The gateway's cache is in-process: its session record can be written from here.
    token = asyncio.run(served.gateway.sessions.issue(person.contact_id))
    return {"Authorization": f"Bearer {token}"}


def no_traceback(ctx: Any, response: Any, case: Any) -> bool:
    leaked = [m for m in TRACE_MARKERS if m in response.text]
    assert not leaked, f"the answer shows internals: {leaked}"
    return True


def no_internal_error(ctx: Any, response: Any, case: Any) -> bool:
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return True
    codes = [(e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict)]
    assert "INTERNAL" not in codes, f"an internal error: {errors}"
    return True


def answered_in_time(ctx: Any, response: Any, case: Any) -> bool:
    assert response.elapsed <= SLOWEST_ANSWER_S, f"answered after {response.elapsed:.1f} s"
    return True


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_generated_operation_breaks_the_gateway(
    case: Any, served: Served, headers: dict[str, str]
) -> None:
    response = case.call(
        base_url=served.url + "/graphql", headers=headers, timeout=SLOWEST_ANSWER_S * 2
    )
    assert response.status_code < 500, response.text[:500]
    for check in (no_traceback, no_internal_error, answered_in_time):
        check(None, response, case)
