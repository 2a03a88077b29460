"""Mutations of the subscription's plan and seats (ADMIN): preview a change, then apply it
with the preview's `prorationDate`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from auth.permissions import MANAGE_BILLING
from resolvers import subscription_changes
from resolvers.subscription_changes import ChangePreview
from schema.billing import InvoiceLinePreview, Plan, Subscription
from schema.context import Info
from schema.money import Money
from schema.roles import allowed_to
from schema.user_errors import UserError, user_errors


@strawberry.enum
class ChangeTiming(Enum):
    IMMEDIATELY = subscription_changes.NOW
    AT_PERIOD_END = subscription_changes.PERIOD_END


@strawberry.input
class SubscriptionChangeInput:
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="A sub-account's id; the member's own account by default."
    )
    price_id: strawberry.ID = strawberry.field(description="A `Plan.priceId` of `plans`.")
    quantity: int = strawberry.field(description="Seats; 1 for a flat plan.")


@strawberry.input
class ChangeSubscriptionInput:
    account_id: strawberry.ID | None = None
    price_id: strawberry.ID
    quantity: int
    proration_date: str = strawberry.field(
        description="From `previewSubscriptionChange`: the change is billed as previewed. "
        "Valid for a few minutes."
    )


@strawberry.type(description="What a change would cost, as Stripe computes it now.")
class SubscriptionChangePreview:
    plan: Plan
    quantity: int
    timing: ChangeTiming
    effective_at: datetime
    lines: list[InvoiceLinePreview] = strawberry.field(description="Billed now, if anything.")
    amount_due_now: Money
    next_invoice_total: Money = strawberry.field(description="Metered usage not included.")
    next_invoice_at: datetime
    proration_date: str = strawberry.field(description="Pass it to `changeSubscription`.")

    @classmethod
    def from_upstream(cls, preview: ChangePreview) -> SubscriptionChangePreview:
        currency = preview.currency
        return cls(
            plan=Plan.from_upstream(preview.plan), quantity=preview.quantity,
            timing=ChangeTiming(preview.timing), effective_at=preview.effective_at,
            lines=[InvoiceLinePreview.from_upstream(ln, currency) for ln in preview.lines],
            amount_due_now=Money.of(preview.amount_due_now, currency),
            next_invoice_total=Money.of(preview.next_invoice_total, currency),
            next_invoice_at=preview.next_invoice_at, proration_date=preview.proration_date,
        )  # fmt: skip


@strawberry.type
class PreviewSubscriptionChangePayload:
    preview: SubscriptionChangePreview | None
    user_errors: list[UserError]


@strawberry.type
class ChangeSubscriptionPayload:
    subscription: Subscription | None
    timing: ChangeTiming | None
    invoice_id: strawberry.ID | None = strawberry.field(
        description="The Invoice that billed the prorations now, if any."
    )
    user_errors: list[UserError]


@strawberry.type
class SubscriptionChangeMutations:
    @strawberry.mutation(
        description="What a plan or seat change costs; changes nothing.",
        extensions=allowed_to(MANAGE_BILLING),
    )
    async def preview_subscription_change(
        self, info: Info, input: SubscriptionChangeInput
    ) -> PreviewSubscriptionChangePayload:
        result = await subscription_changes.preview_change(
            info.context, _id(input.account_id), str(input.price_id), input.quantity
        )
        preview = result.record
        return PreviewSubscriptionChangePayload(
            preview=None if preview is None else SubscriptionChangePreview.from_upstream(preview),
            user_errors=user_errors(result.problems),
        )

    @strawberry.mutation(
        description="Applies a previewed change, billed as previewed.",
        extensions=allowed_to(MANAGE_BILLING),
    )
    async def change_subscription(
        self, info: Info, input: ChangeSubscriptionInput
    ) -> ChangeSubscriptionPayload:
        ctx = info.context
        result = await subscription_changes.change(
            ctx, _id(input.account_id), str(input.price_id), input.quantity,
            input.proration_date,
        )  # fmt: skip
        applied = result.record
        if applied is None:
            return ChangeSubscriptionPayload(
                subscription=None, timing=None, invoice_id=None,
                user_errors=user_errors(result.problems),
            )  # fmt: skip
        account_id = await subscription_changes.account_id_of(ctx, _id(input.account_id))
        invoice = applied.invoice_id
        return ChangeSubscriptionPayload(
            subscription=Subscription.from_upstream(applied.subscription, account_id),
            timing=ChangeTiming(applied.timing),
            invoice_id=None if invoice is None else strawberry.ID(
                subscription_changes.invoice_global_id(account_id, invoice)
            ),
            user_errors=user_errors(result.problems),
        )  # fmt: skip


def _id(value: strawberry.ID | None) -> str | None:
    return None if value is None else str(value)
