"""A span per GraphQL operation: its name, type and document hash, the viewer's account id
(an id, never a name or an email), how many upstream calls and cache lookups it made, and the
error codes it answered with. The operation's name and outcome also go into the request's
state, for the access log line and the latency histogram (web/)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from graphql import GraphQLError
from opentelemetry import trace
from opentelemetry.trace import StatusCode
from strawberry.extensions import SchemaExtension

from connectors.telemetry import current_tally, tracing_enabled

tracer = trace.get_tracer("portal.graphql")

OPERATION = "graphql_operation"  # keys in the ASGI scope's state
OUTCOME = "graphql_outcome"
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,99}$")


class OperationTelemetry(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        if not tracing_enabled():  # no span at all: not even the API's no-op one
            try:
                yield
            finally:
                self._finish(trace.INVALID_SPAN)
            return
        with tracer.start_as_current_span("graphql", record_exception=False) as span:
            try:
                yield
            finally:
                self._finish(span)

    def _finish(self, span: trace.Span) -> None:
        context = self.execution_context
        name = _operation_name(context.operation_name)
        errors = list(getattr(context.result, "errors", None) or context.pre_execution_errors or [])
        outcome = _outcome(context.result, errors)
        state = _state(context.context)
        state[OPERATION], state[OUTCOME] = name, outcome
        if not span.is_recording():
            return
        kind = _operation_type(context)
        span.update_name(f"graphql {kind} {name or 'anonymous'}")
        span.set_attributes(
            {
                "graphql.operation.name": name or "",
                "graphql.operation.type": kind,
                "graphql.document.hash": _hash(context.query),
                "portal.viewer.account_id": _account_id(context.context),
                "portal.graphql.outcome": outcome,
                "portal.graphql.error_codes": sorted({_code(e) for e in errors}),
            }
        )
        tally = current_tally()
        if tally is not None:
            span.set_attribute("portal.upstream.calls", tally.upstream_calls)
            for result, count in tally.cache.items():
                span.set_attribute(f"portal.cache.{result}", count)
        if outcome == "error":
            span.set_status(StatusCode.ERROR, "no data")


def _operation_name(name: str | None) -> str | None:
    return name if name and _NAME.match(name) else None


def _operation_type(context: object) -> str:
    try:
        kind = getattr(context, "operation_type", None)
    except Exception:  # strawberry raises when the document did not parse
        return "unknown"
    return str(getattr(kind, "value", kind or "unknown"))


def _outcome(result: object, errors: list[GraphQLError]) -> str:
    if not errors:
        return "ok"
    return "partial" if getattr(result, "data", None) else "error"


def _code(error: GraphQLError) -> str:
    return str((error.extensions or {}).get("code", "UNKNOWN"))


def _hash(query: str | None) -> str:
    return hashlib.sha256((query or "").encode()).hexdigest()


def _account_id(context: object) -> str:
    viewer = getattr(context, "viewer", None)
    member_of = getattr(viewer, "member_of", ())
    return str(member_of[0]) if member_of else ""


def _state(context: object) -> dict[str, object]:
    request = getattr(context, "request", None)
    if request is None:
        return {}
    state: dict[str, object] = request.scope.setdefault("state", {})
    return state
