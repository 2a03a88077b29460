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
