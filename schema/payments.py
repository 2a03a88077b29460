"""Mutations of how the account pays (ADMIN): add a card on Stripe's own page, choose the
default, remove one, pay an open invoice on Stripe's hosted invoice page."""

from __future__ import annotations

import strawberry

from auth.permissions import MANAGE_BILLING
from connectors.stripe_payment_methods import PaymentMethods
from resolvers import payments
from resolvers.request.writes import WriteResult
from schema.billing import PaymentMethod
from schema.context import Info
from schema.roles import allowed_to
from schema.user_errors import UserError, user_errors


@strawberry.input
class CreatePaymentMethodSetupInput:
    account_id: strawberry.ID | None = None
    return_path: str | None = strawberry.field(
        default=None,
        description='Where Stripe sends the member back, a path on the portal ("/billing").',
    )


@strawberry.input
class PaymentMethodInput:
    payment_method_id: strawberry.ID


@strawberry.input
class PayInvoiceInput:
    invoice_id: strawberry.ID


@strawberry.type
class CreatePaymentMethodSetupPayload:
    url: str | None = strawberry.field(description="Stripe's page; card data never reaches us.")
    user_errors: list[UserError]


@strawberry.type
class PaymentMethodsPayload:
    payment_methods: list[PaymentMethod] | None = strawberry.field(
        description="The account's payment methods after the change."
    )
    user_errors: list[UserError]


@strawberry.type
class PayInvoicePayload:
    url: str | None = strawberry.field(description="Stripe's hosted page to pay the invoice.")
    user_errors: list[UserError]


@strawberry.type
class PaymentMutations:
    @strawberry.mutation(
        description="A Stripe Checkout page (setup mode) to add a card.",
        extensions=allowed_to(MANAGE_BILLING),
    )
    async def create_payment_method_setup(
        self, info: Info, input: CreatePaymentMethodSetupInput | None = None
    ) -> CreatePaymentMethodSetupPayload:
        account_id = None if input is None or input.account_id is None else str(input.account_id)
        path = None if input is None else input.return_path
        result = await payments.create_setup(info.context, account_id, path)
        return CreatePaymentMethodSetupPayload(
            url=result.record, user_errors=user_errors(result.problems)
        )

    @strawberry.mutation(
        description="Invoices are charged to this payment method from now on.",
        extensions=allowed_to(MANAGE_BILLING),
    )
    async def set_default_payment_method(
        self, info: Info, input: PaymentMethodInput
    ) -> PaymentMethodsPayload:
        result = await payments.set_default(info.context, str(input.payment_method_id))
        return _payload(result, str(input.payment_method_id))

    @strawberry.mutation(
        description="Detaches the payment method in Stripe, for good.",
        extensions=allowed_to(MANAGE_BILLING),
    )
    async def remove_payment_method(
        self, info: Info, input: PaymentMethodInput
    ) -> PaymentMethodsPayload:
        result = await payments.remove(info.context, str(input.payment_method_id))
        return _payload(result, str(input.payment_method_id))

    @strawberry.mutation(
        description="Stripe's hosted page to pay an open invoice.",
        extensions=allowed_to(MANAGE_BILLING),
    )
    async def pay_invoice(self, info: Info, input: PayInvoiceInput) -> PayInvoicePayload:
        result = await payments.pay_invoice(info.context, str(input.invoice_id))
        return PayInvoicePayload(url=result.record, user_errors=user_errors(result.problems))


def _payload(result: WriteResult[PaymentMethods], global_id: str) -> PaymentMethodsPayload:
    if result.record is None:
        return PaymentMethodsPayload(payment_methods=None, user_errors=user_errors(result.problems))
    account_id = payments.account_of_payment_method(global_id)
    return PaymentMethodsPayload(
        payment_methods=PaymentMethod.all_of(result.record, account_id),
        user_errors=user_errors(result.problems),
    )
