"""Mutations that end the subscription or undo that (ADMIN): cancel with a reason, resume."""

from __future__ import annotations

import strawberry

from auth.permissions import MANAGE_BILLING
from connectors.stripe import Subscription as SubscriptionRecord
from resolvers import cancellations, subscription_changes
from resolvers.request.writes import WriteResult
from schema.billing import CancellationReason, Subscription
from schema.context import Info
from schema.roles import allowed_to
from schema.user_errors import UserError, user_errors


@strawberry.input
class CancelSubscriptionInput:
    account_id: strawberry.ID | None = None
    at_period_end: bool = strawberry.field(
        default=True, description="False cancels at once, without a refund."
    )
    reason: CancellationReason | None = None
    feedback: str | None = strawberry.field(default=None, description="At most 5000 characters.")


@strawberry.input
class ResumeSubscriptionInput:
    account_id: strawberry.ID | None = None


@strawberry.type
class SubscriptionPayload:
    subscription: Subscription | None
    user_errors: list[UserError]


@strawberry.type
class CancellationMutations:
    @strawberry.mutation(
        description="Cancels at the period's end (or at once), with a reason.",
        extensions=allowed_to(MANAGE_BILLING),
    )
    async def cancel_subscription(
        self, info: Info, input: CancelSubscriptionInput
    ) -> SubscriptionPayload:
        reason = None if input.reason is None else input.reason.value
        result = await cancellations.cancel(
            info.context, _id(input.account_id), input.at_period_end, reason, input.feedback
        )
        return await _payload(info, input.account_id, result)

    @strawberry.mutation(
        description="Undoes a cancellation at the period's end.",
        extensions=allowed_to(MANAGE_BILLING),
    )
    async def resume_subscription(
        self, info: Info, input: ResumeSubscriptionInput | None = None
    ) -> SubscriptionPayload:
        account_id = None if input is None else input.account_id
        result = await cancellations.resume(info.context, _id(account_id))
        return await _payload(info, account_id, result)


async def _payload(
    info: Info,
    account_global_id: strawberry.ID | None,
    result: WriteResult[SubscriptionRecord],
) -> SubscriptionPayload:
    found = result.record
    if found is None:
        return SubscriptionPayload(subscription=None, user_errors=user_errors(result.problems))
    account_id = await subscription_changes.account_id_of(info.context, _id(account_global_id))
    return SubscriptionPayload(
        subscription=Subscription.from_upstream(found, account_id),
        user_errors=user_errors(result.problems),
    )


def _id(value: strawberry.ID | None) -> str | None:
    return None if value is None else str(value)
