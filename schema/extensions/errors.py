"""Turns what resolvers raise into the errors clients see (docs/architecture.md, "The error
model").

- GraphQL errors that already carry `extensions.code` pass as they are.
- `UpstreamError`s become UPSTREAM_* errors naming the service, nothing more.
- Validation and parse errors get BAD_USER_INPUT / GRAPHQL_PARSE_FAILED.
- Anything else is a bug: the client sees INTERNAL with a request id; the log has the rest.
- While tracing is on, every error carries `extensions.traceId`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from connectors.http import UpstreamError
from connectors.telemetry import current_trace_id
from resolvers.request.errors import upstream_failure

log = logging.getLogger("portal.graphql")


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        self._classify_errors_of(self.execution_context.result)

    def on_stream_result(self, result: object) -> Iterator[None]:
        """Each result a subscription (or an operation sent over SSE or WebSocket) streams is
        sent before the operation ends, so `on_operation` would see it too late."""
        self._classify_errors_of(result)
        yield

    def _classify_errors_of(self, result: object) -> None:
        errors: list[GraphQLError] | None = getattr(result, "errors", None)
        if not errors:
            return
        classified = [self._classify(error) for error in errors]
        trace_id = current_trace_id()
        if trace_id is not None:  # tracing is on: support finds the whole request by it
            for error in classified:
                error.extensions = {**(error.extensions or {}), "traceId": trace_id}
        result.errors = classified  # type: ignore[attr-defined]

    def _classify(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, GraphQLError) and (original.extensions or {}).get("code"):
            return _at(error, original.message, original.extensions or {})
        if (error.extensions or {}).get("code"):
            return error
        if isinstance(original, UpstreamError):
            log.warning("upstream failure at %s: %s", error.path, original)
            mapped = upstream_failure(original)
            return _at(error, mapped.message, mapped.extensions or {})
        if original is None or _is_bad_variable(error):
            code = "GRAPHQL_PARSE_FAILED" if error.message.startswith("Syntax Error") else (
                "BAD_USER_INPUT")  # fmt: skip
            return _at(error, error.message, {"code": code})
        request_id = self._request_id()
        log.error("internal error %s at %s", request_id, error.path, exc_info=original)
        return _at(
            error,
            f"Internal error; quote request id {request_id} to support.",
            {"code": "INTERNAL", "requestId": request_id},
        )

    def _request_id(self) -> str:
        """The id the access log line of this request carries (web/access_log.py), so that
        support finds the line from what the client quotes; a fresh one outside HTTP."""
        request = getattr(self.execution_context.context, "request", None)
        found = request.scope.get("state", {}).get("request_id") if request else None
        return found if isinstance(found, str) else uuid.uuid4().hex


def _is_bad_variable(error: GraphQLError) -> bool:
    """A variable that failed coercion: graphql-core wraps the scalar's or enum's own error,
    before execution starts (so with no path). The client sent it; it is no bug of ours."""
    return error.path is None and isinstance(error.original_error, GraphQLError)


def _at(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=dict(extensions),
    )
