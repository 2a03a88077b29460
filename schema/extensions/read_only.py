"""Read-only credentials (API tokens) may not run mutations: the whole operation is refused
with FORBIDDEN before any resolver runs, whichever feature the mutation belongs to."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from resolvers.request.context import RequestContext
from resolvers.request.errors import forbidden

READ_ONLY_MESSAGE = "API tokens are read-only: sign in as a person to change anything."


class RefuseWritesOfReadOnlyCredentials(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if (
            self.execution_context.operation_type is OperationType.MUTATION
            and isinstance(context, RequestContext)
            and context.viewer is not None
            and context.viewer.read_only
        ):
            # A result set before execution makes Strawberry skip executing the operation.
            self.execution_context.result = ExecutionResult(
                data=None, errors=[forbidden(READ_ONLY_MESSAGE)]
            )
        yield
