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
