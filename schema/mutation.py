"""The Mutation root: one class of mutations per feature, merged into one type."""

from __future__ import annotations

from strawberry.tools import merge_types

from schema.accounts import AccountMutations
from schema.api_tokens import ApiTokenMutations
from schema.cancellations import CancellationMutations
from schema.notifications import NotificationMutations
from schema.payments import PaymentMutations
from schema.subscription_changes import SubscriptionChangeMutations
from schema.team import ProfileMutations
from schema.team_changes import TeamMutations
from schema.tickets import TicketMutations
from schema.webhook_endpoints import WebhookEndpointMutations

# Each feature adds its mutations class to this tuple.
MUTATION_CLASSES: tuple[type, ...] = (
    ApiTokenMutations,
    AccountMutations,
    ProfileMutations,
    TeamMutations,
    TicketMutations,
    SubscriptionChangeMutations,
    CancellationMutations,
    PaymentMutations,
    NotificationMutations,
    WebhookEndpointMutations,
)

Mutation = merge_types("Mutation", MUTATION_CLASSES) if MUTATION_CLASSES else None
