"""A Stripe customer's payment methods: list them with the default, add one through a
Stripe-hosted Checkout page in setup mode (card data never reaches us), make one the
default for invoices, detach one. Writes carry the caller's Idempotency-Key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import stripe

from connectors.http import gather_aligned
from connectors.stripe import _all, _call, _id_of, _time


@dataclass(frozen=True)
class PaymentMethod:
    id: str
    customer_id: str | None
    type: str  # card, sepa_debit, us_bank_account, ...
    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None
    created: datetime

    @property
    def label(self) -> str:
        return f"{self.brand or self.type} ending {self.last4 or '?'}"


@dataclass(frozen=True)
class PaymentMethods:
    default_id: str | None  # the customer's default for invoices
    methods: tuple[PaymentMethod, ...]
    last_portal_change: str | None = None  # the customer's metadata `portal_change`

    def find(self, payment_method_id: str) -> PaymentMethod | None:
        return next((m for m in self.methods if m.id == payment_method_id), None)


async def payment_methods_of_customer(
    client: stripe.StripeClient, customer_id: str
) -> PaymentMethods:
    """Every payment method attached to the customer, oldest first, and the default; the
    list and the customer are read concurrently (one round trip)."""
    found, customer = await gather_aligned(
        _all(
            lambda params: client.v1.customers.payment_methods.list_async(
                customer_id, params=params
            ),
            {},
        ),
        _call(client.v1.customers.retrieve_async(customer_id)),
    )
    settings = customer.invoice_settings
    default = _id_of(settings.default_payment_method) if settings else None
    methods = sorted((_method(pm) for pm in found), key=lambda m: (m.created, m.id))
    change = customer.metadata.to_dict().get("portal_change") if customer.metadata else None
    return PaymentMethods(default, tuple(methods), change)


def _method(payment_method: stripe.PaymentMethod) -> PaymentMethod:
    card = payment_method.card
    return PaymentMethod(
        id=payment_method.id,
        customer_id=_id_of(payment_method.customer),
        type=payment_method.type,
        brand=card.brand if card else None,
        last4=card.last4 if card else None,
        exp_month=card.exp_month if card else None,
        exp_year=card.exp_year if card else None,
        created=_time(payment_method.created),
    )


async def create_setup_session(
    client: stripe.StripeClient,
    customer_id: str,
    currency: str | None,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
) -> str:
    """A Checkout session in setup mode for the customer; answers its page's URL."""
    params: dict[str, Any] = {
        "mode": "setup",
        "customer": customer_id,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "payment_method_types": ["card"],
    }
    if currency:
        params["currency"] = currency
    session = await _call(
        client.v1.checkout.sessions.create_async(
            params=cast(Any, params), options={"idempotency_key": idempotency_key}
        )
    )
    if not session.url:
        raise ValueError("Stripe answered a setup session without a URL")
    return session.url


async def set_default(
    client: stripe.StripeClient, customer_id: str, payment_method_id: str, idempotency_key: str
) -> None:
    await _call(
        client.v1.customers.update_async(
            customer_id,
            params={
                "invoice_settings": {"default_payment_method": payment_method_id},
                "metadata": {"portal_change": idempotency_key},
            },
            options={"idempotency_key": idempotency_key},
        )
    )


async def set_subscription_default(
    client: stripe.StripeClient, subscription_id: str, payment_method_id: str, idempotency_key: str
) -> None:
    """A subscription's own default card comes before the customer's: it follows too."""
    await _call(
        client.v1.subscriptions.update_async(
            subscription_id,
            params={"default_payment_method": payment_method_id},
            options={"idempotency_key": idempotency_key},
        )
    )


async def detach(client: stripe.StripeClient, payment_method_id: str, idempotency_key: str) -> None:
    await _call(
        client.v1.payment_methods.detach_async(
            payment_method_id, options={"idempotency_key": idempotency_key}
        )
    )
