"""How an account pays (ADMIN): add a card on a Stripe-hosted Checkout page (card data never
reaches the gateway), choose the default, remove one, and pay an open invoice on Stripe's
hosted invoice page.

Stripe calls: setup → 1 (Checkout session) + the HubSpot note; default → list + customer
(one round trip) + customer update (+ the subscription's own default, when it has one) +
note; remove → list + customer + detach + note (+ the
subscription list when not cached); pay → the invoice, read fresh: 1, nothing written."""

from __future__ import annotations

import time

from cache import scopes
from connectors import stripe, stripe_payment_methods
from connectors.http import Rejected
from connectors.hubspot import Company
from connectors.stripe_payment_methods import PaymentMethod, PaymentMethods
from resolvers import billing
from resolvers.accounts import account_or_primary
from resolvers.idempotency import derived_key
from resolvers.invoices import owns_invoice
from resolvers.request import audit
from resolvers.request.access import visible_account
from resolvers.request.context import RequestContext
from resolvers.request.errors import not_found
from resolvers.request.ids import decode_id
from resolvers.request.user_input import Problem, ProblemCode
from resolvers.request.writes import WriteResult

_ENDED = ("canceled", "incomplete_expired")
SETUP_KEY_WINDOW_S = 600  # a second click within this gets the same Checkout page


async def create_setup(
    ctx: RequestContext, account_id: str | None, return_path: str | None
) -> WriteResult[str]:
    viewer = ctx.require_viewer()  # an ADMIN: the field's role rule (MANAGE_BILLING)
    account = await account_or_primary(ctx, account_id)
    path = return_path or "/billing"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return WriteResult(None, [Problem(
            "returnPath", "A path on the portal, starting with a single /.", ProblemCode.INVALID
        )])  # fmt: skip
    if account.stripe_customer_id is None:
        return WriteResult(None, [_no_customer()])
    back = ctx.services.public_url + path + ("&" if "?" in path else "?")
    window = int(time.time()) // SETUP_KEY_WINDOW_S
    key = derived_key("setup", account.stripe_customer_id, viewer.contact_id, path, window)
    try:
        url = await stripe_payment_methods.create_setup_session(
            ctx.services.upstreams.stripe, account.stripe_customer_id, None,
            back + "setup=complete", back + "setup=cancelled", key,
        )  # fmt: skip
    except Rejected as exc:
        return WriteResult(None, [_refused(exc)])
    await audit.record(ctx, viewer, account.id, "opened the Stripe page to add a payment method")
    return WriteResult(url)


async def set_default(ctx: RequestContext, global_id: str) -> WriteResult[PaymentMethods]:
    viewer = ctx.require_viewer()  # an ADMIN: the field's role rule (MANAGE_BILLING)
    account, methods, chosen = await _owned(ctx, global_id)
    customer_id = _customer(account)
    if methods.default_id == chosen.id:
        return WriteResult(methods)
    key = derived_key("default", customer_id, chosen.id, methods.last_portal_change)
    client = ctx.services.upstreams.stripe
    subscription = await billing.current_subscription(ctx, account)
    try:
        await stripe_payment_methods.set_default(client, customer_id, chosen.id, key)
        if subscription is not None and subscription.default_payment_method_id not in (
            None, chosen.id,
        ):  # fmt: skip
            await stripe_payment_methods.set_subscription_default(
                client, subscription.id, chosen.id, f"{key}-subscription"
            )
    except Rejected as exc:
        return WriteResult(None, [_refused(exc)])
    finally:
        await ctx.services.cache.invalidate(
            scopes.payment_methods(customer_id), *scopes.billing(customer_id)
        )
    await audit.record(
        ctx, viewer, account.id, f"made {chosen.label} ({chosen.id}) the default payment method"
    )
    return WriteResult(PaymentMethods(chosen.id, methods.methods, key))


async def remove(ctx: RequestContext, global_id: str) -> WriteResult[PaymentMethods]:
    viewer = ctx.require_viewer()  # an ADMIN: the field's role rule (MANAGE_BILLING)
    account, methods, chosen = await _owned(ctx, global_id)
    customer_id = _customer(account)
    subscription = await billing.current_subscription(ctx, account)
    live = subscription is not None and subscription.status not in _ENDED
    if live and len(methods.methods) == 1:
        return WriteResult(None, [Problem(
            "paymentMethodId", "A live subscription needs a payment method: add another first.",
            ProblemCode.LAST_PAYMENT_METHOD,
        )])  # fmt: skip
    in_use = {methods.default_id, subscription.default_payment_method_id if subscription else None}
    if live and chosen.id in in_use:
        return WriteResult(None, [Problem(
            "paymentMethodId",
            "This is the default payment method of a live subscription: make another one the "
            "default first.", ProblemCode.DEFAULT_IN_USE,
        )])  # fmt: skip
    try:
        await stripe_payment_methods.detach(
            ctx.services.upstreams.stripe, chosen.id, derived_key("detach", chosen.id)
        )
    except Rejected as exc:
        return WriteResult(None, [_refused(exc)])
    finally:
        await ctx.services.cache.invalidate(scopes.payment_methods(customer_id))
    await audit.record(ctx, viewer, account.id, f"removed {chosen.label} ({chosen.id})")
    left = tuple(m for m in methods.methods if m.id != chosen.id)
    return WriteResult(PaymentMethods(methods.default_id, left, methods.last_portal_change))


async def pay_invoice(ctx: RequestContext, global_id: str) -> WriteResult[str]:
    """The hosted page where the invoice is paid; only an open invoice has one to pay."""
    ctx.require_viewer()  # an ADMIN: the field's role rule (MANAGE_BILLING)
    gid = decode_id(global_id, "Invoice")
    account = await visible_account(ctx, gid.account_id)
    if account is None or not gid.upstream_id.startswith("in_"):
        raise not_found("Invoice", global_id)
    # Read fresh: a cached "open" may have been paid meanwhile.
    (invoice,) = await stripe.invoices_by_id(ctx.services.upstreams.stripe, [gid.upstream_id])
    if invoice is None or not owns_invoice(account, invoice):
        raise not_found("Invoice", global_id)
    if invoice.status != "open" or not invoice.hosted_invoice_url:
        return WriteResult(None, [Problem(
            "invoiceId", f"Invoice {invoice.number or invoice.id} is {invoice.status}, not open.",
            ProblemCode.INVOICE_NOT_OPEN,
        )])  # fmt: skip
    return WriteResult(invoice.hosted_invoice_url)


async def _owned(
    ctx: RequestContext, global_id: str
) -> tuple[Company, PaymentMethods, PaymentMethod]:
    """The account, its payment methods read fresh, and the one the id names: NOT_FOUND
    alike for another account's card and for no card at all."""
    gid = decode_id(global_id, "PaymentMethod")
    account = await visible_account(ctx, gid.account_id)
    if account is not None and account.stripe_customer_id:
        methods = await stripe_payment_methods.payment_methods_of_customer(
            ctx.services.upstreams.stripe, account.stripe_customer_id
        )
        chosen = methods.find(gid.upstream_id)
        if chosen is not None and chosen.customer_id == account.stripe_customer_id:
            return account, methods, chosen
    raise not_found("PaymentMethod", global_id)


def _customer(account: Company) -> str:
    assert account.stripe_customer_id is not None
    return account.stripe_customer_id


def _no_customer() -> Problem:
    return Problem(
        None, "The account has no billing record in Stripe.", ProblemCode.NO_SUBSCRIPTION
    )


def _refused(exc: Rejected) -> Problem:
    return Problem(None, f"Stripe refused the change: {exc.detail}", ProblemCode.STRIPE_REFUSED)


def account_of_payment_method(global_id: str) -> str:
    """The account a PaymentMethod id names (checked by the write that used it)."""
    return decode_id(global_id, "PaymentMethod").account_id
