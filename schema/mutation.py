"""The Mutation root: one class of mutations per feature, merged into one type."""

from __future__ import annotations

from strawberry.tools import merge_types

from schema.api_token import ApiTokenMutations
from schema.mutations_account import AccountMutations
from schema.mutations_profile import ProfileMutations
from schema.mutations_tickets import TicketMutations
from schema.notifications import NotificationMutations

# Each feature adds its mutations class to this tuple.
MUTATION_CLASSES: tuple[type, ...] = (
    ApiTokenMutations,
    AccountMutations,
    ProfileMutations,
    TicketMutations,
    NotificationMutations,
)

Mutation = merge_types("Mutation", MUTATION_CLASSES) if MUTATION_CLASSES else None
