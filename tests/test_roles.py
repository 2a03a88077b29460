"""Who may call a mutation is declared on its field (schema/roles.py): a mutation added
without a role rule fails here, so no write relies on a check made by hand."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.permission import PermissionExtension
from strawberry.types.base import get_object_definition

from auth.permissions import Permission
from schema.mutation import Mutation
from schema.roles import HasRole


def _rules(extensions: Sequence[object]) -> list[Permission]:
    return [
        permission.permission
        for extension in extensions
        if isinstance(extension, PermissionExtension)
        for permission in extension.permissions
        if isinstance(permission, HasRole)
    ]


def test_every_mutation_declares_the_roles_that_may_call_it() -> None:
    definition = get_object_definition(Mutation, strict=True)
    undeclared = [f.python_name for f in definition.fields if len(_rules(f.extensions)) != 1]
    assert definition.fields
    assert undeclared == []
