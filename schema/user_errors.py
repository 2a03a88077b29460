"""`userErrors` of mutation payloads: what was wrong with the input, field by field."""

from __future__ import annotations

from enum import Enum

import strawberry

from resolvers.request.user_input import Problem, ProblemCode


@strawberry.enum
class UserErrorCode(Enum):
    REQUIRED = ProblemCode.REQUIRED.value
    TOO_LONG = ProblemCode.TOO_LONG.value
    INVALID = ProblemCode.INVALID.value
    INVALID_COUNTRY = ProblemCode.INVALID_COUNTRY.value
    INVALID_POSTAL_CODE = ProblemCode.INVALID_POSTAL_CODE.value
    INVALID_PHONE = ProblemCode.INVALID_PHONE.value
    PHONE_REQUIRED = ProblemCode.PHONE_REQUIRED.value
    STRIPE_BEHIND = strawberry.enum_value(
        ProblemCode.STRIPE_BEHIND.value,
        description="Saved in HubSpot; the Stripe customer is not yet: send it again.",
    )
    INVALID_EMAIL = ProblemCode.INVALID_EMAIL.value
    ALREADY_MEMBER = strawberry.enum_value(
        ProblemCode.ALREADY_MEMBER.value,
        description="The person is on the account's team already.",
    )
    SEAT_LIMIT = strawberry.enum_value(
        ProblemCode.SEAT_LIMIT.value,
        description="Every seat of the subscription is taken (active and invited members).",
    )
    LAST_ADMIN = strawberry.enum_value(
        ProblemCode.LAST_ADMIN.value,
        description="An account keeps at least one active ADMIN.",
    )
    SELF = strawberry.enum_value(
        ProblemCode.SELF.value,
        description="Nobody changes their own role, or deactivates or removes themselves.",
    )
    BUSY = strawberry.enum_value(
        ProblemCode.BUSY.value,
        description="Another change to the same team was being saved: send it again.",
    )
    NOT_FOUND = strawberry.enum_value(
        ProblemCode.NOT_FOUND.value, description="No such plan is offered to this account."
    )
    PRICE_ARCHIVED = strawberry.enum_value(
        ProblemCode.PRICE_ARCHIVED.value, description="The plan's price is no longer offered."
    )
    INVALID_QUANTITY = strawberry.enum_value(
        ProblemCode.INVALID_QUANTITY.value,
        description="Seats must be between 1 and the plan's maximum (1 for a flat plan).",
    )
    CURRENCY_MISMATCH = strawberry.enum_value(
        ProblemCode.CURRENCY_MISMATCH.value,
        description="The price is in another currency than the account is billed in.",
    )
    NO_CHANGE = strawberry.enum_value(
        ProblemCode.NO_CHANGE.value, description="The subscription already is like that."
    )
    NO_SUBSCRIPTION = strawberry.enum_value(
        ProblemCode.NO_SUBSCRIPTION.value, description="The account has no live subscription."
    )
    PREVIEW_EXPIRED = strawberry.enum_value(
        ProblemCode.PREVIEW_EXPIRED.value,
        description="The preview is too old (or the period changed since): preview again.",
    )
    PREVIEW_MISMATCH = strawberry.enum_value(
        ProblemCode.PREVIEW_MISMATCH.value,
        description="The `prorationDate` is not from a preview of this very change.",
    )
    ALREADY_CANCELLED = strawberry.enum_value(
        ProblemCode.ALREADY_CANCELLED.value,
        description="The subscription is cancelled or set to end at the period's end.",
    )
    NOT_CANCELLING = strawberry.enum_value(
        ProblemCode.NOT_CANCELLING.value, description="There is no cancellation to undo."
    )
    DEFAULT_IN_USE = strawberry.enum_value(
        ProblemCode.DEFAULT_IN_USE.value,
        description="The default payment method pays a live subscription: make another the "
        "default first.",
    )
    LAST_PAYMENT_METHOD = strawberry.enum_value(
        ProblemCode.LAST_PAYMENT_METHOD.value,
        description="A live subscription needs a payment method: add another first.",
    )
    INVOICE_NOT_OPEN = strawberry.enum_value(
        ProblemCode.INVOICE_NOT_OPEN.value, description="Only open invoices can be paid."
    )
    STRIPE_REFUSED = strawberry.enum_value(
        ProblemCode.STRIPE_REFUSED.value,
        description="Stripe refused the change; nothing was changed.",
    )


@strawberry.type(description="A problem with a mutation's input; nothing was written.")
class UserError:
    field: str | None = strawberry.field(
        description="The input field, e.g. `billingAddress.country`; null for the whole input."
    )
    message: str
    code: UserErrorCode


def user_errors(problems: list[Problem]) -> list[UserError]:
    return [
        UserError(field=p.field, message=p.message, code=UserErrorCode(p.code.value))
        for p in problems
    ]
