"""Who may do what: one `Permission` per kind of portal write, checked by the resolvers
before anything is read or written upstream (docs/architecture.md, "Layers")."""

from __future__ import annotations

from dataclasses import dataclass

from auth.viewer import Role, Viewer


@dataclass(frozen=True)
class Permission:
    action: str  # completes "Your role may not ...", e.g. "change the account's details"
    roles: frozenset[Role]

    def allows(self, viewer: Viewer) -> bool:
        return viewer.role in self.roles

    def refusal(self, viewer: Viewer) -> str:
        allowed = " or ".join(sorted(r.value for r in self.roles))
        return f"Your role ({viewer.role.value}) may not {self.action}; ask a {allowed}."


EVERY_ROLE = frozenset(Role)

UPDATE_ACCOUNT_DETAILS = Permission("change the account's details", frozenset({Role.ADMIN}))
# Members edit their own record whatever their role: it is theirs, not the account's.
UPDATE_OWN_PROFILE = Permission("change your profile", EVERY_ROLE)
UPDATE_OWN_NOTIFICATIONS = Permission("change your notification preferences", EVERY_ROLE)
SUBMIT_TICKETS = Permission("open or comment on tickets", frozenset({Role.ADMIN, Role.USER}))
