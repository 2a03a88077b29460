"""Plan and seat changes with the exact proration shown first (ADMIN).

A preview asks Stripe what the change costs at this second and answers a signed
`prorationDate` token naming that second and the change; the change applies it with that
same proration date, so Stripe bills what the preview said, to the cent. Moving down to a
price marked `portal_downgrade=period_end` waits for the period's end (a subscription
schedule); any other change applies at once and its prorations are billed at once.

Stripe calls (the subscription list and catalogue are usually cached):
    preview  retrieve + 2 concurrent `invoices/create_preview`
    change   retrieve + update (now), or retrieve + schedule create + update + retrieve
             (period end; no create when a schedule exists), + a release when an upgrade
             replaces a planned change; the HubSpot note
Cancelling and resuming are in `resolvers/cancellations.py`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from auth.viewer import Viewer
from cache import scopes
from connectors import stripe_subscriptions
from connectors.http import Rejected
from connectors.hubspot import Company
from connectors.stripe import Subscription, SubscriptionItem
from connectors.stripe_catalogue import Catalogue, CataloguePrice
from connectors.stripe_subscriptions import ItemChange, PreviewLine
from resolvers import billing
from resolvers.accounts import account_or_primary
from resolvers.change_previews import PreviewToken
from resolvers.request import audit
from resolvers.request.context import RequestContext
from resolvers.request.ids import encode_id
from resolvers.request.user_input import Checks, Problem, ProblemCode
from resolvers.request.writes import WriteResult

NOW, PERIOD_END = "now", "period_end"
_ENDED = ("canceled", "incomplete_expired")


@dataclass(frozen=True)
class ChangePreview:
    plan: CataloguePrice
    quantity: int
    timing: str  # NOW or PERIOD_END
    effective_at: datetime
    lines: tuple[PreviewLine, ...]  # what is billed now (none when it waits)
    amount_due_now: int
    next_invoice_total: int
    next_invoice_at: datetime
    currency: str
    proration_date: str  # the signed token to apply this preview with


@dataclass(frozen=True)
class AppliedChange:
    subscription: Subscription
    timing: str
    invoice_id: str | None  # the invoice that billed the prorations now


@dataclass(frozen=True)
class ChangeTarget:
    viewer: Viewer
    account: Company
    subscription: Subscription


# Preview and change


async def preview_change(
    ctx: RequestContext, account_id: str | None, price_id: str, quantity: int
) -> WriteResult[ChangePreview]:
    target = await change_target(ctx, account_id)
    if isinstance(target, Problem):
        return WriteResult(None, [target])
    subscription = target.subscription
    checks = Checks()
    plan = await _plan_checks(ctx, checks, target, price_id, quantity)
    if plan is None or checks.problems:
        return WriteResult(None, checks.problems)
    catalogue = await billing.catalogue(ctx)
    item = _item_to_change(subscription, plan, catalogue)
    timing = _timing(item, plan, quantity, catalogue)
    changes = [ItemChange(item.id if item else None, plan.id, quantity)]
    client = ctx.services.upstreams.stripe
    try:
        now_invoice, next_invoice = await asyncio.gather(
            stripe_subscriptions.preview_change(client, subscription.id, changes, immediate=True),
            stripe_subscriptions.preview_change(client, subscription.id, changes, immediate=False),
        )
    except Rejected as exc:
        return WriteResult(None, [refused(exc)])
    # The second Stripe prorated to, by its own clock; and ours, for the preview's age.
    at = now_invoice.proration_date or now_invoice.billed_at
    token = PreviewToken(
        account_id=target.account.id, subscription_id=subscription.id,
        item_id=item.id if item else "",
        price_id=plan.id, quantity=quantity, prorated_at=int(at.timestamp()), timing=timing,
        issued_at=int(time.time()),
    ).sign(ctx.services.preview_signer)  # fmt: skip
    immediate = timing == NOW
    # Changed at once, the pending prorations are billed now too: the next invoice is the
    # renewal alone. Changed later, it is the renewal at the new price plus what is pending.
    next_lines = [ln for ln in next_invoice.lines if not (immediate and ln.proration)]
    return WriteResult(ChangePreview(
        plan=plan, quantity=quantity, timing=timing,
        effective_at=at if immediate else subscription.current_period_end,
        lines=now_invoice.lines if immediate else (),
        amount_due_now=now_invoice.amount_due if immediate else 0,
        next_invoice_total=sum(ln.amount for ln in next_lines),
        next_invoice_at=subscription.current_period_end,
        currency=subscription.currency, proration_date=token,
    ))  # fmt: skip


async def change(
    ctx: RequestContext, account_id: str | None, price_id: str, quantity: int, token: str
) -> WriteResult[AppliedChange]:
    target = await change_target(ctx, account_id)
    if isinstance(target, Problem):
        return WriteResult(None, [target])
    subscription = target.subscription
    preview = _preview_of(ctx, token, target, price_id, quantity)
    if isinstance(preview, Problem):
        return WriteResult(None, [preview])
    key, timing = preview.idempotency_key(), preview.timing
    if _already_applied(subscription, key, timing, price_id, quantity):
        return WriteResult(AppliedChange(subscription, timing, None))
    checks = Checks()
    plan = await _plan_checks(ctx, checks, target, price_id, quantity)
    if plan is None or checks.problems:
        return WriteResult(None, checks.problems)
    item = _item_to_change(subscription, plan, await billing.catalogue(ctx))
    before = _describe(item.product_name, item.quantity) if item else "none"
    changes = [ItemChange(item.id if item else None, plan.id, quantity)]
    client = ctx.services.upstreams.stripe
    try:
        if timing == NOW:
            if subscription.schedule is not None:  # this change replaces the planned one
                await stripe_subscriptions.release_schedule(
                    client, subscription.schedule.id, f"{key}-release"
                )
            at = datetime.fromtimestamp(preview.prorated_at, UTC)
            changed = await stripe_subscriptions.change_now(
                client, subscription.id, changes, at, key
            )
        else:
            replayed = await stripe_subscriptions.change_at_period_end(
                client, subscription, changes, key
            )
            changed = stripe_subscriptions.Written(
                await stripe_subscriptions.subscription_by_id(client, subscription.id, {}),
                replayed,
            )
    except Rejected as exc:
        return WriteResult(None, [refused(exc)])
    finally:
        await ctx.services.cache.invalidate(*scopes.billing(subscription.customer_id))
    named = await with_names(ctx, changed.subscription)
    if changed.replayed:  # the same request, answered twice: one change, one note
        return WriteResult(AppliedChange(named, timing, None))
    after = _describe(plan.product_name, quantity)
    when = (
        "at once"
        if timing == NOW
        else f"from the period's end ({subscription.current_period_end.date().isoformat()})"
    )
    invoice_id = changed.subscription.latest_invoice_id if timing == NOW else None
    billed = f"; prorations billed on invoice {invoice_id}" if invoice_id else ""
    await audit.record(
        ctx, target.viewer, target.account.id,
        f"changed the subscription {subscription.id} from {before} to {after} {when}{billed}",
    )  # fmt: skip
    return WriteResult(AppliedChange(named, timing, invoice_id))


def _preview_of(
    ctx: RequestContext, token: str, target: ChangeTarget, price_id: str, quantity: int
) -> PreviewToken | Problem:
    preview = PreviewToken.verify(ctx.services.preview_signer, token)
    if (
        preview is None
        or preview.timing not in (NOW, PERIOD_END)
        or not preview.names(target.account.id, target.subscription.id, price_id, quantity)
    ):
        return Problem(
            "prorationDate",
            "Use the `prorationDate` of a preview of this very change.",
            ProblemCode.PREVIEW_MISMATCH,
        )
    period_start = int(target.subscription.current_period_start.timestamp())
    if preview.expired(ctx.services.preview_ttl_s, period_start):
        return Problem(
            "prorationDate",
            "This preview is too old to apply: preview the change again.",
            ProblemCode.PREVIEW_EXPIRED,
        )
    return preview


def _already_applied(
    subscription: Subscription, key: str, timing: str, price_id: str, quantity: int
) -> bool:
    """The same request again (a double click, a retry after a lost answer)."""
    if timing == NOW:
        return subscription.last_portal_change == key
    phase = subscription.phase_after_period()
    return phase is not None and any(
        i.price_id == price_id and i.quantity == quantity for i in phase.items
    )


# Shared steps


async def change_target(ctx: RequestContext, account_id: str | None) -> ChangeTarget | Problem:
    """The viewer (ADMIN), the account and its live subscription, read fresh from Stripe."""
    viewer = ctx.require_viewer()  # an ADMIN: the field's role rule (MANAGE_BILLING)
    account = await account_or_primary(ctx, account_id)
    listed = await billing.current_subscription(ctx, account)
    client = ctx.services.upstreams.stripe
    if listed is None or listed.status in _ENDED:
        ended = listed is not None or (
            account.stripe_customer_id is not None
            and await stripe_subscriptions.has_ended_subscription(
                client, account.stripe_customer_id
            )
        )
        if ended:
            return Problem(None, "The subscription has ended.", ProblemCode.ALREADY_CANCELLED)
        return Problem(None, "The account has no live subscription.", ProblemCode.NO_SUBSCRIPTION)
    fresh = await stripe_subscriptions.subscription_by_id(client, listed.id, {})
    if fresh.customer_id != account.stripe_customer_id:
        return Problem(None, "The account has no live subscription.", ProblemCode.NO_SUBSCRIPTION)
    if fresh.status in _ENDED:
        return Problem(None, "The subscription has ended.", ProblemCode.ALREADY_CANCELLED)
    return ChangeTarget(viewer, account, fresh)


async def _plan_checks(
    ctx: RequestContext, checks: Checks, target: ChangeTarget, price_id: str, quantity: int
) -> CataloguePrice | None:
    catalogue = await billing.catalogue(ctx)
    plan = billing.price_by_id(catalogue, price_id)
    if plan is None or not billing.offered_to(plan, target.account):
        checks.add("priceId", f"No plan with price id {price_id!r} is offered to this account.",
                   ProblemCode.NOT_FOUND)  # fmt: skip
        return None
    if not plan.active:
        checks.add("priceId", f"{plan.product_name} at this price is no longer offered.",
                   ProblemCode.PRICE_ARCHIVED)  # fmt: skip
    subscription = target.subscription
    if plan.currency != subscription.currency:
        checks.add("priceId",
                   f"This price is in {plan.currency.upper()}; the account is billed in "
                   f"{subscription.currency.upper()}.", ProblemCode.CURRENCY_MISMATCH)  # fmt: skip
    most = plan.max_quantity
    if quantity < 1 or (most is not None and quantity > most):
        limit = "exactly 1 (a flat plan)" if most == 1 else f"between 1 and {most or 'any'}"
        checks.add("quantity", f"{plan.product_name} takes {limit} seats.",
                   ProblemCode.INVALID_QUANTITY)  # fmt: skip
    item = _item_to_change(subscription, plan, catalogue)
    if not checks.problems and item and item.price_id == plan.id and item.quantity == quantity:
        checks.add(None, "The subscription already has this plan and seats.",
                   ProblemCode.NO_CHANGE)  # fmt: skip
    return plan


def _item_to_change(
    subscription: Subscription, plan: CataloguePrice, catalogue: Catalogue
) -> SubscriptionItem | None:
    """The item the new price replaces: the one of the same product (more or fewer seats,
    another price); for a plan (a product with a rank), the current plan's item; for an
    add-on the subscription lacks (the portal seats), none: the change adds it."""
    licensed = [i for i in subscription.items if i.usage_type != "metered"]
    same = next((i for i in licensed if i.product_id == plan.product_id), None)
    if same is not None or plan.rank is None:
        return same
    ranked = {p.product_id for p in catalogue.prices if p.rank is not None}
    return next((i for i in licensed if i.product_id in ranked), licensed[0] if licensed else None)


def _timing(
    item: SubscriptionItem | None, plan: CataloguePrice, quantity: int, catalogue: Catalogue
) -> str:
    """Moving down to a price that says so waits for the period's end; all else is now."""
    if item is None:
        return NOW
    current = billing.price_by_id(catalogue, item.price_id)
    now_costs = (
        current.monthly_amount(item.quantity or 1)
        if current is not None
        else (item.unit_amount or 0) * (item.quantity or 1)
    )
    cheaper = plan.monthly_amount(quantity) < now_costs
    return PERIOD_END if cheaper and plan.downgrade_at_period_end else NOW


async def with_names(ctx: RequestContext, subscription: Subscription) -> Subscription:
    """The subscription with its products' names (the catalogue knows them, cached)."""
    names = (await billing.catalogue(ctx)).product_names
    items = tuple(replace(i, product_name=names.get(i.product_id)) for i in subscription.items)
    return replace(subscription, items=items)


def _describe(product: str | None, quantity: int | None) -> str:
    return f"{product or 'a plan'} x {quantity or 1}"


def refused(exc: Rejected) -> Problem:
    return Problem(None, f"Stripe refused the change: {exc.detail}", ProblemCode.STRIPE_REFUSED)


async def account_id_of(ctx: RequestContext, account_global_id: str | None) -> str:
    """The HubSpot id of the account a mutation acted on (already read, so cached)."""
    return (await account_or_primary(ctx, account_global_id)).id


def invoice_global_id(account_id: str, invoice_id: str) -> str:
    return encode_id("Invoice", account_id, invoice_id)
