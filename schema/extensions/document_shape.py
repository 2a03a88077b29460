"""How big a GraphQL document really is once its fragments are spread: depth, aliases and
fields, worked out in one pass over the document with each fragment measured once.

Walking fragments where they are spread (as strawberry's depth and alias rules do) is
exponential in a document whose fragments each spread the one below twice; measuring each
fragment once and adding the measures up is linear, however large the sums get.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


@dataclass(frozen=True)
class DocumentLimits:
    max_depth: int
    max_aliases: int
    max_fields: int  # fields of one operation, counted where its fragments are spread
    max_spreads: int  # `...Name` in the text, counted before anything is expanded


@dataclass(frozen=True)
class Shape:
    depth: int  # nested fields with selections; introspection fields (`__x`) count nothing
    aliases: int
    fields: int

    def __add__(self, other: Shape) -> Shape:
        return Shape(
            max(self.depth, other.depth), self.aliases + other.aliases, self.fields + other.fields
        )


_EMPTY = Shape(0, 0, 0)


def shape_errors(document: DocumentNode, limits: DocumentLimits) -> list[GraphQLError]:
    """The limits this document breaks, each as a BAD_USER_INPUT error; [] if none."""
    spreads = _count_spreads(document)
    if spreads > limits.max_spreads:
        return [_refusal(f"The document spreads fragments {spreads} times; at most "
                         f"{limits.max_spreads} are allowed.")]  # fmt: skip
    measure = _Measure(document)
    errors: list[GraphQLError] = []
    for operation in document.definitions:
        if isinstance(operation, OperationDefinitionNode):
            errors += _over_limits(_name(operation), measure.selections(operation.selection_set),
                                   limits)  # fmt: skip
    return errors


def _over_limits(name: str, shape: Shape, limits: DocumentLimits) -> list[GraphQLError]:
    checks = (
        (shape.depth, limits.max_depth, "exceeds maximum operation depth of"),
        (shape.aliases, limits.max_aliases, "has more aliases than the limit of"),
        (shape.fields, limits.max_fields, "selects more fields than the limit of"),
    )
    return [_refusal(f"'{name}' {what} {limit}.") for value, limit, what in checks if value > limit]


class _Measure:
    def __init__(self, document: DocumentNode) -> None:
        self._fragments: Mapping[str, FragmentDefinitionNode] = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._measured: dict[str, Shape] = {}

    def selections(self, selection_set: SelectionSetNode | None) -> Shape:
        total = _EMPTY
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += self._field(selection)
            elif isinstance(selection, InlineFragmentNode):
                total += self.selections(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value)
        return total

    def _field(self, field: FieldNode) -> Shape:
        inner = self.selections(field.selection_set)
        nested = field.selection_set is not None and not field.name.value.startswith("__")
        depth = 1 + inner.depth if nested else 0
        return Shape(depth, inner.aliases + (field.alias is not None), inner.fields + 1)

    def _fragment(self, name: str) -> Shape:
        if name not in self._measured:
            self._measured[name] = _EMPTY  # a cycle (validation refuses those) adds nothing
            fragment = self._fragments.get(name)
            if fragment is not None:
                self._measured[name] = self.selections(fragment.selection_set)
        return self._measured[name]


def _count_spreads(document: DocumentNode) -> int:
    count = 0
    pending: list[SelectionSetNode] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            pending.append(definition.selection_set)
    while pending:
        for selection in pending.pop().selections:
            count += isinstance(selection, FragmentSpreadNode)
            inner = getattr(selection, "selection_set", None)
            if inner is not None:
                pending.append(inner)
    return count


def _name(operation: OperationDefinitionNode) -> str:
    return operation.name.value if operation.name else "anonymous"


def _refusal(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})
