"""Traces of a cold dashboard query and of an error, from a gateway process with tracing on
(tests/operations/trace_probe.py): one operation span, one span per upstream call and per
attempt, all in the request's trace, named by templates, with nothing personal in them."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.gateway.queries import DASHBOARD

REPO = Path(__file__).resolve().parents[2]
VENDORS = {"hubspot", "stripe", "zendesk", "drive"}


@pytest.fixture(scope="module")
def probed() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.operations.trace_probe"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def _by_kind(spans: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [s for s in spans if s["kind"] == f"SpanKind.{kind}"]


def test_a_cold_dashboard_is_one_trace_with_a_span_per_upstream_call(
    probed: dict[str, Any],
) -> None:
    dashboard = probed["dashboard"]
    spans = dashboard["spans"]
    trace_ids = {s["context"]["trace_id"] for s in spans}
    assert len(trace_ids) == 1
    (server,) = _by_kind(spans, "SERVER")
    assert server["name"] == "POST /graphql"
    (operation,) = [s for s in spans if s["name"].startswith("graphql ")]
    assert operation["name"] == "graphql query Dashboard"
    assert operation["parent_id"] == server["context"]["span_id"]
    assert operation["attributes"] == {
        "graphql.operation.name": "Dashboard",
        "graphql.operation.type": "query",
        "graphql.document.hash": hashlib.sha256(DASHBOARD.encode()).hexdigest(),
        "portal.viewer.account_id": "1001",
        "portal.graphql.outcome": "ok",
        "portal.graphql.error_codes": [],
        "portal.upstream.calls": dashboard["upstream_requests"],
        **{k: v for k, v in operation["attributes"].items() if k.startswith("portal.cache.")},
    }
    assert operation["attributes"]["portal.cache.miss"] > 0

    calls = [s for s in _by_kind(spans, "INTERNAL") if s is not operation]
    attempts = _by_kind(spans, "CLIENT")
    # Cold: every call goes out once, and the sandbox saw exactly those requests.
    assert len(calls) == len(attempts) == dashboard["upstream_requests"] == 19
    call_ids = {c["context"]["span_id"] for c in calls}
    assert {a["parent_id"] for a in attempts} == call_ids
    assert {c["parent_id"] for c in calls} <= {
        server["context"]["span_id"],
        operation["context"]["span_id"],
    }
    for call in calls:
        attributes = call["attributes"]
        assert attributes["portal.upstream.vendor"] in VENDORS
        assert call["name"] == (
            f"{attributes['portal.upstream.vendor']} {attributes['http.request.method']} "
            f"{attributes['portal.upstream.endpoint']}"
        )
        assert attributes["http.response.status_code"] == 200
        assert attributes["portal.upstream.attempts"] == 1
        assert attributes["portal.cache.result"] == "miss"
        assert attributes["portal.cache.family"]
    for attempt in attempts:
        assert attempt["attributes"]["portal.upstream.attempt"] == 1
        assert "?" not in attempt["attributes"]["http.url"]
    endpoints = {c["attributes"]["portal.upstream.endpoint"] for c in calls}
    assert "/crm/v3/owners/{id}" in endpoints
    assert "/v1/billing/meters/{id}/event_summaries" in endpoints


def test_the_trace_holds_no_personal_data_or_credentials(probed: dict[str, Any]) -> None:
    text = json.dumps(probed["dashboard"]["spans"])
    for secret in probed["secrets"]:
        assert secret not in text
    assert "@" not in text  # no email of anyone
    for span in probed["dashboard"]["spans"]:
        for name in ("http.target", "http.url", "url.full"):
            assert "?" not in str(span["attributes"].get(name, ""))


def test_the_access_line_and_error_responses_carry_the_trace_id(probed: dict[str, Any]) -> None:
    dashboard, refused = probed["dashboard"], probed["unauthenticated"]
    dashboard_trace = dashboard["spans"][0]["context"]["trace_id"].removeprefix("0x")
    assert dashboard["log"]["trace_id"] == dashboard_trace
    assert dashboard["log"]["operation"] == "Dashboard"
    assert dashboard["log"]["upstream_calls"] == dashboard["upstream_requests"]

    trace_id = refused["log"]["trace_id"]
    assert refused["spans"][0]["context"]["trace_id"] == f"0x{trace_id}"
    (error,) = refused["response"]["errors"]
    assert error["extensions"] == {
        "code": "UNAUTHENTICATED",
        "reason": "MISSING_CREDENTIALS",
        "traceId": trace_id,
    }
    assert refused["log"]["upstream_calls"] == refused["upstream_requests"] == 0
    (operation,) = [s for s in refused["spans"] if s["name"].startswith("graphql ")]
    assert operation["attributes"]["portal.graphql.error_codes"] == ["UNAUTHENTICATED"]
    assert operation["attributes"]["portal.graphql.outcome"] == "error"
