"""What an operator sees of each upstream call: a span (vendor, endpoint template, status,
attempts, cache lookup), Prometheus series by vendor and endpoint template, breaker state and
retry budget, and a per-request tally of calls for the access log.

Labels and span names use endpoint *templates* (`/crm/v3/objects/companies/{id}`), never raw
paths or query strings: ids and search terms are unbounded and may be personal data. Spans go
through the OpenTelemetry API: with no SDK configured (web/tracing.py) they cost next to
nothing and record nothing.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import yarl
from opentelemetry import trace
from opentelemetry.instrumentation.aiohttp_client import create_trace_config
from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
from opentelemetry.trace import Span, StatusCode
from prometheus_client import Counter, Gauge, Histogram

tracer = trace.get_tracer("portal.upstream")

UPSTREAM_CALLS = Counter(
    "portal_upstream_calls",
    "Upstream HTTP attempts, by vendor, endpoint template and outcome.",
    ["vendor", "endpoint", "outcome"],
)
UPSTREAM_LATENCY = Histogram(
    "portal_upstream_call_duration_seconds",
    "Duration of one upstream call (all its attempts), by vendor and endpoint template.",
    ["vendor", "endpoint"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0),
)
UPSTREAM_RETRIES = Counter(
    "portal_upstream_retries",
    "Retries of upstream calls: taken, or refused because the retry budget was empty.",
    ["vendor", "decision"],
)
BREAKER_STATE = Gauge(
    "portal_upstream_breaker_state",
    "Circuit breaker per upstream: 0 closed, 1 half-open, 2 open (worst live process).",
    ["vendor"],
    multiprocess_mode="livemax",
)
RETRY_BUDGET = Gauge(
    "portal_upstream_retry_budget_tokens",
    "Retries an upstream's budget still allows (lowest live process).",
    ["vendor"],
    multiprocess_mode="livemin",
)
BREAKER_LEVELS = {"closed": 0, "half_open": 1, "open": 2}

# A path segment that names one record rather than a kind of thing: digits (HubSpot and
# Zendesk ids, Stripe's `cus_…`/`in_…` ids), long opaque tokens (Drive ids). API versions
# (`v3`) are part of the endpoint.
_VERSION = re.compile(r"^v\d+(beta\d*)?$")
_ID = re.compile(r"^(?P<id>[^.]*\d[^.]*|[A-Za-z0-9_-]{20,})(?P<ext>\.\w+)?$")
# However many templates the code makes, a label never takes more values than this.
MAX_TEMPLATES_PER_VENDOR = 64
_templates: dict[str, set[str]] = {}


def endpoint_template(vendor: str, url: str) -> str:
    """`https://x/crm/v3/objects/companies/1001?a=b` → `/crm/v3/objects/companies/{id}`."""
    return _template(vendor, urlsplit(url).path)


@functools.lru_cache(maxsize=4096)
def _template(vendor: str, path: str) -> str:
    segments = [_segment(s) for s in path.split("/")]
    template = "/".join(segments) or "/"
    known = _templates.setdefault(vendor, set())
    if template not in known:
        if len(known) >= MAX_TEMPLATES_PER_VENDOR:
            return "other"
        known.add(template)
    return template


def _segment(segment: str) -> str:
    if not segment or _VERSION.match(segment):
        return segment
    found = _ID.match(segment)
    if found is None:
        return segment
    return "{id}" + (found.group("ext") or "")


@dataclass
class RequestTally:
    """Upstream attempts made on behalf of one inbound request (read by the access log)."""

    upstream_calls: int = 0
    cache: dict[str, int] = field(default_factory=dict)  # hit/miss/stale counts


_tally: ContextVar[RequestTally | None] = ContextVar("portal_request_tally", default=None)
# The scope family of the cache miss an upstream call fills (set by cache/telemetry.py).
cache_lookup: ContextVar[str | None] = ContextVar("portal_cache_lookup", default=None)
# Which attempt of the current upstream call is on the wire (read by the aiohttp span hook).
attempt_number: ContextVar[int] = ContextVar("portal_upstream_attempt", default=1)


@contextmanager
def tallying() -> Iterator[RequestTally]:
    """Counts the upstream calls made inside the block, tasks it spawns included."""
    tally = RequestTally()
    token = _tally.set(tally)
    try:
        yield tally
    finally:
        _tally.reset(token)


def current_tally() -> RequestTally | None:
    return _tally.get()


def current_trace_id() -> str | None:
    """The W3C trace id of the current span, as 32 hex digits; None while tracing is off."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


class UpstreamCall:
    """One logical upstream call (its retries included), as a span and as metrics."""

    def __init__(self, vendor: str, method: str, url: str) -> None:
        self.vendor = vendor
        self.method = method.upper()
        self.endpoint = endpoint_template(vendor, url)
        self.attempts = 0
        self._started = time.perf_counter()
        self._span: Span = trace.INVALID_SPAN

    @contextmanager
    def span(self) -> Iterator[UpstreamCall]:
        if not tracing_enabled():  # measured: the API's no-op span costs more than the rest
            try:
                yield self
            finally:
                self._observe()
            return
        with tracer.start_as_current_span(
            f"{self.vendor} {self.method} {self.endpoint}",
            kind=trace.SpanKind.INTERNAL,
            attributes={
                "portal.upstream.vendor": self.vendor,
                "portal.upstream.endpoint": self.endpoint,
                "http.request.method": self.method,
                # A call that fills a cache miss names the scope family it fills.
                "portal.cache.result": "miss" if cache_lookup.get() else "bypass",
                "portal.cache.family": cache_lookup.get() or "",
            },
            record_exception=False,
        ) as span:
            self._span = span
            try:
                yield self
            finally:
                self._observe()
                span.set_attribute("portal.upstream.attempts", self.attempts)

    def _observe(self) -> None:
        elapsed = time.perf_counter() - self._started
        _child(UPSTREAM_LATENCY, self.vendor, self.endpoint).observe(elapsed)

    def attempt(self) -> int:
        self.attempts += 1
        attempt_number.set(self.attempts)
        return self.attempts

    def sent(self) -> None:
        """The attempt goes on the wire (not refused by the breaker or the deadline)."""
        tally = _tally.get()
        if tally is not None:
            tally.upstream_calls += 1

    def answered(self, status: int) -> None:
        _child(UPSTREAM_CALLS, self.vendor, self.endpoint, _status_class(status)).inc()
        self._span.set_attribute("http.response.status_code", status)
        if status >= 500 or status == 429:
            self._span.set_status(StatusCode.ERROR, f"HTTP {status}")

    def failed(self, outcome: str) -> None:
        """No HTTP answer: `timeout`, `error` (refused, reset) or `circuit_open`."""
        _child(UPSTREAM_CALLS, self.vendor, self.endpoint, outcome).inc()
        self._span.set_attribute("portal.upstream.outcome", outcome)
        self._span.set_status(StatusCode.ERROR, outcome)


@functools.cache
def _child(metric: Any, *labels: str) -> Any:
    """A metric's labelled child, looked up once (labels are bounded, so is this cache)."""
    return metric.labels(*labels)


def _status_class(status: int) -> str:
    return "429" if status == 429 else f"{status // 100}xx"


def retry_decided(vendor: str, *, taken: bool) -> None:
    UPSTREAM_RETRIES.labels(vendor, "taken" if taken else "budget_empty").inc()


def guard_state(vendor: str, breaker_state: str, budget_tokens: float) -> None:
    BREAKER_STATE.labels(vendor).set(BREAKER_LEVELS.get(breaker_state, 0))
    RETRY_BUDGET.labels(vendor).set(budget_tokens)


def client_trace_configs(vendor: str) -> list[aiohttp.TraceConfig]:
    """aiohttp's own OpenTelemetry instrumentation for one vendor's session: a CLIENT span
    per attempt, under the call's span, with the URL cut to its template. None while
    tracing is off, so that sessions then carry no tracing hooks at all."""
    if not tracing_enabled():
        return []

    def url_filter(url: yarl.URL) -> str:
        return f"{url.scheme}://{url.host}{endpoint_template(vendor, str(url))}"

    def request_hook(span: Span, params: aiohttp.TraceRequestStartParams) -> None:
        span.set_attribute("portal.upstream.attempt", attempt_number.get())

    return [create_trace_config(url_filter=url_filter, request_hook=request_hook)]


_tracing = False


def tracing_installed() -> None:
    """Called by web/tracing.py once the process's SDK provider is in place."""
    global _tracing
    _tracing = isinstance(trace.get_tracer_provider(), SdkTracerProvider)


def tracing_enabled() -> bool:
    """Has the process installed an SDK tracer provider (web/tracing.py)? A flag, not a
    look at the provider: it is asked on every upstream call."""
    return _tracing
