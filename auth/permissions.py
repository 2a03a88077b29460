"""Who may do what: one `Permission` per kind of portal write, declared on the GraphQL field
it guards (`schema/roles.py`) and checked before the resolver runs, so before anything is
read or written upstream (docs/architecture.md, "Layers")."""

from __future__ import annotations

from dataclasses import dataclass

from auth.viewer import Credential, Role, Viewer


@dataclass(frozen=True)
class Permission:
    action: str  # completes "Your role may not ...", e.g. "change the account's details"
    roles: frozenset[Role]
    credentials: frozenset[Credential] = frozenset(Credential)
    message: str | None = None  # a refusal of its own, instead of the one naming the role

    def allows(self, viewer: Viewer) -> bool:
        return viewer.role in self.roles and viewer.credential in self.credentials

    def refusal(self, viewer: Viewer) -> str:
        if self.message is not None:
            return self.message
        allowed = " or ".join(sorted(r.value for r in self.roles))
        article = "an" if allowed[0] in "AEIOU" else "a"  # "an ADMIN", "a USER"
        return f"Your role ({viewer.role.value}) may not {self.action}; ask {article} {allowed}."


EVERY_ROLE = frozenset(Role)

UPDATE_ACCOUNT_DETAILS = Permission("change the account's details", frozenset({Role.ADMIN}))
# Members edit their own record whatever their role: it is theirs, not the account's.
UPDATE_OWN_PROFILE = Permission("change your profile", EVERY_ROLE)
UPDATE_OWN_NOTIFICATIONS = Permission("change your notification preferences", EVERY_ROLE)
SUBMIT_TICKETS = Permission("open or comment on tickets", frozenset({Role.ADMIN, Role.USER}))
# Reads too (the list of tokens), so an API token is refused here as well, not only by the
# read-only rule on mutations.
MANAGE_API_TOKENS = Permission(
    "manage the account's API tokens",
    frozenset({Role.ADMIN}),
    credentials=frozenset({Credential.SESSION}),
    message="Only an ADMIN of the account, signed in, manages its API tokens.",
)
# Inviting, re-roling, deactivating and removing people: the account's ADMINs (and the
# ADMINs of its parent company, through account visibility), signed in.
MANAGE_TEAM = Permission("manage the team", frozenset({Role.ADMIN}))
# The subscription, payment methods and paying invoices: an ADMIN, signed in as a person.
MANAGE_BILLING = Permission(
    "change the subscription, payment methods or pay invoices",
    frozenset({Role.ADMIN}),
    credentials=frozenset({Credential.SESSION}),
)
# Reads too (the endpoints and their delivery log), as with API tokens.
MANAGE_WEBHOOK_ENDPOINTS = Permission(
    "manage the account's webhook endpoints",
    frozenset({Role.ADMIN}),
    credentials=frozenset({Credential.SESSION}),
    message="Only an ADMIN of the account, signed in, manages its webhook endpoints.",
)
MARK_OWN_NOTIFICATIONS_READ = Permission("mark your notifications read", EVERY_ROLE)
