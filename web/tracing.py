"""OpenTelemetry for the process: an SDK tracer provider exporting over OTLP when
`OTEL_EXPORTER_OTLP_ENDPOINT` is set (the standard OTEL_* variables configure the exporter),
and nothing at all otherwise: then no middleware, no client hooks, and our own spans fall
through the API's no-op tracer.

Tracing is a property of the process, not of one app: the provider is global (the way
OpenTelemetry's instrumentations expect it) and installed at most once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Span
from starlette.middleware import Middleware

from connectors.telemetry import tracing_enabled, tracing_installed
from web.routes_of import route_template

# Probes and scrapes would be most of the spans and say nothing.
UNTRACED_PATHS = "/healthz,/readyz,/metrics"


def install_tracing(
    env: Mapping[str, str] | None = None, exporter: SpanExporter | None = None
) -> TracerProvider | None:
    """The process's provider: OTLP when the environment asks for it; `exporter` (tests:
    an in-memory one) is exported to at once, span by span."""
    env = os.environ if env is None else env
    if exporter is not None:
        processor: SpanProcessor = SimpleSpanProcessor(exporter)
    elif env.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        processor = BatchSpanProcessor(OTLPSpanExporter())
    else:
        return current_provider()
    provider = current_provider()
    if provider is None:
        name = env.get("OTEL_SERVICE_NAME", "portal-gateway")
        provider = TracerProvider(resource=Resource.create({"service.name": name}))
        trace.set_tracer_provider(provider)
    provider.add_span_processor(processor)
    tracing_installed()
    return provider


def current_provider() -> TracerProvider | None:
    provider = trace.get_tracer_provider()
    return provider if isinstance(provider, TracerProvider) else None


def flush_traces(timeout_ms: int = 5000) -> None:
    """Sends what is still buffered (at shutdown: spans of the last requests)."""
    provider = current_provider()
    if provider is not None:
        provider.force_flush(timeout_ms)


def tracing_middleware() -> list[Middleware]:
    """The maintained ASGI instrumentation, outermost, when tracing is on: a SERVER span per
    request named by its route template, W3C trace context taken from the caller."""
    if not tracing_enabled():
        return []
    return [
        Middleware(
            OpenTelemetryMiddleware,
            excluded_urls=UNTRACED_PATHS,
            default_span_details=_span_details,
            exclude_spans=["receive", "send"],
            server_request_hook=_scrub,
        )
    ]


# Set by the instrumentation from the raw request; paths and query strings can hold tokens
# (magic links, signed download links) and ids, and addresses are personal data.
_URL_ATTRIBUTES = ("http.target", "url.path", "http.url", "url.full")
_DROPPED_ATTRIBUTES = (
    "url.query", "client.address", "client.port", "net.peer.ip", "net.peer.port",
    "http.client_ip", "http.user_agent", "user_agent.original",
)  # fmt: skip


def _scrub(span: Span, scope: dict[str, Any]) -> None:
    if not span.is_recording():
        return
    route = route_template(scope)
    for name in _URL_ATTRIBUTES:
        span.set_attribute(name, route)
    for name in _DROPPED_ATTRIBUTES:
        span.set_attribute(name, "")


def _span_details(scope: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    route = route_template(scope)
    return f"{scope.get('method', '')} {route}".strip(), {"http.route": route}
