"""Refuses an operation any of whose text inputs (variables or string literals) is not
well-formed Unicode or holds a NUL, before anything runs (resolvers/request/well_formed_text.py)."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import DocumentNode, GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension

from resolvers.request.well_formed_text import is_well_formed, malformed_path


class WellFormedText(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        where = malformed_path(context.variables or {})
        if where is not None:
            raise _refusal(f"Variable `{where}`")
        if context.graphql_document is not None and _has_malformed_literal(
            context.graphql_document
        ):
            raise _refusal("A string in the document")
        yield


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.malformed = False

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        if not is_well_formed(node.value):
            self.malformed = True


def _has_malformed_literal(document: DocumentNode) -> bool:
    literals = _Literals()
    visit(document, literals)
    return literals.malformed


def _refusal(what: str) -> GraphQLError:
    return GraphQLError(
        f"{what} is not well-formed text (a NUL or a lone surrogate).",
        extensions={"code": "BAD_USER_INPUT"},
    )
