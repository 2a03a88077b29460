"""A limit on what one operation may ask for, counting list sizes: each field costs one,
times the `first`/`last` of every list above it. `team(first: 100) { nodes { name } }`
costs 1 + 100 * 2, so a query cannot multiply its way past the limit with nested pages
the way it could under a depth or alias limit alone.

A connection without `first` counts its default page size; fragments count where they are
spread (each fragment's cost is worked out once, so fragment fan-out cannot make the count
itself expensive).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.type.definition import GraphQLInterfaceType, GraphQLNamedType
from strawberry.extensions import SchemaExtension

from resolvers.request.pages import MAX_PAGE_SIZE

# resolvers/pages.py: a connection's page when `first` is absent, and the most it may ask
# for (larger `first`s are refused there, with a clearer message than a cost).
DEFAULT_PAGE_SIZE = 10
_SIZE_ARGUMENTS = ("first", "last")


class CostLimit(SchemaExtension):
    def __init__(self, *, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            operation = context.operation_name
            cost = query_cost(context.schema._schema, document.definitions, operation,
                              context.variables or {})  # fmt: skip
            if cost > self.max_cost:
                raise GraphQLError(
                    f"Query cost {cost} is over the limit of {self.max_cost}: ask for "
                    "smaller pages (`first`) or fewer fields.",
                    extensions={"code": "BAD_USER_INPUT"},
                )
        yield


def query_cost(
    schema: GraphQLSchema,
    definitions: Any,
    operation_name: str | None,
    variables: Mapping[str, Any],
) -> int:
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    chosen = [o for o in operations if operation_name is None or (o.name and
              o.name.value == operation_name)]  # fmt: skip
    if not chosen:
        return 0
    operation = chosen[0]
    root = schema.get_root_type(operation.operation)
    return _Counter(schema, fragments, variables).selection_cost(operation.selection_set, root)


class _Counter:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self._fragment_costs: dict[str, int] = {}

    def selection_cost(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field_cost(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_cost(selection.selection_set, inner)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment_cost(selection.name.value)
        return total

    def _fragment_cost(self, name: str) -> int:
        if name not in self._fragment_costs:
            self._fragment_costs[name] = 0  # a cycle (validation refuses them) counts nothing
            fragment = self.fragments.get(name)
            if fragment is not None:
                parent = self.schema.get_type(fragment.type_condition.name.value)
                self._fragment_costs[name] = self.selection_cost(fragment.selection_set, parent)
        return self._fragment_costs[name]

    def _field_cost(self, node: FieldNode, parent: GraphQLNamedType | None) -> int:
        definition = None
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(node.name.value)
        child = get_named_type(definition.type) if definition else None
        size = self._list_size(node, definition.args if definition else {})
        return 1 + size * self.selection_cost(node.selection_set, child)

    def _list_size(self, node: FieldNode, arguments: Mapping[str, Any]) -> int:
        for argument in node.arguments or ():
            if argument.name.value in _SIZE_ARGUMENTS:
                value = argument.value
                if isinstance(value, IntValueNode):
                    return _bounded(int(value.value))
                if isinstance(value, VariableNode):
                    given = self.variables.get(value.name.value)
                    if isinstance(given, int):
                        return _bounded(given)
                return DEFAULT_PAGE_SIZE
        declared = next((arguments[a] for a in _SIZE_ARGUMENTS if a in arguments), None)
        if declared is None:
            return 1
        default = declared.default_value
        return _bounded(default) if isinstance(default, int) else DEFAULT_PAGE_SIZE


def _bounded(size: int) -> int:
    return min(max(0, size), MAX_PAGE_SIZE)
