"""Role rules declared on the field: `extensions=allowed_to(P)` with a `Permission` of
auth/permissions.py answers FORBIDDEN (UNAUTHENTICATED when signed out) before the field's
resolver runs. Ownership of records is checked where they are resolved
(resolvers/request/access.py)."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension

from auth.permissions import Permission
from resolvers.request.errors import forbidden
from schema.context import Info


class HasRole(BasePermission):
    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer = info.context.require_viewer()
        if not self.permission.allows(viewer):
            # The refusal names the viewer's role, so it is raised here: Strawberry's own
            # `message` is one fixed text per permission.
            raise forbidden(self.permission.refusal(viewer))
        return True


def allowed_to(permission: Permission) -> list[FieldExtension]:
    """The `extensions=` of a field only `permission` allows. No schema directive is
    added: who may call a field is not part of the published schema."""
    return [PermissionExtension([HasRole(permission)], use_directives=False)]
